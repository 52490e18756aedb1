import { describe, expect, it } from 'vitest';
import { benjaminiHochberg } from './multiple-testing.js';

describe('benjaminiHochberg', () => {
  it('scales the i-th smallest p-value by m / i and keeps the input order', () => {
    // m = 4: sorted p = 0.01, 0.02, 0.03, 0.5 -> 0.04, 0.04, 0.04, 0.5
    expect(benjaminiHochberg([0.5, 0.01, 0.03, 0.02])).toEqual([0.5, 0.04, 0.04, 0.04]);
  });

  it('is monotone in the p-values and capped at 1', () => {
    const q = benjaminiHochberg([0.9, 0.8, 0.95, 0.001]);
    expect(Math.max(...q)).toBeLessThanOrEqual(1);
    expect(q[3]).toBeCloseTo(0.004, 15);
    expect(q[1]!).toBeLessThanOrEqual(q[0]!);
  });

  it('rejects a p-value outside [0, 1]', () => {
    expect(() => benjaminiHochberg([0.1, Number.NaN])).toThrow(/index 1/);
  });
});
