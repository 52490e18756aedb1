import { describe, expect, it } from 'vitest';
import { createRandom } from './random.js';

describe('createRandom', () => {
  it('repeats the same sequence for the same seed and differs for another seed', () => {
    const a = createRandom(7);
    const b = createRandom(7);
    const c = createRandom(8);
    const sa = [a.next(), a.next(), a.next()];
    expect([b.next(), b.next(), b.next()]).toEqual(sa);
    expect(c.next()).not.toBe(sa[0]);
  });

  it('draws normals with mean near 0 and variance near 1', () => {
    const r = createRandom(1);
    let s = 0;
    let s2 = 0;
    const n = 50_000;
    for (let i = 0; i < n; i++) {
      const z = r.normal();
      s += z;
      s2 += z * z;
    }
    expect(Math.abs(s / n)).toBeLessThan(0.02);
    expect(Math.abs(s2 / n - 1)).toBeLessThan(0.03);
  });

  it('draws integers in [0, n)', () => {
    const r = createRandom(3);
    for (let i = 0; i < 1000; i++) {
      const k = r.int(5);
      expect(k >= 0 && k < 5 && Number.isInteger(k)).toBe(true);
    }
  });
});
