import { describe, expect, it } from 'vitest';
import { SampleStore } from './sample-store.js';
import type { MetricSample } from './series.js';

const at = (ms: number, requests = 0): MetricSample => ({
  at: ms,
  buckets: [requests],
  count: requests,
  sum: 0,
  requests,
  errors: 0,
});

describe('SampleStore', () => {
  it('keeps the fine ring bounded and one coarse sample per step, merged into one ordered series', () => {
    const store = new SampleStore({ fineCapacity: 3, coarseCapacity: 2, coarseStepMs: 100 });
    for (const ms of [0, 50, 100, 150, 200, 250, 260]) store.add(at(ms, ms));
    expect(store.size).toEqual({ fine: 3, coarse: 2 });
    // Coarse keeps the first sample of steps 100 and 200; only 100 is older than the fine ring (200, 250, 260).
    expect(store.samples().map((s) => s.at)).toEqual([100, 200, 250, 260]);
  });

  it('ignores a sample that is not newer than the last one', () => {
    const store = new SampleStore();
    store.add(at(10));
    store.add(at(5));
    store.add(at(10));
    expect(store.samples().map((s) => s.at)).toEqual([10]);
  });
});
