/**
 * The daily Temporal Schedule on the real dev server: created and updated idempotently, fired
 * through the Temporal API (trigger and backfill), and its runs appear in the history under the
 * business-key id of the day they monitor.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Worker } from '@temporalio/worker';
import { buildBaselines } from '../temporal/daily-runs.js';
import { upsertDailySchedule } from '../temporal/daily-schedule.js';
import { dailyMonitoringWorkflowId } from '../workflows/ids.js';
import type { DailyRunSummary } from '../workflows/types.js';
import { localDate } from '../workflows/scheduled-daily.js';
import { startPipelineHarness, type PipelineHarness } from './support/pipeline.js';

const SCHEDULE_ID = 'vcp-monitor-daily-test';

async function waitFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('the daily schedule', () => {
  let h: PipelineHarness;
  let worker: Worker;
  let running: Promise<void>;

  beforeAll(async () => {
    // Three days of BhavCopy files: the triggered run for today ingests every file up to today.
    h = await startPipelineHarness('schedule', { bhavcopyDays: 3 });
    worker = await h.newWorker();
    running = worker.run();
    for (const model of h.manifest.models) {
      await buildBaselines(h.env.client, { modelVersion: model.version, taskQueue: h.taskQueue });
    }
  });

  afterAll(async () => {
    await h?.env.client.schedule
      .getHandle(SCHEDULE_ID)
      .delete()
      .catch(() => undefined);
    worker?.shutdown();
    await running;
    await h?.close();
  });

  it('is created once and updated in place, at 18:30 Asia/Kolkata on weekdays with BUFFER_ONE', async () => {
    const options = { taskQueue: h.taskQueue, settings: h.settings, scheduleId: SCHEDULE_ID };
    expect((await upsertDailySchedule(h.env.client, options)).created).toBe(true);
    expect((await upsertDailySchedule(h.env.client, { ...options, minute: 45 })).created).toBe(false);
    const described = await h.env.client.schedule.getHandle(SCHEDULE_ID).describe();
    expect(described.spec.timezone).toBe('Asia/Kolkata');
    expect(described.spec.calendars?.[0]).toMatchObject({
      hour: [{ start: 18, end: 18, step: 1 }],
      minute: [{ start: 45, end: 45, step: 1 }],
    });
    expect(described.policies.overlap).toBe('BUFFER_ONE');
    expect(described.policies.catchupWindow).toBe(3 * 24 * 3600 * 1000);
    const listed = [];
    for await (const s of h.env.client.schedule.list()) if (s.scheduleId === SCHEDULE_ID) listed.push(s);
    expect(listed).toHaveLength(1);
  });

  it('fires when triggered through the Temporal API, and its run appears in the history', async () => {
    const handle = h.env.client.schedule.getHandle(SCHEDULE_ID);
    await handle.trigger();
    const action = await waitFor('the triggered action', async () => (await handle.describe()).info.recentActions[0]);
    const parent = h.env.client.workflow.getHandle(action.action.workflow.workflowId);
    const summary = (await parent.result()) as DailyRunSummary;
    // Today has no BhavCopy and no predictions in the synthetic world: the run says so instead of failing.
    const today = localDate(new Date(action.scheduledAt), 330);
    expect(summary.date).toBe(today);
    expect(summary.tradingDay).toBe(false);
    const child = await h.env.client.workflow.getHandle(dailyMonitoringWorkflowId(today)).describe();
    expect(child.status.name).toBe('COMPLETED');
    const history = await parent.fetchHistory();
    expect(history.events?.some((e) => e.childWorkflowExecutionCompletedEventAttributes)).toBe(true);
  });

  it("backfills a past trading day under that day's id, monitoring the day it was scheduled for", async () => {
    const day = h.manifest.tradingDays[1]!;
    const handle = h.env.client.schedule.getHandle(SCHEDULE_ID);
    // 18:45 IST is 13:15 UTC: a window around it on the day fires exactly that day's action.
    await handle.backfill({
      start: new Date(`${day}T13:00:00Z`),
      end: new Date(`${day}T13:30:00Z`),
      overlap: 'ALLOW_ALL',
    });
    const run = h.env.client.workflow.getHandle(dailyMonitoringWorkflowId(day));
    const summary = await waitFor('the backfilled day', async () => {
      try {
        return (await run.result()) as DailyRunSummary;
      } catch {
        return undefined;
      }
    });
    expect(summary.date).toBe(day);
    expect(summary.tradingDay).toBe(true);
    expect(summary.labelsWritten).toBeGreaterThan(0);
  });
});
