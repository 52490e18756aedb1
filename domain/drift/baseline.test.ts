import { describe, expect, it } from 'vitest';
import { createRandom } from '../statistics/random.js';
import { BaselineInputError, buildFeatureBaseline } from './baseline.js';

describe('buildFeatureBaseline', () => {
  const r = createRandom(5);
  const values: (number | null)[] = Array.from({ length: 2000 }, () => r.normal(10, 2));
  values.push(null, Number.NaN, Number.POSITIVE_INFINITY);

  it('summarises the finite training values and counts the rest as missing', () => {
    const b = buildFeatureBaseline('rsi_14', values);
    expect(b.sampleSize).toBe(2000);
    expect(b.missingCount).toBe(3);
    expect(b.mean).toBeCloseTo(10, 0);
    expect(b.std).toBeCloseTo(2, 0);
    expect(b.percentiles.p5).toBeLessThan(b.percentiles.p50);
    expect(b.percentiles.p50).toBeLessThan(b.percentiles.p95);
    expect(b.group).toBe('technical');
    expect(b.distributionType).toBe('histogram');
  });

  it('keeps decile bins of about a tenth each and the sorted sample for KS', () => {
    const b = buildFeatureBaseline('rsi_14', values);
    expect(b.binScheme).toBe('decile');
    expect(b.binEdges).toHaveLength(9);
    expect(b.binCounts).toHaveLength(10);
    for (const c of b.binCounts) expect(c).toBe(200);
    expect(b.referenceSample).toHaveLength(2000);
    expect(b.referenceSample.every((v, i, a) => i === 0 || a[i - 1]! <= v)).toBe(true);
    expect(b.referenceIsQuantileGrid).toBe(false);
  });

  it('adds empty outer bins for equal-width binning so out-of-range production values are counted', () => {
    const b = buildFeatureBaseline('rsi_14', values, { binScheme: 'equal_width', bins: 10 });
    expect(b.binEdges).toHaveLength(11);
    expect(b.binCounts).toHaveLength(12);
    expect(b.binCounts[0]).toBe(0);
    expect(b.binCounts[11]).toBe(0);
    expect(b.binCounts.reduce((s, c) => s + c, 0)).toBe(2000);
  });

  it('replaces a sample above the cap by a quantile grid of the cap size', () => {
    const b = buildFeatureBaseline('rsi_14', values, { maxReferenceSample: 500 });
    expect(b.referenceSample).toHaveLength(500);
    expect(b.referenceIsQuantileGrid).toBe(true);
  });

  it('marks a constant feature as summary only', () => {
    expect(buildFeatureBaseline('npm_trend', [2, 2, 2, 2]).distributionType).toBe('summary');
  });

  it('survives a JSON round trip unchanged', () => {
    const b = buildFeatureBaseline('roe', values);
    expect(JSON.parse(JSON.stringify(b))).toEqual(b);
  });

  it('rejects a feature without any finite value, naming it', () => {
    expect(() => buildFeatureBaseline('roe', [null, Number.NaN])).toThrow(BaselineInputError);
    expect(() => buildFeatureBaseline('roe', [null])).toThrow(/roe has no finite training values/);
  });
});
