/**
 * Which request lines to write when only a share of successful requests is logged. Errors and slow requests are
 * always written; the rest at `rate`, spread evenly by a credit counter rather than a coin, so 1% is exactly every
 * hundredth request, the first one included, and a test can say which lines exist.
 */
/** The p95 latency alert's threshold: a request this slow is always worth its line. */
export const DEFAULT_SLOW_REQUEST_MS = 150;

export class RequestLineSampler {
  readonly rate: number;
  readonly slowMs: number;
  #credit: number;

  constructor(rate: number, slowMs: number) {
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`request line sample rate must be from 0 to 1, got ${rate}`);
    if (!(slowMs >= 0)) throw new RangeError(`slow request threshold must be 0 ms or more, got ${slowMs}`);
    this.rate = rate;
    this.slowMs = slowMs;
    // One rate short of a whole line, so the first successful request after start is written (none at rate 0).
    this.#credit = rate > 0 ? 1 - rate : 0;
  }

  /** 'always' for errors, slow requests and rate 1; 'sampled' for a success chosen by the rate; 'skip' otherwise. */
  decide(statusCode: number, durationMs: number): 'always' | 'sampled' | 'skip' {
    if (this.rate >= 1 || statusCode >= 400 || durationMs >= this.slowMs) return 'always';
    this.#credit += this.rate;
    // The tolerance absorbs float drift: a hundred additions of 0.01 come to 0.9999999999999999.
    if (this.#credit < 1 - 1e-9) return 'skip';
    this.#credit -= 1;
    return 'sampled';
  }
}
