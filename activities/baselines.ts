/**
 * Builds one drift baseline per feature from a model version's training sample. Rebuilding is an
 * upsert of the same rows from the same sample, so it is idempotent; after a retrain it replaces
 * the version's baselines in one transaction.
 */
import { log } from '@temporalio/activity';
import { asc, eq } from 'drizzle-orm';
import { buildFeatureBaseline, type FeatureBaseline } from '../domain/drift/baseline.js';
import { FEATURES, FEATURE_NAMES, type FeatureGroup, type FeatureName } from '../domain/features.js';
import type { BinningScheme } from '../domain/statistics/binning.js';
import type { Database } from '../db/client.js';
import { isoDay, replaceAllExcept } from '../db/rows.js';
import { driftBaselines, modelVersions, trainingSamples } from '../db/schema/index.js';
import type { ActivityDeps } from './context.js';
import { BaselineMissingError, InvalidInputError } from './errors.js';

const FEATURE_GROUP = new Map<FeatureName, FeatureGroup>(FEATURES.map((f) => [f.name, f.group]));

export async function buildDriftBaselines(
  deps: ActivityDeps,
  input: { modelVersion: string; binScheme: BinningScheme },
): Promise<{ features: number; sampleSize: number }> {
  const { db } = deps;
  const [version] = await db.select().from(modelVersions).where(eq(modelVersions.version, input.modelVersion));
  if (!version) throw new InvalidInputError(`model version ${input.modelVersion} is not in the registry`);
  const sample = await db
    .select()
    .from(trainingSamples)
    .where(eq(trainingSamples.modelVersion, input.modelVersion))
    .orderBy(asc(trainingSamples.rowNumber));
  if (sample.length === 0) {
    throw new BaselineMissingError(
      `model version ${input.modelVersion} has no training sample to build baselines from`,
    );
  }
  const rows = FEATURE_NAMES.map((feature) => {
    const baseline = buildFeatureBaseline(
      feature,
      sample.map((r) => r[feature]),
      { binScheme: input.binScheme },
    );
    return {
      featureName: feature,
      modelVersion: input.modelVersion,
      distributionType: baseline.distributionType,
      binScheme: baseline.binScheme,
      binEdges: baseline.binEdges,
      binCounts: baseline.binCounts,
      mean: baseline.mean,
      std: baseline.std,
      min: baseline.min,
      max: baseline.max,
      percentiles: baseline.percentiles,
      referenceSample: baseline.referenceSample,
      referenceIsQuantileGrid: baseline.referenceIsQuantileGrid,
      sampleSize: baseline.sampleSize,
      missingCount: baseline.missingCount,
      trainingWindowStart: isoDay(version.trainingWindowStart),
      trainingWindowEnd: isoDay(version.trainingWindowEnd),
      builtAt: deps.now(),
    };
  });
  await db.transaction(async (tx) => {
    for (const row of rows) {
      await tx
        .insert(driftBaselines)
        .values(row)
        .onConflictDoUpdate({
          target: [driftBaselines.featureName, driftBaselines.modelVersion],
          set: replaceAllExcept(driftBaselines, ['featureName', 'modelVersion']),
        });
    }
  });
  log.info('drift baselines stored', {
    modelVersion: input.modelVersion,
    features: rows.length,
    sampleSize: sample.length,
  });
  return { features: rows.length, sampleSize: sample.length };
}

export async function loadBaselines(
  db: Database,
  modelVersion: string,
): Promise<Partial<Record<FeatureName, FeatureBaseline>>> {
  const rows = await db.select().from(driftBaselines).where(eq(driftBaselines.modelVersion, modelVersion));
  const out: Partial<Record<FeatureName, FeatureBaseline>> = {};
  for (const r of rows) {
    const feature = r.featureName as FeatureName;
    if (!FEATURE_NAMES.includes(feature)) continue;
    out[feature] = {
      feature,
      group: FEATURE_GROUP.get(feature) ?? 'technical',
      distributionType: r.distributionType,
      binScheme: r.binScheme,
      binEdges: r.binEdges,
      binCounts: r.binCounts,
      mean: r.mean,
      std: r.std,
      min: r.min,
      max: r.max,
      percentiles: r.percentiles,
      sampleSize: r.sampleSize,
      missingCount: r.missingCount,
      referenceSample: r.referenceSample,
      referenceIsQuantileGrid: r.referenceIsQuantileGrid,
    };
  }
  return out;
}
