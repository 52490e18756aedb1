/** POST /api/v1/predict: one company, or a batch, scored by the active model version. */
import { FEATURE_NAMES, type FeatureName } from '../../domain/features.js';
import { predictLabel, predictProbability } from '../../domain/model/logistic.js';
import { predictions as predictionsTable } from '../../db/schema/index.js';
import { confidenceBand, type ConfidenceBand } from '../confidence.js';
import type { ApiContext, ApiPlugin } from '../context.js';
import type { ApiMetrics } from '../metrics.js';
import { ApiError } from '../errors.js';
import { PredictionCache } from '../prediction-cache.js';
import { predictBodySchema } from './schemas.js';

export type PredictionItem = {
  readonly bse_code: number;
  readonly prediction_date: string;
  readonly earnings_date?: string;
} & Readonly<Record<FeatureName, number | null>>;

export type PredictBody = PredictionItem | { readonly predictions: readonly PredictionItem[] };

export interface PredictionResult {
  readonly bse_code: number;
  readonly prediction_date: string;
  readonly probability: number;
  readonly predicted_label: 0 | 1;
  readonly confidence: ConfidenceBand;
  readonly threshold: number;
  readonly model_version: string;
  /** Features that arrived null (or were absent from the model's inputs) and were imputed. */
  readonly imputed_features: readonly FeatureName[];
  readonly cached: boolean;
}

function isBatch(body: PredictBody): body is { readonly predictions: readonly PredictionItem[] } {
  return 'predictions' in body;
}

/**
 * Counts for one request, added to the counters once per label set when the request's items are scored: a batch of
 * 500 companies then costs a handful of counter updates instead of 1,500.
 */
class RequestTally {
  hits = 0;
  misses = 0;
  readonly imputed = new Map<FeatureName, number>();
  readonly predictions = new Map<string, { label: 0 | 1; confidence: ConfidenceBand; count: number }>();

  predicted(label: 0 | 1, confidence: ConfidenceBand): void {
    const key = `${label}${confidence}`;
    const entry = this.predictions.get(key);
    if (entry) entry.count++;
    else this.predictions.set(key, { label, confidence, count: 1 });
  }

  /** Lookups and imputed features happened even when a later item failed; predictions count only when served. */
  record(metrics: ApiMetrics, modelVersion: string, served: boolean): void {
    if (this.hits > 0) metrics.cacheLookups.inc({ result: 'hit' }, this.hits);
    if (this.misses > 0) metrics.cacheLookups.inc({ result: 'miss' }, this.misses);
    for (const [feature, count] of this.imputed)
      metrics.featureExtractionFailures.inc({ feature, reason: 'missing' }, count);
    if (!served) return;
    for (const { label, confidence, count } of this.predictions.values()) {
      metrics.predictions.inc({ predicted_label: String(label), confidence, model_version: modelVersion }, count);
    }
  }
}

/** Scores the items; exported so the overhead benchmark can drive the very same code. */
export async function scorePredictions(ctx: ApiContext, items: readonly PredictionItem[]): Promise<PredictionResult[]> {
  const model = await ctx.models.current();
  const artifact = model.artifact;
  const metrics = ctx.metrics;
  const tally = new RequestTally();
  const results: PredictionResult[] = [];
  let served = false;
  try {
    for (const item of items) {
      const vector = PredictionCache.vector(item, artifact.features);
      const imputed: FeatureName[] = [];
      for (let j = 0; j < vector.length; j++) if (vector[j] === null) imputed.push(artifact.features[j]!);
      for (const feature of imputed) tally.imputed.set(feature, (tally.imputed.get(feature) ?? 0) + 1);
      const key = PredictionCache.key(model.version, item.bse_code, item.prediction_date);
      const hit = ctx.cache.get(key, vector);
      let probability: number;
      let label: 0 | 1;
      if (hit) {
        tally.hits++;
        probability = hit.probability;
        label = hit.predictedLabel;
      } else {
        tally.misses++;
        probability = predictProbability(artifact, item);
        if (!Number.isFinite(probability)) {
          metrics?.featureExtractionFailures.inc({ feature: 'all', reason: 'non_finite_score' });
          throw new ApiError(
            'FEATURE_EXTRACTION_FAILED',
            `model ${model.version} gave a non-finite score for bse_code ${item.bse_code} on ${item.prediction_date}`,
          );
        }
        label = predictLabel(artifact, probability);
        ctx.cache.set(key, { features: vector, probability, predictedLabel: label });
      }
      const confidence = confidenceBand(probability, artifact.threshold);
      tally.predicted(label, confidence);
      results.push({
        bse_code: item.bse_code,
        prediction_date: item.prediction_date,
        probability,
        predicted_label: label,
        confidence,
        threshold: artifact.threshold,
        model_version: model.version,
        imputed_features: imputed,
        cached: hit !== undefined,
      });
    }
    served = true;
    return results;
  } finally {
    if (metrics) tally.record(metrics, model.version, served);
  }
}

async function persist(ctx: ApiContext, items: readonly PredictionItem[], results: readonly PredictionResult[]) {
  const rows = results.map((result, i) => {
    const item = items[i]!;
    const features = Object.fromEntries(FEATURE_NAMES.map((name) => [name, item[name]])) as Record<
      FeatureName,
      number | null
    >;
    return {
      bseCode: result.bse_code,
      predictionDate: result.prediction_date,
      earningsDate: item.earnings_date ?? result.prediction_date,
      modelVersion: result.model_version,
      predictedProbability: result.probability,
      predictedLabel: result.predicted_label,
      served: true,
      ...features,
    };
  });
  // The batch job's row for the same (version, scrip, day) wins: it is the prediction of record.
  await ctx.db.insert(predictionsTable).values(rows).onConflictDoNothing();
}

export const predictRoutes: ApiPlugin = (app, ctx) => {
  app.post('/api/v1/predict', { schema: { body: predictBodySchema } }, async (request) => {
    const body = request.body as PredictBody;
    const batch = isBatch(body);
    const items = batch ? body.predictions : [body];
    if (items.length > ctx.config.maxBatchSize) {
      throw new ApiError(
        'BATCH_TOO_LARGE',
        `body.predictions holds ${items.length} items; the limit is ${ctx.config.maxBatchSize} per request`,
        'body.predictions',
      );
    }
    const results = await scorePredictions(ctx, items);
    if (ctx.config.persistPredictions) await persist(ctx, items, results);
    return batch ? { model_version: results[0]?.model_version, predictions: results } : results[0];
  });
  return Promise.resolve();
};
