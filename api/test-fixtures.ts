/**
 * A small hand-made logistic model for tests and benchmarks, so they do not depend on the synthetic data
 * generator or on training. Two features carry weight; the rest have zero coefficients.
 */
import { sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { FEATURE_NAMES, type FeatureName, type FeatureVector } from '../domain/features.js';
import { featureImportances } from '../domain/model/logistic.js';
import type { ModelArtifact } from '../domain/model/types.js';
import { Writable } from 'node:stream';
import { rootLogger, type AppLogger } from '../logging/logger.js';
import type { ActiveModel } from './model-store.js';

const WEIGHTS: Partial<Record<FeatureName, number>> = { earnings_surprise_pct: 1.5, volume_ratio_30d: 0.8, roe: 0.2 };

export function handMadeArtifact(version: string, threshold = 0.3): ModelArtifact {
  return {
    version,
    modelType: 'logistic_regression',
    features: [...FEATURE_NAMES],
    means: FEATURE_NAMES.map(() => 0),
    stds: FEATURE_NAMES.map(() => 1),
    coefficients: FEATURE_NAMES.map((name) => WEIGHTS[name] ?? 0),
    intercept: -1,
    threshold,
  };
}

export function handMadeModel(version: string, threshold = 0.3): ActiveModel {
  const artifact = handMadeArtifact(version, threshold);
  return {
    version,
    modelType: artifact.modelType,
    trainingDate: '2025-10-01',
    trainingWindow: { start: '2024-01-01', end: '2025-09-30' },
    testMetrics: { f1: 0.42, precision: 0.38, recall: 0.47, rocAuc: 0.81 },
    featureImportances: featureImportances(artifact),
    stage: 'stable',
    activatedAt: '2025-10-02T00:00:00.000Z',
    artifact,
  };
}

/** Inserts the version; `active` deactivates any other version first (one active version at a time). */
export async function seedModelVersion(db: Database, version: string, active = true, threshold = 0.3): Promise<void> {
  const model = handMadeModel(version, threshold);
  if (active) await db.execute(sql`update model_versions set is_active = false where is_active`);
  await db.execute(sql`
    insert into model_versions (version, model_type, training_date, training_window_start, training_window_end,
      test_f1, test_precision, test_recall, test_roc_auc, feature_importances, artifact, stage, is_active, activated_at)
    values (${version}, ${model.modelType}, ${model.trainingDate}, ${model.trainingWindow.start},
      ${model.trainingWindow.end}, ${model.testMetrics.f1}, ${model.testMetrics.precision}, ${model.testMetrics.recall},
      ${model.testMetrics.rocAuc}, ${JSON.stringify(model.featureImportances)}::jsonb,
      ${JSON.stringify(model.artifact)}::jsonb, 'stable', ${active}, ${active ? new Date().toISOString() : null})`);
}

/** A request item with every feature present (0 unless overridden). */
export function predictionItem(
  bseCode: number,
  predictionDate: string,
  overrides: Partial<FeatureVector> = {},
): Record<string, number | string | null> {
  const features: Record<string, number | null> = Object.fromEntries(FEATURE_NAMES.map((name) => [name, 0]));
  for (const [name, value] of Object.entries(overrides)) features[name] = value;
  return { bse_code: bseCode, prediction_date: predictionDate, ...features };
}

/** A logger that writes nowhere, for tests and benchmarks that would otherwise flood the output. */
export function silentLogger(): AppLogger {
  const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
  return rootLogger(sink).child({ logger: 'api' });
}
