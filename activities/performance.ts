/**
 * Stage 2: rolling F1, precision, recall and ROC-AUC per model version and window, with a
 * bootstrap interval for F1, graded against the version's test-set F1. Shadow-scored versions
 * are evaluated on the same labels, which is what makes a rollback candidate's F1 comparable.
 */
import { log } from '@temporalio/activity';
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { queryRows, replaceAllExcept } from '../db/rows.js';
import { modelPerformanceHistory } from '../db/schema/index.js';
import type { ModelVersionRecord } from '../domain/model/types.js';
import { classifyDegradation, type DegradationSettings } from '../domain/performance/degradation.js';
import { selectRollbackCandidate } from '../domain/performance/rollback-candidate.js';
import { bootstrapF1Interval } from '../domain/statistics/bootstrap.js';
import { classificationMetrics, type BinaryLabel } from '../domain/statistics/classification.js';
import type { PerformanceResult, WindowPerformance } from '../workflows/types.js';
import type { ActivityDeps } from './context.js';
import { loadRegistry } from './registry.js';

export interface EvaluatePerformanceInput {
  readonly date: string;
  readonly windows: readonly number[];
  readonly bootstrapResamples: number;
  readonly confidence: number;
  readonly degradation: DegradationSettings;
}

interface LabelledRow {
  actual_label: number;
  predicted_label: number;
  predicted_probability: number;
}

/**
 * Labelled predictions of one version whose prediction date falls in the window ending on `date`, with only the
 * labels that were final by that date: a re-run of a past day, after later days have labelled more, reproduces
 * that day's figures instead of looking ahead.
 */
async function loadWindow(db: Database, version: string, date: string, days: number): Promise<LabelledRow[]> {
  return queryRows<LabelledRow>(
    db,
    sql`select l.actual_label, p.predicted_label, p.predicted_probability
        from predictions p
        join production_labels l on l.bse_code = p.bse_code and l.prediction_date = p.prediction_date
        where p.model_version = ${version}
          and p.prediction_date > ${date}::date - ${days}::int
          and p.prediction_date <= ${date}::date
          and l.outcome_date <= ${date}::date
        order by p.prediction_date, p.bse_code`,
  );
}

/** The seed ties each interval to its day and window, so a re-run reproduces it exactly. */
function bootstrapSeed(date: string, version: string, days: number): number {
  let h = 2166136261;
  for (const ch of `${date}|${version}|${days}`) h = Math.imul(h ^ ch.charCodeAt(0), 16777619) >>> 0;
  return h;
}

function evaluateWindow(
  rows: readonly LabelledRow[],
  record: ModelVersionRecord,
  date: string,
  days: number,
  input: EvaluatePerformanceInput,
): WindowPerformance {
  const actual = rows.map((r): BinaryLabel => (r.actual_label === 1 ? 1 : 0));
  const predicted = rows.map((r): BinaryLabel => (r.predicted_label === 1 ? 1 : 0));
  const m = classificationMetrics(
    actual,
    predicted,
    rows.map((r) => r.predicted_probability),
  );
  const ci =
    rows.length > 0
      ? bootstrapF1Interval(actual, predicted, {
          resamples: input.bootstrapResamples,
          confidence: input.confidence,
          seed: bootstrapSeed(date, record.version, days),
        })
      : null;
  const grade = classifyDegradation({
    baselineF1: record.testMetrics.f1,
    currentF1: m.f1,
    predictions: m.predictions,
    currentF1Interval: ci,
    settings: input.degradation,
  });
  return {
    windowDays: days,
    predictions: m.predictions,
    tp: m.tp,
    fp: m.fp,
    fn: m.fn,
    tn: m.tn,
    precision: m.precision,
    recall: m.recall,
    f1: m.f1,
    rocAuc: m.rocAuc,
    f1Ci: ci ? { low: ci.low, high: ci.high } : null,
    relativeDrop: grade.relativeDrop,
    severity: grade.severity,
  };
}

async function storeWindows(
  db: Database,
  date: string,
  record: ModelVersionRecord,
  scoring: 'served' | 'shadow',
  windows: readonly WindowPerformance[],
): Promise<void> {
  if (windows.length === 0) return;
  const values = windows.map((w) => ({
    evaluationDate: date,
    modelVersion: record.version,
    windowDays: w.windowDays,
    scoring,
    predictions: w.predictions,
    truePositives: w.tp,
    falsePositives: w.fp,
    falseNegatives: w.fn,
    trueNegatives: w.tn,
    precision: w.precision,
    recall: w.recall,
    f1: w.f1,
    rocAuc: w.rocAuc,
    f1CiLow: w.f1Ci?.low ?? null,
    f1CiHigh: w.f1Ci?.high ?? null,
    baselineF1: record.testMetrics.f1,
    f1RelativeDrop: w.relativeDrop,
    severity: w.severity,
  }));
  // Recomputing a day from the same labels yields the same numbers; the upsert keeps one row per key.
  await db
    .insert(modelPerformanceHistory)
    .values(values)
    .onConflictDoUpdate({
      target: [
        modelPerformanceHistory.evaluationDate,
        modelPerformanceHistory.modelVersion,
        modelPerformanceHistory.windowDays,
      ],
      set: replaceAllExcept(modelPerformanceHistory, ['evaluationDate', 'modelVersion', 'windowDays']),
    });
}

export async function evaluatePerformance(
  deps: ActivityDeps,
  input: EvaluatePerformanceInput,
): Promise<PerformanceResult> {
  const { db } = deps;
  const { date } = input;
  const { active, all } = await loadRegistry(db);
  const evaluatedDays = input.degradation.evaluatedWindowDays;
  const windowsToRun = [...new Set([...input.windows, evaluatedDays])].sort((a, b) => a - b);

  const byVersion = new Map<string, WindowPerformance[]>();
  for (const record of all) {
    const windows: WindowPerformance[] = [];
    for (const days of windowsToRun) {
      const rows = await loadWindow(db, record.version, date, days);
      if (rows.length === 0 && record.version !== active.version) continue;
      windows.push(evaluateWindow(rows, record, date, days, input));
    }
    byVersion.set(record.version, windows);
    await storeWindows(db, date, record, record.version === active.version ? 'served' : 'shadow', windows);
  }

  const activeWindows = byVersion.get(active.version) ?? [];
  const evaluated = activeWindows.find((w) => w.windowDays === evaluatedDays);
  const grade = classifyDegradation({
    baselineF1: active.testMetrics.f1,
    currentF1: evaluated?.f1 ?? 0,
    predictions: evaluated?.predictions ?? 0,
    currentF1Interval: evaluated?.f1Ci ?? null,
    settings: input.degradation,
  });
  const candidate =
    evaluated && grade.severity !== 'INSUFFICIENT_DATA'
      ? selectRollbackCandidate(
          { record: active, productionF1: evaluated.f1 },
          all.map((record) => {
            const w = byVersion.get(record.version)?.find((x) => x.windowDays === evaluatedDays);
            return { record, productionF1: w && w.predictions > 0 ? w.f1 : null };
          }),
        )
      : null;
  log.info('performance evaluated', {
    date,
    modelVersion: active.version,
    f1: evaluated?.f1,
    predictions: evaluated?.predictions,
    severity: grade.severity,
    candidate: candidate?.version,
  });
  return {
    date,
    modelVersion: active.version,
    baseline: active.testMetrics,
    windows: activeWindows,
    degradation: grade,
    candidate,
  };
}
