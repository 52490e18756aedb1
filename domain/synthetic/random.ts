/**
 * A small seeded random source for the synthetic data set. Math.random cannot be seeded, and the demo, the tests
 * and the files on disk must all agree for a given seed, so every draw goes through this.
 */

/** sfc32 state: four 32-bit words. Small, fast and passes PractRand far beyond the few million draws used here. */
export interface Random {
  /** Uniform on [0, 1). */
  next(): number;
  /** Uniform integer on [min, max], both ends included. */
  int(min: number, max: number): number;
  /** Standard normal. */
  normal(): number;
  bernoulli(p: number): boolean;
  poisson(mean: number): number;
  pick<T>(items: readonly T[]): T;
  /** Index drawn with probability proportional to its weight. */
  weightedIndex(weights: readonly number[]): number;
  /** Fisher-Yates in place; returns the same array. */
  shuffle<T>(items: T[]): T[];
}

export class RandomInputError extends Error {
  override readonly name = 'RandomInputError';
}

function splitmix32(state: number): () => number {
  let s = state >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
    return (z ^ (z >>> 16)) >>> 0;
  };
}

/**
 * A seed for an independent stream named by `label`, so that adding draws to one part of the generator (say the
 * prices) does not change what another part (say the training samples) produces for the same top-level seed.
 */
export function deriveSeed(seed: number, label: string): number {
  // FNV-1a over the label, folded with the seed.
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return splitmix32(h ^ Math.imul(seed >>> 0, 0x9e3779b1))();
}

export function createRandom(seed: number): Random {
  if (!Number.isFinite(seed)) throw new RandomInputError(`random seed must be a finite number, got ${seed}`);
  const init = splitmix32(Math.trunc(seed) >>> 0);
  let a = init();
  let b = init();
  let c = init();
  let d = init();
  const nextUint32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t;
  };
  for (let i = 0; i < 12; i++) nextUint32();

  const next = (): number => nextUint32() / 4294967296;
  // Box-Muller yields two normals per pair of uniforms; the second is kept for the next call.
  let spare: number | null = null;
  const normal = (): number => {
    if (spare !== null) {
      const s = spare;
      spare = null;
      return s;
    }
    let u = next();
    while (u === 0) u = next();
    const v = next();
    const r = Math.sqrt(-2 * Math.log(u));
    spare = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  };

  return {
    next,
    normal,
    int(min, max) {
      if (max < min) throw new RandomInputError(`random int range is empty: min ${min} > max ${max}`);
      return min + Math.floor(next() * (max - min + 1));
    },
    bernoulli: (p) => next() < p,
    poisson(mean) {
      if (!(mean >= 0)) throw new RandomInputError(`poisson mean must be >= 0, got ${mean}`);
      // Knuth's product method: fine for the small means (< 30) the feature generator asks for.
      const limit = Math.exp(-mean);
      let k = 0;
      let product = next();
      while (product > limit) {
        k++;
        product *= next();
      }
      return k;
    },
    pick(items) {
      if (items.length === 0) throw new RandomInputError('cannot pick from an empty list');
      return items[Math.floor(next() * items.length)]!;
    },
    weightedIndex(weights) {
      let total = 0;
      for (const w of weights) total += w;
      if (!(total > 0)) throw new RandomInputError('weightedIndex needs at least one positive weight');
      let r = next() * total;
      for (let i = 0; i < weights.length; i++) {
        r -= weights[i]!;
        if (r < 0) return i;
      }
      return weights.length - 1;
    },
    shuffle(items) {
      for (let i = items.length - 1; i > 0; i--) {
        const j = Math.floor(next() * (i + 1));
        const tmp = items[i]!;
        items[i] = items[j]!;
        items[j] = tmp;
      }
      return items;
    },
  };
}
