import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ks2samp, ks2sampSorted, KsInputError, type KsMethod } from './ks.js';

interface ScipyResult {
  statistic: number;
  pvalue: number;
  statistic_location?: number;
  statistic_sign?: number;
}
interface Case {
  name: string;
  x: number[];
  y: number[];
  results: Partial<Record<KsMethod, ScipyResult>>;
}

const golden = JSON.parse(readFileSync(new URL('../../../shared/golden/ks_2samp.json', import.meta.url), 'utf8')) as {
  cases: Case[];
};

// Tolerances from shared/golden/README.md.
const P_RELATIVE: Record<KsMethod, number> = { exact: 1e-6, auto: 1e-6, asymp: 1e-9 };

function expectRelative(actual: number, expected: number, rel: number): void {
  if (expected === 0) expect(Math.abs(actual)).toBeLessThan(1e-300);
  else expect(Math.abs(actual - expected) / Math.abs(expected)).toBeLessThanOrEqual(rel);
}

describe('ks2samp against scipy.stats.ks_2samp golden vectors', () => {
  for (const c of golden.cases) {
    for (const method of ['exact', 'asymp', 'auto'] as const) {
      const want = c.results[method];
      if (!want) continue;
      it(`matches statistic, p-value, location and sign for ${c.name} with method ${method}`, () => {
        const got = ks2samp(c.x, c.y, { method });
        expect(Math.abs(got.statistic - want.statistic)).toBeLessThanOrEqual(1e-12);
        expectRelative(got.pvalue, want.pvalue, P_RELATIVE[method]);
        if (want.statistic_location !== undefined) expect(got.statisticLocation).toBe(want.statistic_location);
        if (want.statistic_sign !== undefined) expect(got.statisticSign).toBe(want.statistic_sign);
      });
    }
  }

  it('gives the same answer on pre-sorted Float64Array input', () => {
    const c = golden.cases.find((k) => k.x.length >= 1000)!;
    const sx = Float64Array.from(c.x).sort();
    const sy = Float64Array.from(c.y).sort();
    expect(ks2sampSorted(sx, sy)).toEqual(ks2samp(c.x, c.y));
  });

  it('uses the exact method in auto up to 10,000 values per sample and the asymptotic one above', () => {
    const small = golden.cases.find((k) => Math.max(k.x.length, k.y.length) <= 10_000)!;
    const large = golden.cases.find((k) => Math.max(k.x.length, k.y.length) > 10_000)!;
    expect(ks2samp(small.x, small.y).method).toBe('exact');
    expect(ks2samp(large.x, large.y).method).toBe('asymp');
  });

  it('rejects an empty sample, NaN values and an unsorted sample passed as sorted', () => {
    expect(() => ks2samp([], [1])).toThrow(KsInputError);
    expect(() => ks2samp([1, Number.NaN], [1])).toThrow(/NaN at index/);
    expect(() => ks2sampSorted([2, 1], [1])).toThrow(/not sorted ascending at index 1/);
  });
});
