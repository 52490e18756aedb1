import { describe, expect, it } from 'vitest';
import { bootstrapF1Interval, bootstrapInterval } from './bootstrap.js';
import { classificationMetrics, type BinaryLabel } from './classification.js';
import { createRandom } from './random.js';

function sample(n: number, seed: number): { actual: BinaryLabel[]; predicted: BinaryLabel[] } {
  const r = createRandom(seed);
  const actual: BinaryLabel[] = [];
  const predicted: BinaryLabel[] = [];
  for (let i = 0; i < n; i++) {
    const a: BinaryLabel = r.next() < 0.3 ? 1 : 0;
    actual.push(a);
    predicted.push(r.next() < 0.8 ? a : a === 1 ? 0 : 1);
  }
  return { actual, predicted };
}

describe('bootstrap intervals', () => {
  it('gives the same F1 interval for the same seed and brackets the observed F1', () => {
    const { actual, predicted } = sample(400, 1);
    const a = bootstrapF1Interval(actual, predicted, { seed: 42 });
    const b = bootstrapF1Interval(actual, predicted, { seed: 42 });
    expect(a).toEqual(b);
    expect(a.resamples).toBe(1000);
    const f1 = classificationMetrics(actual, predicted).f1;
    expect(a.low).toBeLessThan(f1);
    expect(a.high).toBeGreaterThan(f1);
    expect(a.high - a.low).toBeLessThan(0.2);
  });

  it('narrows as the confidence level drops', () => {
    const { actual, predicted } = sample(300, 2);
    const wide = bootstrapF1Interval(actual, predicted, { seed: 3, confidence: 0.99 });
    const narrow = bootstrapF1Interval(actual, predicted, { seed: 3, confidence: 0.5 });
    expect(narrow.high - narrow.low).toBeLessThan(wide.high - wide.low);
  });

  it('covers the true mean of a normal sample at roughly the nominal rate', () => {
    const r = createRandom(9);
    let covered = 0;
    for (let t = 0; t < 100; t++) {
      const xs = Float64Array.from({ length: 60 }, () => r.normal(0, 1));
      const ci = bootstrapInterval(xs.length, (idx) => idx.reduce((s, i) => s + xs[i]!, 0) / idx.length, {
        seed: t,
        resamples: 300,
      });
      if (ci.low <= 0 && ci.high >= 0) covered++;
    }
    expect(covered).toBeGreaterThanOrEqual(85);
  });
});
