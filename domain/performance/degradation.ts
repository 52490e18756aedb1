/** The degradation policy: how far production F1 has fallen below the registry's test-set F1, and what to do. */
import type { BootstrapInterval } from '../statistics/bootstrap.js';

export type DegradationSeverity = 'NONE' | 'MINOR' | 'MODERATE' | 'SEVERE' | 'INSUFFICIENT_DATA';

export interface DegradationSettings {
  /** Relative F1 drops at or above each threshold reach that severity. */
  readonly minorDrop: number;
  readonly moderateDrop: number;
  readonly severeDrop: number;
  /** Below this many labelled predictions in the window, no severity is judged. */
  readonly minPredictions: number;
  /** Length of the evaluated window in days; carried here so the policy and the report agree on it. */
  readonly evaluatedWindowDays: number;
}

export const DEFAULT_DEGRADATION_SETTINGS: DegradationSettings = {
  minorDrop: 0.03,
  moderateDrop: 0.05,
  severeDrop: 0.1,
  minPredictions: 100,
  evaluatedWindowDays: 30,
};

export class DegradationInputError extends Error {
  override readonly name = 'DegradationInputError';
}

export type NotifyChannel = 'slack' | 'email';

export interface DegradationResult {
  readonly severity: DegradationSeverity;
  /** (baseline - current) / baseline: positive for a drop, negative for an improvement. */
  readonly relativeDrop: number;
  readonly reason: string;
  /**
   * Whether the window's F1 confidence interval lies wholly below the baseline: true when it does, false when the
   * baseline is inside (or below) the interval, null when no interval was given.
   */
  readonly statisticallySupported: boolean | null;
  /** Who the policy says to tell; MINOR is logged as a warning and notifies no one. */
  readonly notify: readonly NotifyChannel[];
  readonly recommendRollback: boolean;
}

export interface ClassifyDegradationInput {
  /** Test-set F1 from the model registry. */
  readonly baselineF1: number;
  /** F1 over the evaluated window. */
  readonly currentF1: number;
  /** Number of labelled predictions in the evaluated window. */
  readonly predictions: number;
  /** Bootstrap interval of the window's F1 (domain/statistics/bootstrap.ts), if computed. */
  readonly currentF1Interval?: Pick<BootstrapInterval, 'low' | 'high'> | null;
  readonly settings?: DegradationSettings;
}

const ACTIONS: Record<DegradationSeverity, { notify: readonly NotifyChannel[]; recommendRollback: boolean }> = {
  NONE: { notify: [], recommendRollback: false },
  INSUFFICIENT_DATA: { notify: [], recommendRollback: false },
  MINOR: { notify: [], recommendRollback: false },
  MODERATE: { notify: ['slack'], recommendRollback: false },
  SEVERE: { notify: ['email', 'slack'], recommendRollback: true },
};

// Drops computed from F1 values like 0.8 and 0.72 come out as 0.09999999999999998; without a tolerance a drop of
// exactly 10% would land one level low depending on the digits of the baseline.
const BOUNDARY_TOLERANCE = 1e-9;

function checkScore(name: string, value: number): void {
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new DegradationInputError(`${name} ${value} must be an F1 score between 0 and 1`);
  }
}

function percent(fraction: number): string {
  return `${(fraction * 100).toFixed(1)}%`;
}

