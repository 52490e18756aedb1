/** The run record: one row per monitored day, the first thing an operator or the dashboard reads. */
import { replaceAllExcept } from '../db/rows.js';
import { monitoringRuns } from '../db/schema/index.js';
import type { DailyRunSummary } from '../workflows/types.js';
import type { ActivityDeps } from './context.js';

export async function recordRun(
  deps: ActivityDeps,
  input: { date: string; workflowId: string; runId: string; summary: DailyRunSummary },
): Promise<void> {
  const { summary } = input;
  const values = {
    runDate: input.date,
    workflowId: input.workflowId,
    runId: input.runId,
    modelVersion: summary.modelVersion,
    driftSeverity: summary.drift,
    degradationSeverity: summary.degradation,
    summary: summary as unknown as Record<string, unknown>,
    completedAt: deps.now(),
  };
  // A re-run of the day replaces the record with its own run id: one row per day, pointing at the latest run.
  await deps.db
    .insert(monitoringRuns)
    .values(values)
    .onConflictDoUpdate({
      target: monitoringRuns.runDate,
      set: replaceAllExcept(monitoringRuns, ['runDate']),
    });
}
