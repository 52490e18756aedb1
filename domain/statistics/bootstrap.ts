/** Seeded percentile bootstrap confidence intervals over paired observations. */
import { quantileSorted } from './binning.js';
import type { BinaryLabel } from './classification.js';
import { createRandom } from './random.js';

export interface BootstrapOptions {
  readonly resamples?: number;
  readonly confidence?: number;
  readonly seed: number;
}

export interface BootstrapInterval {
  readonly low: number;
  readonly high: number;
  readonly resamples: number;
}

/**
 * Percentile interval of `statistic` over `resamples` resamples of the n row indices drawn with replacement.
 * The percentile method is simple and adequate for F1 at a few hundred labels; it under-covers when the
 * statistic is strongly skewed at very small n (tens of labels), where BCa would do better and is not built.
 */
export function bootstrapInterval(
  n: number,
  statistic: (indices: Uint32Array) => number,
  { resamples = 1000, confidence = 0.95, seed }: BootstrapOptions,
): BootstrapInterval {
  if (!(n > 0)) throw new RangeError('bootstrapInterval: needs at least one observation');
  if (!(confidence > 0 && confidence < 1))
    throw new RangeError(`bootstrapInterval: confidence ${confidence} not in (0, 1)`);
  if (!(resamples >= 1)) throw new RangeError(`bootstrapInterval: resamples ${resamples} must be >= 1`);
  const random = createRandom(seed);
  const indices = new Uint32Array(n);
  const stats = new Float64Array(resamples);
  for (let r = 0; r < resamples; r++) {
    for (let i = 0; i < n; i++) indices[i] = random.int(n);
    stats[r] = statistic(indices);
  }
  stats.sort();
  const tail = (1 - confidence) / 2;
  return { low: quantileSorted(stats, tail), high: quantileSorted(stats, 1 - tail), resamples };
}

export function bootstrapF1Interval(
  actual: readonly BinaryLabel[],
  predicted: readonly BinaryLabel[],
  opts: BootstrapOptions,
): BootstrapInterval {
  if (actual.length !== predicted.length) {
    throw new RangeError(`bootstrapF1Interval: ${actual.length} labels but ${predicted.length} predictions`);
  }
  return bootstrapInterval(
    actual.length,
    (idx) => {
      let tp = 0;
      let fp = 0;
      let fn = 0;
      for (let k = 0; k < idx.length; k++) {
        const i = idx[k]!;
        const a = actual[i];
        const p = predicted[i];
        if (p === 1) {
          if (a === 1) tp++;
          else fp++;
        } else if (a === 1) fn++;
      }
      // 2tp / (2tp + fp + fn) equals 2PR/(P+R), and is 0 when undefined, as in classificationMetrics.
      return tp === 0 ? 0 : (2 * tp) / (2 * tp + fp + fn);
    },
    opts,
  );
}
