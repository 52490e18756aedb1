/**
 * A least-recently-used cache of served predictions keyed by model version, company and prediction day. The
 * feature vector is kept with the entry and compared on lookup: a request for the same company-day with
 * different feature values is a miss, so a corrected feed is never answered with the stale score.
 */
import type { FeatureName } from '../domain/features.js';

export interface CachedPrediction {
  readonly features: readonly (number | null)[];
  readonly probability: number;
  readonly predictedLabel: 0 | 1;
}

export interface CacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly size: number;
}

export class PredictionCache {
  // A Map iterates in insertion order, so deleting and re-inserting on a hit makes the first key the oldest.
  private readonly entries = new Map<string, CachedPrediction>();
  private hits = 0;
  private misses = 0;

  constructor(private readonly capacity: number) {}

  static key(modelVersion: string, bseCode: number, predictionDate: string): string {
    return `${modelVersion}|${bseCode}|${predictionDate}`;
  }

  static vector(
    features: Partial<Record<FeatureName, number | null>>,
    names: readonly FeatureName[],
  ): (number | null)[] {
    return names.map((name) => features[name] ?? null);
  }

  get(key: string, features: readonly (number | null)[]): CachedPrediction | undefined {
    const entry = this.capacity > 0 ? this.entries.get(key) : undefined;
    if (entry && sameVector(entry.features, features)) {
      this.hits++;
      this.entries.delete(key);
      this.entries.set(key, entry);
      return entry;
    }
    this.misses++;
    return undefined;
  }

  set(key: string, value: CachedPrediction): void {
    if (this.capacity <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, value);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
  }

  /** Forgets every entry; called when the active model version changes. */
  clear(): void {
    this.entries.clear();
  }

  /** Share of lookups answered from the cache since the process started; 0 before the first lookup. */
  hitRate(): number {
    const total = this.hits + this.misses;
    return total === 0 ? 0 : this.hits / total;
  }

  stats(): CacheStats {
    return { hits: this.hits, misses: this.misses, size: this.entries.size };
  }
}

function sameVector(a: readonly (number | null)[], b: readonly (number | null)[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
