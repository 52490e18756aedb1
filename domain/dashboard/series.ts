/**
 * Shaping the API's sampled metrics and the daily history into chart series. A metric sample holds cumulative
 * values since the process started (histogram buckets, request and error counts), so any two samples give the
 * traffic between them, and downsampling is keeping one sample per coarse step.
 */

export interface MetricSample {
  /** Epoch milliseconds. */
  readonly at: number;
  /** Cumulative request counts at or below each upper bound of `bounds`, then the +Inf bucket (== count). */
  readonly buckets: readonly number[];
  readonly count: number;
  /** Seconds, summed over every request. */
  readonly sum: number;
  readonly requests: number;
  readonly errors: number;
}

export interface ApiPoint {
  /** Start of the bin, epoch milliseconds. */
  readonly at: number;
  readonly requests: number;
  readonly errors: number;
  /** errors / requests; null for a bin without requests. */
  readonly errorRate: number | null;
  /** Seconds; null for a bin without requests. */
  readonly p50: number | null;
  readonly p95: number | null;
  readonly p99: number | null;
}

/**
 * The q-quantile of a histogram from cumulative bucket counts, interpolated linearly inside its bucket, the way
 * Prometheus' histogram_quantile does. With the API's coarse buckets the answer is only as precise as the bucket it
 * lands in; a quantile in the +Inf bucket is reported as the largest finite bound, a floor on the truth.
 */
export function histogramQuantile(q: number, bounds: readonly number[], cumulative: readonly number[]): number | null {
  const total = cumulative[cumulative.length - 1] ?? 0;
  if (!(total > 0)) return null;
  const rank = q * total;
  for (let i = 0; i < bounds.length; i += 1) {
    const upTo = cumulative[i] ?? 0;
    if (upTo >= rank) {
      const lower = i === 0 ? 0 : (bounds[i - 1] ?? 0);
      const below = i === 0 ? 0 : (cumulative[i - 1] ?? 0);
      const inBucket = upTo - below;
      const upper = bounds[i] ?? lower;
      return inBucket > 0 ? lower + ((upper - lower) * (rank - below)) / inBucket : upper;
    }
  }
  return bounds[bounds.length - 1] ?? null;
}

interface Delta {
  readonly at: number;
  readonly buckets: number[];
  readonly requests: number;
  readonly errors: number;
}

/** What happened between two samples; a decrease means the counters restarted, so the later values are the delta. */
function between(earlier: MetricSample, later: MetricSample): Delta {
  const reset = later.requests < earlier.requests || later.count < earlier.count || later.errors < earlier.errors;
  const base = reset ? null : earlier;
  return {
    at: later.at,
    buckets: later.buckets.map((b, i) => b - (base?.buckets[i] ?? 0)),
    requests: later.requests - (base?.requests ?? 0),
    errors: later.errors - (base?.errors ?? 0),
  };
}

/**
 * The traffic of [start, end) in bins of `stepMs`, each bin holding the deltas of the sample pairs whose later
 * sample falls in it. Bins without any sample pair are left out, so a chart shows a gap where the process was down.
 */
export function binApiSamples(
  samples: readonly MetricSample[],
  bounds: readonly number[],
  period: { readonly start: number; readonly end: number },
  stepMs: number,
): ApiPoint[] {
  const bins = new Map<number, { buckets: number[]; requests: number; errors: number }>();
  for (let i = 1; i < samples.length; i += 1) {
    const earlier = samples[i - 1];
    const later = samples[i];
    if (!earlier || !later || later.at < period.start || later.at >= period.end) continue;
    const d = between(earlier, later);
    const key = Math.floor(later.at / stepMs) * stepMs;
    const bin = bins.get(key) ?? { buckets: d.buckets.map(() => 0), requests: 0, errors: 0 };
    d.buckets.forEach((b, j) => {
      bin.buckets[j] = (bin.buckets[j] ?? 0) + b;
    });
    bin.requests += d.requests;
    bin.errors += d.errors;
    bins.set(key, bin);
  }
  return [...bins.entries()]
    .sort((a, b) => a[0] - b[0])
    .map(([at, bin]) => ({
      at,
      requests: bin.requests,
      errors: bin.errors,
      errorRate: bin.requests > 0 ? bin.errors / bin.requests : null,
      p50: histogramQuantile(0.5, bounds, bin.buckets),
      p95: histogramQuantile(0.95, bounds, bin.buckets),
      p99: histogramQuantile(0.99, bounds, bin.buckets),
    }));
}

/**
 * Requests and errors counted in [start, end): the last sample before `end` minus the last sample before `start`.
 * Null when the samples do not reach back to `start` (the process started later), because a partial period would
 * read as a drop in traffic.
 */
export function increaseOver(
  samples: readonly MetricSample[],
  period: { readonly start: number; readonly end: number },
): { readonly requests: number; readonly errors: number } | null {
  const first = samples[0];
  if (!first || first.at > period.start) return null;
  let requests = 0;
  let errors = 0;
  for (let i = 1; i < samples.length; i += 1) {
    const earlier = samples[i - 1];
    const later = samples[i];
    if (!earlier || !later || later.at <= period.start || later.at > period.end) continue;
    const d = between(earlier, later);
    requests += d.requests;
    errors += d.errors;
  }
  return { requests, errors };
}

export interface PsiCell {
  readonly date: string;
  readonly feature: string;
  readonly psi: number | null;
}

export interface PsiMatrix {
  readonly dates: string[];
  readonly features: string[];
  /** values[f][d]: PSI of features[f] on dates[d]; null where the run skipped the feature or had no row. */
  readonly values: (number | null)[][];
}

/** Features in the catalog's order (those without rows are dropped), dates ascending. */
export function psiMatrix(cells: readonly PsiCell[], featureOrder: readonly string[]): PsiMatrix {
  const dates = [...new Set(cells.map((c) => c.date))].sort();
  const present = new Set(cells.map((c) => c.feature));
  const extra = [...present].filter((f) => !featureOrder.includes(f)).sort();
  const features = [...featureOrder.filter((f) => present.has(f)), ...extra];
  const dateIndex = new Map(dates.map((d, i) => [d, i]));
  const featureIndex = new Map(features.map((f, i) => [f, i]));
  const values = features.map(() => dates.map((): number | null => null));
  for (const c of cells) {
    const row = values[featureIndex.get(c.feature) ?? -1];
    const d = dateIndex.get(c.date);
    if (row && d !== undefined) row[d] = c.psi !== null && Number.isFinite(c.psi) ? c.psi : null;
  }
  return { dates, features, values };
}
