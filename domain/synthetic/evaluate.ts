/**
 * Scores of a model version over a window of the synthetic period, from the hidden true outcomes. The monitor
 * computes the same thing from BhavCopy labels; this is the yardstick its figures are checked against.
 */
import { classificationMetrics, type ClassificationMetrics } from '../statistics/classification.js';
import type { SyntheticDataset } from './generate.js';

/**
 * Metrics of `version` on the announcements made on trading days [fromDay, toDay) (indices into tradingDays,
 * clipped to the period). Announcements whose reaction day has no price are left out, as the label stage must.
 */
export function windowMetrics(
  dataset: Pick<SyntheticDataset, 'tradingDays' | 'predictions' | 'outcomes'>,
  version: string,
  fromDay: number,
  toDay: number,
): ClassificationMetrics {
  const days = new Set(dataset.tradingDays.slice(Math.max(0, fromDay), Math.max(0, toDay)));
  const truth = new Map(dataset.outcomes.map((o) => [`${o.bseCode}:${o.earningsDate}`, o]));
  const actual: (0 | 1)[] = [];
  const predicted: (0 | 1)[] = [];
  const probability: number[] = [];
  for (const p of dataset.predictions) {
    if (p.modelVersion !== version || !days.has(p.predictionDate)) continue;
    const outcome = truth.get(`${p.bseCode}:${p.earningsDate}`);
    if (outcome?.priced !== true) continue;
    actual.push(outcome.outcome);
    predicted.push(p.predictedLabel);
    probability.push(p.predictedProbability);
  }
  return classificationMetrics(actual, predicted, probability);
}
