import { describe, expect, it } from 'vitest';
import { AnomalyRuleError, findAnomalies } from './anomalies.js';

const noisy = [10, 11, 9, 10, 12, 10, 11, 9, 10, 11];

describe('findAnomalies', () => {
  it('flags a point more than 3 scaled MADs above the median of the previous points as a spike', () => {
    const found = findAnomalies([...noisy, 30]);
    expect(found).toHaveLength(1);
    expect(found[0]).toMatchObject({ index: 10, value: 30, median: 10, kind: 'spike' });
    expect(found[0]!.score).toBeGreaterThan(3);
  });

  it('flags a drop below the median and leaves ordinary noise alone', () => {
    const found = findAnomalies([...noisy, 12, 9, 0]);
    expect(found.map((a) => [a.index, a.kind])).toEqual([[12, 'drop']]);
  });

  it('judges nothing before minHistory points exist', () => {
    expect(findAnomalies([1, 100, 1, 100])).toEqual([]);
  });

  it('skips gaps and keeps an earlier spike from hiding the next one', () => {
    const found = findAnomalies([...noisy, 40, null, 10, 11, 45]);
    expect(found.map((a) => a.index)).toEqual([10, 14]);
  });

  it('on a flat history flags any change beyond minDeviation, with a null score', () => {
    const flat = [0, 0, 0, 0, 0, 0];
    expect(findAnomalies([...flat, 0.01], { window: 12, threshold: 3, minHistory: 5, minDeviation: 0.02 })).toEqual([]);
    const found = findAnomalies([...flat, 0.05], { window: 12, threshold: 3, minHistory: 5, minDeviation: 0.02 });
    expect(found).toEqual([{ index: 6, value: 0.05, median: 0, score: null, kind: 'spike' }]);
  });

  it('refuses a rule whose window is shorter than its minimum history', () => {
    expect(() => findAnomalies([1], { window: 3, threshold: 3, minHistory: 5, minDeviation: 0 })).toThrow(
      AnomalyRuleError,
    );
  });
});
