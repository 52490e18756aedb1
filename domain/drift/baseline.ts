/**
 * A feature's training distribution as the drift stage needs it: bins for PSI and the chi-square test,
 * summary statistics for the report and the range check, and a sorted reference sample for the KS test.
 * Plain JSON (numbers and arrays) because it is stored in Postgres and passed through Temporal.
 */
import { FEATURES, type FeatureGroup, type FeatureName } from '../features.js';
import {
  countIntoBins,
  countsWithOverflow,
  decileEdgesSorted,
  equalWidthEdges,
  quantileSorted,
  type BinningScheme,
} from '../statistics/binning.js';

export interface FeatureBaseline {
  readonly feature: FeatureName;
  readonly group: FeatureGroup;
  /** 'summary' when the training values have fewer than two distinct values: no bins can be learnt. */
  readonly distributionType: 'histogram' | 'summary';
  readonly binScheme: BinningScheme;
  /** decile: the inner edges (outer bins open); equal_width: all bins + 1 edges from min to max. */
  readonly binEdges: number[];
  /**
   * Training counts per bin, aligned with the production counts the policy computes: decile gives
   * binEdges.length + 1 bins; equal_width gives [below min, ...inside bins, above max], outer two 0 here.
   */
  readonly binCounts: number[];
  readonly mean: number;
  readonly std: number;
  readonly min: number;
  readonly max: number;
  readonly percentiles: { p5: number; p25: number; p50: number; p75: number; p95: number };
  /** Finite training values. */
  readonly sampleSize: number;
  /** Training values that were null, NaN or infinite. */
  readonly missingCount: number;
  /** Sorted finite training values, or an evenly spaced quantile grid of them when there are more than the cap. */
  readonly referenceSample: number[];
  readonly referenceIsQuantileGrid: boolean;
}

export interface BuildBaselineOptions {
  readonly binScheme?: BinningScheme;
  /** Equal-width bin count (decile always has up to 10 bins). */
  readonly bins?: number;
  /**
   * Most values kept in referenceSample. Above it a grid of `cap` quantiles is kept instead: the grid's ECDF
   * is within 1/cap of the full sample's everywhere, so the KS statistic moves by at most 1/cap (5e-5 at the
   * default 20,000), and the KS p-value, computed as if the baseline had `cap` values, is slightly
   * conservative; with production windows of a few thousand rows the effective size n*m/(n+m) changes by
   * under 15%, which matters only for p-values already far below any alpha.
   */
  readonly maxReferenceSample?: number;
}

export class BaselineInputError extends Error {
  override readonly name = 'BaselineInputError';
}

export const DEFAULT_MAX_REFERENCE_SAMPLE = 20_000;

export function buildFeatureBaseline(
  feature: FeatureName,
  values: readonly (number | null)[],
  opts: BuildBaselineOptions = {},
): FeatureBaseline {
  const spec = FEATURES.find((f) => f.name === feature);
  if (!spec) throw new BaselineInputError(`buildFeatureBaseline: unknown feature '${String(feature)}'`);
  const binScheme = opts.binScheme ?? 'decile';
  const cap = opts.maxReferenceSample ?? DEFAULT_MAX_REFERENCE_SAMPLE;
  if (!(Number.isInteger(cap) && cap >= 2))
    throw new BaselineInputError(`buildFeatureBaseline: maxReferenceSample ${cap} must be an integer >= 2`);

  const finite: number[] = [];
  let missingCount = 0;
  for (const v of values) {
    if (v === null || !Number.isFinite(v)) missingCount++;
    else finite.push(v);
  }
  if (finite.length === 0) {
    throw new BaselineInputError(
      `buildFeatureBaseline: feature ${feature} has no finite training values (${missingCount} missing or non-finite)`,
    );
  }
  const sorted = Float64Array.from(finite).sort();
  const n = sorted.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += sorted[i]!;
  const mean = sum / n;
  let ss = 0;
  for (let i = 0; i < n; i++) ss += (sorted[i]! - mean) ** 2;
  // Sample standard deviation (n - 1), the usual description of a training distribution.
  const std = n > 1 ? Math.sqrt(ss / (n - 1)) : 0;
  const min = sorted[0]!;
  const max = sorted[n - 1]!;
  const distributionType = min === max ? 'summary' : 'histogram';

  const binEdges = binScheme === 'decile' ? decileEdgesSorted(sorted) : equalWidthEdges(sorted, opts.bins ?? 10);
  const binCounts = countsWithOverflow(countIntoBins(sorted, binEdges, binScheme), binScheme);

  let referenceSample: number[];
  let referenceIsQuantileGrid = false;
  if (n <= cap) referenceSample = Array.from(sorted);
  else {
    referenceIsQuantileGrid = true;
    referenceSample = new Array<number>(cap);
    // Midpoint plotting positions (i + 0.5) / cap: the grid ECDF then stays within 1/cap of the sample ECDF.
    for (let i = 0; i < cap; i++) referenceSample[i] = quantileSorted(sorted, (i + 0.5) / cap);
  }

  return {
    feature,
    group: spec.group,
    distributionType,
    binScheme,
    binEdges,
    binCounts,
    mean,
    std,
    min,
    max,
    percentiles: {
      p5: quantileSorted(sorted, 0.05),
      p25: quantileSorted(sorted, 0.25),
      p50: quantileSorted(sorted, 0.5),
      p75: quantileSorted(sorted, 0.75),
      p95: quantileSorted(sorted, 0.95),
    },
    sampleSize: n,
    missingCount,
    referenceSample,
    referenceIsQuantileGrid,
  };
}
