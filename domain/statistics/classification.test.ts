import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { classificationMetrics, rocAuc, type BinaryLabel } from './classification.js';

interface Case {
  name: string;
  actual: BinaryLabel[];
  predicted: BinaryLabel[];
  probability: number[];
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  precision: number;
  recall: number;
  f1: number;
  roc_auc: number | null;
}

const golden = JSON.parse(
  readFileSync(new URL('../../../shared/golden/classification.json', import.meta.url), 'utf8'),
) as { cases: Case[] };

describe('classificationMetrics against scikit-learn golden vectors', () => {
  for (const c of golden.cases) {
    it(`matches confusion counts, precision, recall, f1 and ROC-AUC for ${c.name}`, () => {
      const m = classificationMetrics(c.actual, c.predicted, c.probability);
      expect({ tp: m.tp, fp: m.fp, fn: m.fn, tn: m.tn }).toEqual({ tp: c.tp, fp: c.fp, fn: c.fn, tn: c.tn });
      expect(m.predictions).toBe(c.actual.length);
      expect(m.precision).toBeCloseTo(c.precision, 12);
      expect(m.recall).toBeCloseTo(c.recall, 12);
      expect(m.f1).toBeCloseTo(c.f1, 12);
      if (c.roc_auc === null) expect(m.rocAuc).toBeNull();
      else expect(m.rocAuc).toBeCloseTo(c.roc_auc, 12);
    });
  }

  it('returns rocAuc null when no probabilities are given', () => {
    expect(classificationMetrics([0, 1], [0, 1]).rocAuc).toBeNull();
  });

  it('scores zero for precision, recall and f1 when they are undefined', () => {
    const m = classificationMetrics([0, 0, 0], [0, 0, 0]);
    expect([m.precision, m.recall, m.f1]).toEqual([0, 0, 0]);
  });

  it('counts a tie between a positive and a negative as one half', () => {
    expect(rocAuc([0, 1], [0.5, 0.5])).toBe(0.5);
    expect(rocAuc([0, 1, 1], [0.2, 0.2, 0.9])).toBe(0.75);
  });

  it('rejects label and prediction arrays of different lengths', () => {
    expect(() => classificationMetrics([0, 1], [0])).toThrow(/2 actual labels but 1/);
  });
});
