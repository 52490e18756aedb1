import { describe, expect, it } from 'vitest';
import { FEATURES, KS_FEATURE_NAMES } from './features.js';

describe('feature catalog', () => {
  it('holds 25 features, 15-20 of them continuous technical ones for KS', () => {
    expect(FEATURES).toHaveLength(25);
    expect(KS_FEATURE_NAMES.length).toBeGreaterThanOrEqual(15);
    expect(KS_FEATURE_NAMES.length).toBeLessThanOrEqual(20);
  });
});
