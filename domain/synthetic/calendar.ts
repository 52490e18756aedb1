/** BSE trading days and the earnings-season calendar the synthetic data set follows. */

export class CalendarInputError extends Error {
  override readonly name = 'CalendarInputError';
}

/**
 * BSE equity trading holidays that fall on weekdays, 2024 and 2025. Outside these two years the generator treats
 * every weekday as a trading day: a data set started in 2026 would trade on that year's holidays, which only
 * matters to a test that checks real holiday dates. Weekend special sessions (the 2024-01-20 and 2024-03-02 DR
 * drills, the 2025-02-01 budget Saturday, the Diwali muhurat hour) are left out too.
 */
export const BSE_HOLIDAYS: ReadonlySet<string> = new Set([
  '2024-01-22',
  '2024-01-26',
  '2024-03-08',
  '2024-03-25',
  '2024-03-29',
  '2024-04-11',
  '2024-04-17',
  '2024-05-01',
  '2024-05-20',
  '2024-06-17',
  '2024-07-17',
  '2024-08-15',
  '2024-10-02',
  '2024-11-01',
  '2024-11-15',
  '2024-11-20',
  '2024-12-25',
  '2025-02-26',
  '2025-03-14',
  '2025-03-31',
  '2025-04-10',
  '2025-04-14',
  '2025-04-18',
  '2025-05-01',
  '2025-08-15',
  '2025-08-27',
  '2025-10-02',
  '2025-10-21',
  '2025-10-22',
  '2025-11-05',
  '2025-12-25',
]);

const DAY_MS = 86_400_000;

export function parseIsoDate(value: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  const ms = m === null ? NaN : Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (Number.isNaN(ms) || new Date(ms).toISOString().slice(0, 10) !== value) {
    throw new CalendarInputError(`date "${value}" is not a real ISO date like 2024-04-15`);
  }
  return ms;
}

export function formatIsoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function addCalendarDays(date: string, days: number): string {
  return formatIsoDate(parseIsoDate(date) + days * DAY_MS);
}

export function isTradingDay(date: string): boolean {
  const weekday = new Date(parseIsoDate(date)).getUTCDay();
  return weekday !== 0 && weekday !== 6 && !BSE_HOLIDAYS.has(date);
}

/** The first `count` trading days on or after `start`. */
export function tradingDaysFrom(start: string, count: number): string[] {
  if (!Number.isInteger(count) || count < 1) {
    throw new CalendarInputError(`trading day count must be a positive integer, got ${count}`);
  }
  const days: string[] = [];
  let ms = parseIsoDate(start);
  while (days.length < count) {
    const date = formatIsoDate(ms);
    if (isTradingDay(date)) days.push(date);
    ms += DAY_MS;
  }
  return days;
}

/**
 * Relative intensity (0..1) of results announcements on a date. Listed companies must publish quarterly results
 * within 45 days of the quarter's end (60 for the March quarter, which carries the annual audit), and most file
 * in the last two weeks before the deadline, so each season is a bump that peaks a few days before it and stops
 * soon after.
 */
export function earningsSeasonIntensity(date: string): number {
  const ms = parseIsoDate(date);
  const year = new Date(ms).getUTCFullYear();
  let intensity = 0;
  for (const y of [year - 1, year]) {
    // Quarter ends (month index of the last day) and their filing deadlines in days.
    for (const [month, deadlineDays] of [
      [2, 60],
      [5, 45],
      [8, 45],
      [11, 45],
    ] as const) {
      const quarterEnd = Date.UTC(y, month + 1, 0);
      const peak = quarterEnd + (deadlineDays - 4) * DAY_MS;
      const offsetDays = (ms - peak) / DAY_MS;
      if (offsetDays > 6) continue;
      // Rises over about three weeks, falls off quickly once the deadline passes.
      const width = offsetDays < 0 ? 7 : 2.5;
      intensity = Math.max(intensity, Math.exp(-0.5 * (offsetDays / width) ** 2));
    }
  }
  return intensity;
}
