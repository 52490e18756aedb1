import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { chiSquareHomogeneity, chiSquareSf, logGamma } from './chi-square.js';

const fixture = JSON.parse(readFileSync(new URL('./fixtures/chi2-sf.scipy.json', import.meta.url), 'utf8')) as {
  cases: { x: number; df: number; sf: number }[];
};

describe('chi-square survival function and tests', () => {
  it('matches scipy chi2.sf to 1e-10 relative, including the far upper tail', () => {
    for (const { x, df, sf } of fixture.cases) {
      expect(Math.abs(chiSquareSf(x, df) - sf) / sf, `x=${x} df=${df}`).toBeLessThan(1e-10);
    }
  });

  it('computes ln Gamma at integers as ln of the factorial', () => {
    expect(logGamma(1)).toBeCloseTo(0, 14);
    expect(logGamma(11)).toBeCloseTo(Math.log(3628800), 12);
  });

  it('finds no evidence against identical count proportions and strong evidence against a moved one', () => {
    expect(chiSquareHomogeneity([100, 100, 100], [10, 10, 10]).pvalue).toBe(1);
    const moved = chiSquareHomogeneity([500, 500, 500, 500], [5, 5, 5, 85]);
    expect(moved.df).toBe(3);
    expect(moved.pvalue).toBeLessThan(1e-10);
  });

  it('drops bins empty in both samples from the degrees of freedom', () => {
    expect(chiSquareHomogeneity([10, 0, 10], [5, 0, 6]).df).toBe(1);
  });
});
