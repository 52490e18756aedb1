/**
 * Bounded memory of the API's metric samples: a fine ring (every sample, for the last day) and a coarse ring (the
 * first sample of each coarse step, for the long ranges). Samples are cumulative, so keeping one per hour loses no
 * traffic, only resolution. The caller supplies the timestamps; nothing here reads a clock.
 */
import type { MetricSample } from './series.js';

export interface SampleStoreLimits {
  /** Samples kept at full resolution. 1,440 is a day of per-minute samples. */
  readonly fineCapacity: number;
  /** Coarse samples kept. 2,160 is 90 days of hourly ones. */
  readonly coarseCapacity: number;
  readonly coarseStepMs: number;
}

export const DEFAULT_SAMPLE_LIMITS: SampleStoreLimits = {
  fineCapacity: 1_440,
  coarseCapacity: 2_160,
  coarseStepMs: 3_600_000,
};

export class SampleStore {
  private readonly fineRing: MetricSample[] = [];
  private readonly coarseRing: MetricSample[] = [];

  constructor(private readonly limits: SampleStoreLimits = DEFAULT_SAMPLE_LIMITS) {}

  /** Samples must arrive in time order; an older one than the last is ignored (a clock stepping back). */
  add(sample: MetricSample): void {
    const last = this.fineRing[this.fineRing.length - 1];
    if (last && sample.at <= last.at) return;
    this.fineRing.push(sample);
    if (this.fineRing.length > this.limits.fineCapacity) this.fineRing.shift();
    const lastCoarse = this.coarseRing[this.coarseRing.length - 1];
    const step = this.limits.coarseStepMs;
    if (!lastCoarse || Math.floor(lastCoarse.at / step) !== Math.floor(sample.at / step)) {
      this.coarseRing.push(sample);
      if (this.coarseRing.length > this.limits.coarseCapacity) this.coarseRing.shift();
    }
  }

  /** Coarse samples older than the fine ring, then the fine ring: one time-ordered cumulative series. */
  samples(): MetricSample[] {
    const firstFine = this.fineRing[0];
    if (!firstFine) return [...this.coarseRing];
    return [...this.coarseRing.filter((s) => s.at < firstFine.at), ...this.fineRing];
  }

  get size(): { readonly fine: number; readonly coarse: number } {
    return { fine: this.fineRing.length, coarse: this.coarseRing.length };
  }
}
