/**
 * Bin edges learnt from a training baseline and the counting of values into them, matching numpy: decile
 * edges are numpy.quantile(baseline, 0.1..0.9) (linear method) with open outer bins; equal-width edges are
 * numpy.histogram's. Counting is a binary search per value over typed arrays, O(n log bins).
 */

export type BinningScheme = 'decile' | 'equal_width';

export interface BinCounts {
  /** decile: edges.length + 1 bins, all values counted; equal_width: edges.length - 1 bins inside the range. */
  readonly counts: number[];
  /** Values below the first equal-width edge (always 0 for decile, whose outer bins are open). */
  readonly below: number;
  /** Values above the last equal-width edge (always 0 for decile). */
  readonly above: number;
}

export class BinningInputError extends Error {
  override readonly name = 'BinningInputError';
}

type Values = readonly number[] | Float64Array;

function sortedFinite(values: Values, what: string): Float64Array {
  const out = Float64Array.from(values).sort();
  if (out.length === 0) throw new BinningInputError(`${what}: the baseline has no values`);
  for (let i = 0; i < out.length; i++) {
    if (!Number.isFinite(out[i]!)) throw new BinningInputError(`${what}: baseline value ${out[i]} is not finite`);
  }
  return out;
}

/**
 * numpy's 'linear' quantile of an ascending array, including its two-sided lerp (b - (b - a) * (1 - t) for
 * t >= 0.5), so that edges match numpy bit for bit and values lying exactly on an edge are counted alike.
 */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const n = sorted.length;
  if (n === 0) return Number.NaN;
  const virtual = n * q - q;
  const lo = Math.floor(virtual);
  if (lo < 0) return sorted[0]!;
  if (lo >= n - 1) return sorted[n - 1]!;
  const t = virtual - lo;
  const a = sorted[lo]!;
  const b = sorted[lo + 1]!;
  const diff = b - a;
  return t >= 0.5 ? b - diff * (1 - t) : a + diff * t;
}

const DECILES = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9];

/** Inner decile edges of the baseline, duplicates removed (a heavy tie collapses bins rather than emptying them). */
export function decileEdges(baseline: Values): number[] {
  return decileEdgesSorted(sortedFinite(baseline, 'decileEdges'));
}

export function decileEdgesSorted(sorted: ArrayLike<number>): number[] {
  const edges: number[] = [];
  for (const q of DECILES) {
    const e = quantileSorted(sorted, q);
    if (edges.length === 0 || e !== edges[edges.length - 1]) edges.push(e);
  }
  return edges;
}

/** numpy.histogram(baseline, bins) edges: linspace(min, max, bins + 1), widened by 0.5 when min == max. */
export function equalWidthEdges(baseline: Values, bins = 10): number[] {
  if (!Number.isInteger(bins) || bins < 1)
    throw new BinningInputError(`equalWidthEdges: bins must be >= 1, got ${bins}`);
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < baseline.length; i++) {
    const v = baseline[i]!;
    if (!Number.isFinite(v)) throw new BinningInputError(`equalWidthEdges: baseline value ${v} is not finite`);
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (baseline.length === 0) throw new BinningInputError('equalWidthEdges: the baseline has no values');
  if (min === max) {
    min -= 0.5;
    max += 0.5;
  }
  const step = (max - min) / bins;
  const edges = new Array<number>(bins + 1);
  for (let i = 0; i < bins; i++) edges[i] = i * step + min;
  edges[bins] = max;
  return edges;
}

/** Index of the first edge greater than v (numpy searchsorted side='right'). */
function upperBound(edges: Float64Array, v: number): number {
  let lo = 0;
  let hi = edges.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (edges[mid]! <= v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/**
 * Counts values into bins. A value equal to an edge goes to the bin on its right, except the last
 * equal-width edge, which closes the last bin (as numpy.histogram does). Non-finite values must be removed
 * by the caller: they are data-quality findings, not bin members.
 */
export function countIntoBins(values: Values, edges: readonly number[], scheme: BinningScheme): BinCounts {
  const e = Float64Array.from(edges);
  for (let i = 0; i < values.length; i++) {
    if (Number.isNaN(values[i]!)) throw new BinningInputError(`countIntoBins: value at index ${i} is NaN`);
  }
  if (scheme === 'decile') {
    const counts = new Float64Array(e.length + 1);
    for (let i = 0; i < values.length; i++) counts[upperBound(e, values[i]!)]! += 1;
    return { counts: Array.from(counts), below: 0, above: 0 };
  }
  if (e.length < 2) throw new BinningInputError('countIntoBins: equal-width binning needs at least two edges');
  const bins = e.length - 1;
  const first = e[0]!;
  const last = e[bins]!;
  const counts = new Float64Array(bins);
  let below = 0;
  let above = 0;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v < first) below++;
    else if (v > last) above++;
    else if (v === last) counts[bins - 1]! += 1;
    else counts[upperBound(e, v) - 1]! += 1;
  }
  return { counts: Array.from(counts), below, above };
}

/**
 * Equal-width counts as a full vector [below, ...inside, above], so PSI and the chi-square test see values
 * that fell outside the training range instead of silently losing them.
 */
export function countsWithOverflow(c: BinCounts, scheme: BinningScheme): number[] {
  return scheme === 'decile' ? c.counts : [c.below, ...c.counts, c.above];
}
