/** Workflow ids derived from the business key, so operators find a run by what it is. */

export function dailyMonitoringWorkflowId(date: string): string {
  return `daily-monitoring-${date}`;
}

export function rollbackApprovalWorkflowId(currentVersion: string, date: string): string {
  return `rollback-approval-${currentVersion}-${date}`;
}

export function baselineBuildWorkflowId(modelVersion: string): string {
  return `drift-baselines-${modelVersion}`;
}

export const DAILY_SCHEDULE_ID = 'vcp-monitor-daily';
