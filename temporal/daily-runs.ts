/** Starting daily runs from a client: the one place that knows their ids and conflict rules. */
import type { Client, WorkflowHandle } from '@temporalio/client';
import { baselineBuildWorkflowId, dailyMonitoringWorkflowId } from '../workflows/ids.js';
import type { DailyRunSummary, MonitoringSettings } from '../workflows/types.js';

export interface StartDailyRunOptions {
  readonly date: string;
  readonly settings: MonitoringSettings;
  readonly taskQueue: string;
}

/**
 * Starts the day's run, or attaches to it when one is already running: two operators (or the
 * schedule and a manual trigger) never run the same day twice at once. A finished day may be
 * run again; its upserts leave the rows of one run.
 */
export function startDailyRun(client: Client, options: StartDailyRunOptions): Promise<WorkflowHandle> {
  return client.workflow.start('dailyMonitoringWorkflow', {
    taskQueue: options.taskQueue,
    workflowId: dailyMonitoringWorkflowId(options.date),
    args: [{ date: options.date, settings: options.settings }],
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
}

export async function runDay(client: Client, options: StartDailyRunOptions): Promise<DailyRunSummary> {
  const handle = await startDailyRun(client, options);
  return (await handle.result()) as DailyRunSummary;
}

export async function buildBaselines(
  client: Client,
  options: { modelVersion: string; taskQueue: string; binScheme?: 'decile' | 'equal_width' },
): Promise<{ features: number; sampleSize: number }> {
  const handle = await client.workflow.start('buildBaselinesWorkflow', {
    taskQueue: options.taskQueue,
    workflowId: baselineBuildWorkflowId(options.modelVersion),
    args: [{ modelVersion: options.modelVersion, binScheme: options.binScheme ?? 'decile' }],
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
  return (await handle.result()) as { features: number; sampleSize: number };
}

/** Weekdays from `from` to `to` inclusive: the days a backfill runs (exchange holidays find no BhavCopy). */
export function weekdaysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += 86_400_000) {
    const d = new Date(t);
    if (d.getUTCDay() !== 0 && d.getUTCDay() !== 6) days.push(d.toISOString().slice(0, 10));
  }
  return days;
}
