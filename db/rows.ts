/** Small helpers shared by the activities' queries, written once for both drivers. */
import type { SQL } from 'drizzle-orm';
import type { Database } from './client.js';

/** postgres.js returns the rows as an array, PGlite as `{ rows }`: callers get the array either way. */
export async function queryRows<T>(db: Database, query: SQL): Promise<T[]> {
  const result = (await db.execute(query)) as unknown;
  if (Array.isArray(result)) return result as T[];
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}

/** Splits a large insert so no statement exceeds Postgres' 65,535 bind parameters. */
export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}

/** `date` columns come back as strings from both drivers in this schema's mode; normalise Date just in case. */
export function isoDay(value: string | Date): string {
  return typeof value === 'string' ? value.slice(0, 10) : value.toISOString().slice(0, 10);
}
