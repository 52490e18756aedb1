/**
 * Time ranges of the dashboard and the comparison of one period with the one before it. Pure: the caller passes
 * the end of the period (the clock for live metrics, the latest evaluated day for the daily history).
 */
import { mean, sum } from 'simple-statistics';

export const TIME_RANGES = ['24h', '7d', '30d', '90d'] as const;
export type TimeRange = (typeof TIME_RANGES)[number];

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

export const RANGE_MS: Readonly<Record<TimeRange, number>> = {
  '24h': DAY_MS,
  '7d': 7 * DAY_MS,
  '30d': 30 * DAY_MS,
  '90d': 90 * DAY_MS,
};

export class TimeRangeError extends Error {
  override readonly name = 'TimeRangeError';
  constructor(readonly value: unknown) {
    super(`range is ${JSON.stringify(value)}, expected one of ${TIME_RANGES.join(', ')}`);
  }
}

export function parseTimeRange(value: unknown, fallback: TimeRange = '24h'): TimeRange {
  if (value === undefined || value === '') return fallback;
  if (typeof value === 'string' && (TIME_RANGES as readonly string[]).includes(value)) return value as TimeRange;
  throw new TimeRangeError(value);
}

/** Half-open intervals [start, end) in epoch milliseconds. */
export interface Period {
  readonly start: number;
  readonly end: number;
}

export interface PeriodPair {
  readonly current: Period;
  readonly previous: Period;
}

/** The period of `range` ending at `end`, and the equally long one just before it. */
export function periodsEndingAt(range: TimeRange, end: number): PeriodPair {
  const length = RANGE_MS[range];
  return { current: { start: end - length, end }, previous: { start: end - 2 * length, end: end - length } };
}

/**
 * Daily history is compared in whole days ending at the latest evaluated day (inclusive), because monitoring runs
 * one day behind the clock and the demo runs over a synthetic past. A 24 h range is then the latest day alone.
 */
export function dayPeriodsEndingAt(range: TimeRange, latestDay: string): { current: DayPeriod; previous: DayPeriod } {
  const days = Math.max(1, Math.round(RANGE_MS[range] / DAY_MS));
  const last = Date.parse(`${latestDay}T00:00:00Z`);
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10);
  return {
    current: { first: day(last - (days - 1) * DAY_MS), last: latestDay },
    previous: { first: day(last - (2 * days - 1) * DAY_MS), last: day(last - days * DAY_MS) },
  };
}

/** Inclusive ISO days. */
export interface DayPeriod {
  readonly first: string;
  readonly last: string;
}

export interface PeriodComparison {
  readonly current: number | null;
  readonly previous: number | null;
  /** current - previous; null when either side has no data. */
  readonly delta: number | null;
  /** delta / |previous|; null when previous is 0 or missing, where a ratio says nothing. */
  readonly relativeDelta: number | null;
}

export type Aggregate = 'mean' | 'sum';

function aggregate(values: readonly (number | null)[], how: Aggregate): number | null {
  const finite = values.filter((v): v is number => v !== null && Number.isFinite(v));
  if (finite.length === 0) return null;
  return how === 'mean' ? mean(finite) : sum(finite);
}

/** Mean or sum of each period's finite values, with the absolute and relative change. */
export function comparePeriods(
  current: readonly (number | null)[],
  previous: readonly (number | null)[],
  how: Aggregate,
): PeriodComparison {
  return compareValues(aggregate(current, how), aggregate(previous, how));
}

export function compareValues(current: number | null, previous: number | null): PeriodComparison {
  const delta = current !== null && previous !== null ? current - previous : null;
  const relativeDelta = delta !== null && previous !== null && previous !== 0 ? delta / Math.abs(previous) : null;
  return { current, previous, delta, relativeDelta };
}
