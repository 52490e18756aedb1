import { describe, expect, it } from 'vitest';
import { comparePeriods, dayPeriodsEndingAt, parseTimeRange, periodsEndingAt, TimeRangeError } from './periods.js';

describe('periods', () => {
  it('parses the four ranges and names a bad one in the error', () => {
    expect(parseTimeRange('7d')).toBe('7d');
    expect(parseTimeRange(undefined)).toBe('24h');
    expect(() => parseTimeRange('1y')).toThrow(new TimeRangeError('1y'));
    expect(() => parseTimeRange('1y')).toThrow(/range is "1y", expected one of 24h, 7d, 30d, 90d/);
  });

  it('places the previous period directly before the current one, equally long', () => {
    const end = Date.parse('2025-11-14T12:00:00Z');
    const { current, previous } = periodsEndingAt('24h', end);
    expect(current).toEqual({ start: end - 86_400_000, end });
    expect(previous).toEqual({ start: end - 2 * 86_400_000, end: end - 86_400_000 });
  });

  it('counts daily periods in whole days ending at the latest evaluated day', () => {
    expect(dayPeriodsEndingAt('7d', '2025-11-14')).toEqual({
      current: { first: '2025-11-08', last: '2025-11-14' },
      previous: { first: '2025-11-01', last: '2025-11-07' },
    });
    expect(dayPeriodsEndingAt('24h', '2025-03-01')).toEqual({
      current: { first: '2025-03-01', last: '2025-03-01' },
      previous: { first: '2025-02-28', last: '2025-02-28' },
    });
  });

  it('compares means and sums, with a relative change only when the previous value is non-zero', () => {
    expect(comparePeriods([0.4, 0.6], [0.5, null, 0.3], 'mean')).toEqual({
      current: 0.5,
      previous: 0.4,
      delta: expect.closeTo(0.1, 12) as number,
      relativeDelta: expect.closeTo(0.25, 12) as number,
    });
    expect(comparePeriods([3, 4], [0], 'sum')).toEqual({ current: 7, previous: 0, delta: 7, relativeDelta: null });
    expect(comparePeriods([], [1], 'sum')).toEqual({ current: null, previous: 1, delta: null, relativeDelta: null });
  });
});
