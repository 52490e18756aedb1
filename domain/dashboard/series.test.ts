import { describe, expect, it } from 'vitest';
import { binApiSamples, histogramQuantile, increaseOver, psiMatrix, type MetricSample } from './series.js';

const BOUNDS = [0.01, 0.05, 0.1, 0.5, 1, 5];

function sample(at: number, perBucket: readonly number[], errors = 0): MetricSample {
  let running = 0;
  const buckets = [...perBucket, 0].map((n) => (running += n));
  return { at, buckets, count: running, sum: 0, requests: running, errors };
}

describe('histogramQuantile', () => {
  it('interpolates inside the bucket the rank falls in, as Prometheus does', () => {
    // 100 requests: 50 under 10 ms, 50 between 10 and 50 ms.
    expect(histogramQuantile(0.5, BOUNDS, [50, 100, 100, 100, 100, 100, 100])).toBeCloseTo(0.01, 12);
    expect(histogramQuantile(0.75, BOUNDS, [50, 100, 100, 100, 100, 100, 100])).toBeCloseTo(0.03, 12);
  });

  it('reports the largest finite bound for a quantile in the +Inf bucket, and null for no requests', () => {
    expect(histogramQuantile(0.99, BOUNDS, [0, 0, 0, 0, 0, 0, 10])).toBe(5);
    expect(histogramQuantile(0.5, BOUNDS, [0, 0, 0, 0, 0, 0, 0])).toBeNull();
  });
});

describe('binApiSamples', () => {
  it('bins the traffic between consecutive samples by the later sample and computes rates and quantiles', () => {
    const samples = [
      sample(0, [0, 0, 0, 0, 0, 0]),
      sample(60_000, [10, 0, 0, 0, 0, 0], 1),
      sample(120_000, [10, 10, 0, 0, 0, 0], 1),
      sample(180_000, [10, 10, 0, 0, 0, 0], 3),
    ];
    const points = binApiSamples(samples, BOUNDS, { start: 0, end: 200_000 }, 120_000);
    expect(points).toEqual([
      {
        at: 0,
        requests: 10,
        errors: 1,
        errorRate: 0.1,
        p50: 0.005,
        p95: 0.0095,
        p99: expect.closeTo(0.0099, 12) as number,
      },
      {
        at: 120_000,
        requests: 10,
        errors: 2,
        errorRate: 0.2,
        p50: 0.03,
        p95: 0.048,
        p99: expect.closeTo(0.0496, 12) as number,
      },
    ]);
  });

  it('treats falling counters as a restart: the later sample is the whole delta', () => {
    const samples = [sample(0, [50, 0, 0, 0, 0, 0]), sample(60_000, [5, 0, 0, 0, 0, 0])];
    expect(binApiSamples(samples, BOUNDS, { start: 0, end: 120_000 }, 60_000)[0]?.requests).toBe(5);
  });
});

describe('increaseOver', () => {
  it('sums the traffic of a period and returns null when the samples start after it', () => {
    const samples = [
      sample(0, [0, 0, 0, 0, 0, 0]),
      sample(10, [4, 0, 0, 0, 0, 0], 1),
      sample(20, [9, 0, 0, 0, 0, 0], 1),
    ];
    expect(increaseOver(samples, { start: 0, end: 20 })).toEqual({ requests: 9, errors: 1 });
    expect(increaseOver(samples, { start: 10, end: 20 })).toEqual({ requests: 5, errors: 0 });
    expect(increaseOver(samples, { start: -10, end: 0 })).toBeNull();
  });
});

describe('psiMatrix', () => {
  it('lays PSI out as features by ascending dates, in catalog order, with gaps as null', () => {
    const m = psiMatrix(
      [
        { date: '2025-11-02', feature: 'roe', psi: 0.3 },
        { date: '2025-11-01', feature: 'rsi_14', psi: 0.05 },
        { date: '2025-11-01', feature: 'roe', psi: Number.NaN },
      ],
      ['rsi_14', 'pe_ratio', 'roe'],
    );
    expect(m).toEqual({
      dates: ['2025-11-01', '2025-11-02'],
      features: ['rsi_14', 'roe'],
      values: [
        [0.05, null],
        [null, 0.3],
      ],
    });
  });
});
