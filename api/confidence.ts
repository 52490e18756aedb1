/**
 * Confidence bands for a served probability. The band measures how far the score sits from the decision
 * threshold, as a share of the room on that side of it: margin = (p - t) / (1 - t) above the threshold and
 * (t - p) / t below it, so 0 is on the threshold and 1 is certainty either way. A band on p alone (p >= 0.7 high)
 * would call a confident negative (p = 0.02) "low", which is wrong for a model whose threshold is not 0.5.
 */

export type ConfidenceBand = 'high' | 'medium' | 'low';

/** Margins at or above these cut points reach the band. */
export const CONFIDENCE_CUTS = { high: 0.5, medium: 0.2 } as const;

export function decisionMargin(probability: number, threshold: number): number {
  if (probability >= threshold) return threshold >= 1 ? 1 : (probability - threshold) / (1 - threshold);
  return threshold <= 0 ? 1 : (threshold - probability) / threshold;
}

export function confidenceBand(probability: number, threshold: number): ConfidenceBand {
  const margin = decisionMargin(probability, threshold);
  if (margin >= CONFIDENCE_CUTS.high) return 'high';
  if (margin >= CONFIDENCE_CUTS.medium) return 'medium';
  return 'low';
}
