/**
 * A small seeded PRNG (mulberry32: 32-bit state, period 2^32, passes the usual smoke tests) with uniform,
 * integer and normal samplers, so simulations, bootstraps and synthetic data are reproducible from a seed.
 * Its period is ample for bootstraps and simulations of millions of draws; it is not for cryptography.
 */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [0, n). */
  int(n: number): number;
  /** Normal with the given mean and standard deviation (Box-Muller, both variates used). */
  normal(mean?: number, sd?: number): number;
}

export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  let spare: number | null = null;
  const next = (): number => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n) => Math.floor(next() * n),
    normal: (mean = 0, sd = 1) => {
      if (spare !== null) {
        const z = spare;
        spare = null;
        return mean + sd * z;
      }
      let u = 0;
      while (u === 0) u = next();
      const v = next();
      const r = Math.sqrt(-2 * Math.log(u));
      spare = r * Math.sin(2 * Math.PI * v);
      return mean + sd * r * Math.cos(2 * Math.PI * v);
    },
  };
}
