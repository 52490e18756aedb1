import { describe, expect, it } from 'vitest';
import { PredictionCache } from './prediction-cache.js';

const entry = (probability: number, features: (number | null)[] = [1, null]) => ({
  features,
  probability,
  predictedLabel: 0 as const,
});

describe('PredictionCache', () => {
  it('answers a repeated company-day with the same features from the cache and counts the hit', () => {
    const cache = new PredictionCache(10);
    const key = PredictionCache.key('1.0.0', 500001, '2025-11-14');
    expect(cache.get(key, [1, null])).toBeUndefined();
    cache.set(key, entry(0.4));
    expect(cache.get(key, [1, null])?.probability).toBe(0.4);
    expect(cache.hitRate()).toBe(0.5);
  });

  it('treats changed feature values for the same company-day as a miss', () => {
    const cache = new PredictionCache(10);
    const key = PredictionCache.key('1.0.0', 500001, '2025-11-14');
    cache.set(key, entry(0.4));
    expect(cache.get(key, [2, null])).toBeUndefined();
    expect(cache.stats()).toMatchObject({ hits: 0, misses: 1 });
  });

  it('evicts the least recently used entry when full', () => {
    const cache = new PredictionCache(2);
    cache.set('a', entry(0.1));
    cache.set('b', entry(0.2));
    cache.get('a', [1, null]);
    cache.set('c', entry(0.3));
    expect(cache.get('b', [1, null])).toBeUndefined();
    expect(cache.get('a', [1, null])?.probability).toBe(0.1);
    expect(cache.stats().size).toBe(2);
  });
});
