/**
 * Spikes and drops in a dashboard series. The rule: a point is anomalous when it lies more than `threshold`
 * scaled median absolute deviations (MAD x 1.4826, which equals the standard deviation for normal data) from the
 * median of the previous `window` points. Median and MAD rather than mean and standard deviation because one
 * earlier spike would otherwise inflate the spread and hide the next one.
 */
import { median, medianAbsoluteDeviation } from 'simple-statistics';

export interface AnomalyRule {
  /** How many previous finite points form the reference. */
  readonly window: number;
  /** Scaled MADs a point must be away from the reference median. */
  readonly threshold: number;
  /** Fewer previous points than this: no judgement, a new series has no history to compare with. */
  readonly minHistory: number;
  /**
   * The smallest deviation that counts, in the series' own unit. A flat history has MAD 0, and without a floor
   * every wobble of a constant series (0 errors, then 1) would be flagged.
   */
  readonly minDeviation: number;
}

export const DEFAULT_ANOMALY_RULE: AnomalyRule = { window: 12, threshold: 3, minHistory: 5, minDeviation: 0 };

/** MAD to standard deviation for normally distributed data. */
const MAD_SCALE = 1.4826;

export interface Anomaly {
  readonly index: number;
  readonly value: number;
  readonly median: number;
  /** Signed distance from the median in scaled MADs; null when the history was flat (MAD 0). */
  readonly score: number | null;
  readonly kind: 'spike' | 'drop';
}

export class AnomalyRuleError extends Error {
  override readonly name = 'AnomalyRuleError';
}

function checkRule(rule: AnomalyRule): void {
  if (!Number.isInteger(rule.window) || rule.window < 2) {
    throw new AnomalyRuleError(`anomaly rule window is ${rule.window}; it must be a whole number of at least 2`);
  }
  if (!Number.isInteger(rule.minHistory) || rule.minHistory < 2 || rule.minHistory > rule.window) {
    throw new AnomalyRuleError(`anomaly rule minHistory is ${rule.minHistory}; it must be from 2 to the window`);
  }
  if (!(rule.threshold > 0)) throw new AnomalyRuleError(`anomaly rule threshold is ${rule.threshold}; it must be > 0`);
  if (!(rule.minDeviation >= 0)) {
    throw new AnomalyRuleError(`anomaly rule minDeviation is ${rule.minDeviation}; it must be >= 0`);
  }
}

/**
 * The anomalous points of `values`, in order. Null and non-finite points are gaps: never flagged, never part of
 * a reference. An anomaly stays in the reference of later points, which the median tolerates.
 */
export function findAnomalies(values: readonly (number | null)[], rule: AnomalyRule = DEFAULT_ANOMALY_RULE): Anomaly[] {
  checkRule(rule);
  const anomalies: Anomaly[] = [];
  const history: number[] = [];
  values.forEach((value, index) => {
    if (value === null || !Number.isFinite(value)) return;
    if (history.length >= rule.minHistory) {
      const reference = history.slice(-rule.window);
      const center = median(reference);
      const spread = MAD_SCALE * medianAbsoluteDeviation(reference);
      const deviation = value - center;
      const far = spread > 0 ? Math.abs(deviation) > rule.threshold * spread : deviation !== 0;
      if (far && Math.abs(deviation) > rule.minDeviation) {
        anomalies.push({
          index,
          value,
          median: center,
          score: spread > 0 ? deviation / spread : null,
          kind: deviation > 0 ? 'spike' : 'drop',
        });
      }
    }
    history.push(value);
  });
  return anomalies;
}
