/**
 * What the Temporal Schedule starts every trading day. A schedule cannot compute its action's
 * arguments, and its runs get generated ids, so this thin parent derives the monitored date from
 * the scheduled time in the exchange's time zone and runs the real pipeline as a child under the
 * business-key id `daily-monitoring-YYYY-MM-DD`.
 */
import { executeChild, workflowInfo } from '@temporalio/workflow';
import { dailyMonitoringWorkflowId } from './ids.js';
import type { DailyRunSummary, MonitoringSettings } from './types.js';
import { dailyMonitoringWorkflow } from './daily-monitoring.js';

export interface ScheduledDailyInput {
  readonly settings: MonitoringSettings;
  /** Offset of the exchange's time zone from UTC; Asia/Kolkata has no daylight saving time. */
  readonly utcOffsetMinutes?: number;
}

const IST_OFFSET_MINUTES = 330;

/** The calendar day of `instant` in a zone `offsetMinutes` east of UTC. */
export function localDate(instant: Date, offsetMinutes: number): string {
  return new Date(instant.getTime() + offsetMinutes * 60_000).toISOString().slice(0, 10);
}

function scheduledTime(): Date {
  // Catch-up runs after an outage start late; the schedule's own attribute keeps the day they stand for.
  const attributes = workflowInfo().searchAttributes as Record<string, unknown[] | undefined>;
  const scheduled = attributes.TemporalScheduledStartTime?.[0];
  if (scheduled instanceof Date) return scheduled;
  if (typeof scheduled === 'string') return new Date(scheduled);
  return workflowInfo().startTime;
}

export async function scheduledDailyMonitoringWorkflow(input: ScheduledDailyInput): Promise<DailyRunSummary> {
  const date = localDate(scheduledTime(), input.utcOffsetMinutes ?? IST_OFFSET_MINUTES);
  return executeChild(dailyMonitoringWorkflow, {
    workflowId: dailyMonitoringWorkflowId(date),
    args: [{ date, settings: input.settings }],
    workflowIdReusePolicy: 'ALLOW_DUPLICATE',
  });
}
