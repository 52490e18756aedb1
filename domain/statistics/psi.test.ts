import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { psi, psiFromCounts, PsiInputError } from './psi.js';

const golden = JSON.parse(readFileSync(new URL('../../../shared/golden/psi.json', import.meta.url), 'utf8')) as {
  cases: { name: string; expected: number[]; actual: number[]; epsilon: number; psi: number }[];
};

describe('psi against numpy golden vectors', () => {
  for (const c of golden.cases) {
    it(`matches ${c.name}`, () => {
      expect(psi(c.expected, c.actual, c.epsilon)).toBeCloseTo(c.psi, 12);
    });
  }

  it('is zero for identical count vectors and positive when they differ', () => {
    expect(psiFromCounts([5, 5], [10, 10])).toBe(0);
    expect(psiFromCounts([5, 5], [9, 1])).toBeGreaterThan(0);
  });

  it('rejects vectors of different lengths and negative proportions', () => {
    expect(() => psi([0.5, 0.5], [1])).toThrow(PsiInputError);
    expect(() => psi([0.5, 0.5], [1.5, -0.5])).toThrow(/bin 1/);
  });
});