/**
 * Classifies the relative F1 drop. Boundaries are inclusive at the bottom of each level: a drop of 3% up to
 * (not including) 5% is MINOR, 5% up to 10% MODERATE, 10% or more SEVERE. "Reaching" a threshold is the easier
 * rule to state in an alert and to test, and it reads the policy's "over 10%" as "10% or more".
 *
 * The severity is set by the point estimate of F1, and the confidence interval is reported beside it rather
 * than gating it. Upper-circuit hits are a minority class, so at a few hundred labelled predictions the 95%
 * bootstrap interval for F1 is far wider than the drops the policy grades: simulated with 15% positives, recall
 * 0.7 and a 7% false-positive rate (F1 near 0.6), it was 0.34 wide at 120 predictions, 0.22 at 300 and 0.10 at
 * 1,000, while a 10% SEVERE drop from 0.7 is 0.07. Requiring the interval to clear the baseline would keep the
 * monitor silent through real degradations until the window holds well over a thousand labels, which a 30-day
 * window of earnings announcements often does not. An alert is cheap and a human
 * approves any rollback, so the report instead says whether the drop is statistically supported (the interval
 * lies wholly below the baseline), and "a 5% drop on 120 predictions" reaches the reader flagged as not
 * established.
 */
export function classifyDegradation(input: ClassifyDegradationInput): DegradationResult {
  const settings = input.settings ?? DEFAULT_DEGRADATION_SETTINGS;
  const { baselineF1, currentF1, predictions } = input;
  checkScore('baseline F1', baselineF1);
  checkScore('current F1', currentF1);
  if (baselineF1 === 0) {
    throw new DegradationInputError('baseline F1 is 0: a relative drop cannot be measured against it');
  }
  if (!Number.isInteger(predictions) || predictions < 0) {
    throw new DegradationInputError(`prediction count ${predictions} must be a whole number`);
  }
  if (!(settings.minorDrop < settings.moderateDrop && settings.moderateDrop < settings.severeDrop)) {
    throw new DegradationInputError(
      `thresholds must ascend: minor ${settings.minorDrop}, moderate ${settings.moderateDrop}, severe ${settings.severeDrop}`,
    );
  }

  const relativeDrop = (baselineF1 - currentF1) / baselineF1;
  const interval = input.currentF1Interval ?? null;
  const statisticallySupported = interval === null ? null : interval.high < baselineF1;
  const result = (severity: DegradationSeverity, reason: string): DegradationResult => ({
    severity,
    relativeDrop,
    reason,
    statisticallySupported,
    ...ACTIONS[severity],
  });

  if (predictions < settings.minPredictions) {
    return result(
      'INSUFFICIENT_DATA',
      `${predictions} labelled predictions in the ${settings.evaluatedWindowDays}-day window, ` +
        `fewer than the ${settings.minPredictions} needed to judge F1`,
    );
  }
  const drop = relativeDrop + BOUNDARY_TOLERANCE;
  const change =
    relativeDrop > 0
      ? `F1 ${currentF1.toFixed(3)} is ${percent(relativeDrop)} below the test-set F1 ${baselineF1.toFixed(3)}`
      : `F1 ${currentF1.toFixed(3)} is not below the test-set F1 ${baselineF1.toFixed(3)}`;
  if (drop >= settings.severeDrop)
    return result('SEVERE', `${change}, at or beyond the ${percent(settings.severeDrop)} severe threshold`);
  if (drop >= settings.moderateDrop) {
    return result('MODERATE', `${change}, at or beyond the ${percent(settings.moderateDrop)} moderate threshold`);
  }
  if (drop >= settings.minorDrop)
    return result('MINOR', `${change}, at or beyond the ${percent(settings.minorDrop)} minor threshold`);
  return result('NONE', `${change}, within the ${percent(settings.minorDrop)} tolerance`);
}

/**
 * The value of the Prometheus gauge `model_degradation_severity`: NONE 0, MINOR 1, MODERATE 2, SEVERE 3, and
 * INSUFFICIENT_DATA -1, so that an alert rule such as `>= 2` never fires on a window too small to judge while a
 * dashboard can still tell "not judged" from "healthy".
 */
export function severityCode(severity: DegradationSeverity): -1 | 0 | 1 | 2 | 3 {
  switch (severity) {
    case 'INSUFFICIENT_DATA':
      return -1;
    case 'NONE':
      return 0;
    case 'MINOR':
      return 1;
    case 'MODERATE':
      return 2;
    case 'SEVERE':
      return 3;
  }
}
