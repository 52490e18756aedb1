/**
 * Stage 3: the day's and the week's served features against the active version's training
 * baselines. Results are upserted per (day, version, feature), so a re-run replaces them in place.
 */
import { log } from '@temporalio/activity';
import { and, eq, gt, lte } from 'drizzle-orm';
import { evaluateDrift, type DriftSettings, type ProductionValues } from '../domain/drift/policy.js';
import { skippedDayEvaluation } from '../domain/drift/skipped-day.js';
import { FEATURE_NAMES } from '../domain/features.js';
import type { Database } from '../db/client.js';
import { replaceAllExcept } from '../db/rows.js';
import { driftFeatureResults, predictions } from '../db/schema/index.js';
import type { DriftResult } from '../workflows/types.js';
import { loadBaselines } from './baselines.js';
import type { ActivityDeps } from './context.js';
import { BaselineMissingError } from './errors.js';
import { loadRegistry } from './registry.js';

const WEEK_DAYS = 7;

function minusDays(date: string, days: number): string {
  const d = new Date(`${date}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() - days);
  return d.toISOString().slice(0, 10);
}

function daysBetween(start: string, end: string): number {
  return Math.round((Date.parse(`${end}T00:00:00Z`) - Date.parse(`${start}T00:00:00Z`)) / 86_400_000) + 1;
}

/** Served feature values of one version in (from, to], column by column. */
async function loadFeatures(
  db: Database,
  version: string,
  from: string,
  to: string,
): Promise<{ rows: number; values: ProductionValues }> {
  const rows = await db
    .select()
    .from(predictions)
    .where(
      and(
        eq(predictions.modelVersion, version),
        eq(predictions.served, true),
        gt(predictions.predictionDate, from),
        lte(predictions.predictionDate, to),
      ),
    );
  const values: ProductionValues = {};
  for (const feature of FEATURE_NAMES) values[feature] = rows.map((r) => r[feature]);
  return { rows: rows.length, values };
}

export async function detectDrift(
  deps: ActivityDeps,
  input: { date: string; settings: DriftSettings },
): Promise<DriftResult> {
  const { db } = deps;
  const { date, settings } = input;
  const { active } = await loadRegistry(db);
  const baselines = await loadBaselines(db, active.version);
  if (Object.keys(baselines).length === 0) {
    throw new BaselineMissingError(
      `no drift baselines for model version ${active.version}: build them with ` +
        `scripts/build-baselines.ts --version ${active.version}`,
    );
  }
  const daily = await loadFeatures(db, active.version, minusDays(date, 1), date);
  const weekly = await loadFeatures(db, active.version, minusDays(date, WEEK_DAYS), date);
  const evaluation =
    daily.rows === 0
      ? skippedDayEvaluation(`no served predictions on ${date}: nothing to test`, settings)
      : evaluateDrift({ baselines, daily: daily.values, weekly: weekly.values, settings });

  const rows = evaluation.features.map((f) => ({
    reportDate: date,
    modelVersion: active.version,
    featureName: f.feature,
    rows: f.rows,
    missing: f.missing,
    nonFinite: f.nonFinite,
    outOfRange: f.outOfRange,
    rowsWeekly: f.rowsWeekly,
    ksStatistic: f.ksStatistic,
    ksPValue: f.ksPValue,
    ksStatisticWeekly: f.ksStatisticWeekly,
    ksPValueWeekly: f.ksPValueWeekly,
    psiDaily: f.psiDaily,
    psiWeekly: f.psiWeekly,
    pValue: f.pValue,
    qValue: f.qValue,
    decidingWindow: f.decidingWindow,
    severityPsi: f.severityPsi,
    status: f.status,
    action: f.action,
    reason: f.reason,
  }));
  if (rows.length > 0) {
    await db
      .insert(driftFeatureResults)
      .values(rows)
      .onConflictDoUpdate({
        target: [driftFeatureResults.reportDate, driftFeatureResults.modelVersion, driftFeatureResults.featureName],
        set: replaceAllExcept(driftFeatureResults, ['reportDate', 'modelVersion', 'featureName']),
      });
  }
  const window = active.trainingWindow;
  log.info('drift evaluated', {
    date,
    modelVersion: active.version,
    severity: evaluation.severity,
    drifting: evaluation.driftingFeatures,
    dailyRows: daily.rows,
    weeklyRows: weekly.rows,
  });
  return {
    date,
    modelVersion: active.version,
    baselineWindow: { start: window.start, end: window.end, days: daysBetween(window.start, window.end) },
    dailyRows: daily.rows,
    weeklyRows: weekly.rows,
    evaluation,
  };
}
