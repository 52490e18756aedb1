import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { countIntoBins, decileEdges, equalWidthEdges, quantileSorted } from './binning.js';
import { psiFromCounts } from './psi.js';

interface Case {
  name: string;
  baseline: number[];
  production: number[];
  decile: { inner_edges: number[]; baseline_counts: number[]; production_counts: number[]; 'psi_eps1e-4': number };
  equal_width: {
    edges: number[];
    baseline_counts: number[];
    production_counts_in_range: number[];
    production_below: number;
    production_above: number;
  };
}
const golden = JSON.parse(
  readFileSync(new URL('../../../shared/golden/psi_binning.json', import.meta.url), 'utf8'),
) as {
  cases: Case[];
};

describe('binning against numpy golden vectors', () => {
  for (const c of golden.cases) {
    it(`reproduces decile edges, counts and PSI for ${c.name}`, () => {
      const edges = decileEdges(c.baseline);
      expect(edges.length).toBe(c.decile.inner_edges.length);
      edges.forEach((e, i) => expect(e).toBeCloseTo(c.decile.inner_edges[i]!, 12));
      const base = countIntoBins(c.baseline, edges, 'decile');
      const prod = countIntoBins(c.production, edges, 'decile');
      expect(base.counts).toEqual(c.decile.baseline_counts);
      expect(prod.counts).toEqual(c.decile.production_counts);
      expect(psiFromCounts(base.counts, prod.counts, 1e-4)).toBeCloseTo(c.decile['psi_eps1e-4'], 12);
    });

    it(`reproduces equal-width edges and counts, reporting out-of-range values, for ${c.name}`, () => {
      const edges = equalWidthEdges(c.baseline, 10);
      edges.forEach((e, i) => expect(e).toBeCloseTo(c.equal_width.edges[i]!, 12));
      expect(countIntoBins(c.baseline, edges, 'equal_width').counts).toEqual(c.equal_width.baseline_counts);
      const prod = countIntoBins(c.production, edges, 'equal_width');
      expect(prod.counts).toEqual(c.equal_width.production_counts_in_range);
      expect(prod.below).toBe(c.equal_width.production_below);
      expect(prod.above).toBe(c.equal_width.production_above);
    });
  }

  it('puts a value equal to a decile edge in the bin to its right', () => {
    expect(countIntoBins([1, 2, 3], [2], 'decile').counts).toEqual([1, 2]);
  });

  it('closes the last equal-width bin on the right', () => {
    expect(countIntoBins([0, 1, 2], [0, 1, 2], 'equal_width')).toEqual({ counts: [1, 2], below: 0, above: 0 });
  });

  it('collapses duplicate decile edges of a heavily tied baseline', () => {
    expect(decileEdges([3, 3, 3, 3, 3])).toEqual([3]);
    expect(decileEdges([0, 0, 0, 0, 0, 0, 0, 0, 1, 1])).toEqual([
      0,
      quantileSorted([0, 0, 0, 0, 0, 0, 0, 0, 1, 1], 0.8),
      1,
    ]);
  });

  it('interpolates quantiles linearly between order statistics', () => {
    expect(quantileSorted([0, 10], 0.25)).toBe(2.5);
    expect(quantileSorted([0, 10, 20], 0.75)).toBe(15);
  });
});
