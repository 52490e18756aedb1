/**
 * The daily Temporal Schedule: 18:30 Asia/Kolkata on weekdays, after the batch predictions and the
 * exchange's BhavCopy. Created or updated idempotently, so re-running the script after changing a
 * threshold updates the schedule's action in place.
 *
 * Policies, and why:
 * - overlap BUFFER_ONE: a day still running when the next fires (a slow catch-up) is never cancelled,
 *   and the next day waits for it, since its rolling windows read the labels the previous day wrote.
 * - catch-up window 3 days: after a Temporal outage over a weekend, the missed weekday runs are taken
 *   when it returns; older misses need an explicit backfill.
 */
import {
  ScheduleNotFoundError,
  ScheduleOverlapPolicy,
  type Client,
  type ScheduleHandle,
  type ScheduleOptions,
} from '@temporalio/client';
import { DAILY_SCHEDULE_ID } from '../workflows/ids.js';
import type { MonitoringSettings } from '../workflows/types.js';

export interface DailyScheduleOptions {
  readonly taskQueue: string;
  readonly settings: MonitoringSettings;
  readonly scheduleId?: string;
  readonly hour?: number;
  readonly minute?: number;
  readonly timezone?: string;
}

function dailyScheduleOptions(options: DailyScheduleOptions): ScheduleOptions {
  return {
    scheduleId: options.scheduleId ?? DAILY_SCHEDULE_ID,
    spec: {
      calendars: [
        {
          hour: options.hour ?? 18,
          minute: options.minute ?? 30,
          dayOfWeek: [{ start: 'MONDAY', end: 'FRIDAY' }],
          comment: 'after batch scoring and the BhavCopy, on exchange weekdays',
        },
      ],
      timezone: options.timezone ?? 'Asia/Kolkata',
    },
    action: {
      type: 'startWorkflow',
      workflowType: 'scheduledDailyMonitoringWorkflow',
      taskQueue: options.taskQueue,
      args: [{ settings: options.settings }],
    },
    policies: { overlap: ScheduleOverlapPolicy.BUFFER_ONE, catchupWindow: '3 days', pauseOnFailure: false },
  };
}

/** Creates the schedule, or replaces its spec, action and policies when it exists. Returns what it did. */
export async function upsertDailySchedule(
  client: Client,
  options: DailyScheduleOptions,
): Promise<{ handle: ScheduleHandle; created: boolean }> {
  const desired = dailyScheduleOptions(options);
  const handle = client.schedule.getHandle(desired.scheduleId);
  try {
    await handle.describe();
  } catch (err) {
    if (!(err instanceof ScheduleNotFoundError)) throw err;
    return { handle: await client.schedule.create(desired), created: true };
  }
  await handle.update((previous) => ({
    ...previous,
    spec: desired.spec,
    action: desired.action,
    policies: desired.policies,
  }));
  return { handle, created: false };
}
