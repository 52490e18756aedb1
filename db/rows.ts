/** Small helpers shared by the activities' queries, written once for both drivers. */
import { getTableColumns, sql, type SQL } from 'drizzle-orm';
import type { PgTable } from 'drizzle-orm/pg-core';
import type { Database } from './client.js';

/** postgres.js returns the rows as an array, PGlite as `{ rows }`: callers get the array either way. */
export async function queryRows<T>(db: Database, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  if (Array.isArray(result)) return result as T[];
  return (result as { rows?: T[] }).rows ?? [];
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

/**
 * The `set` of an upsert that overwrites every column but the conflict key (and the surrogate id)
 * with the incoming row's value, so a recomputed day replaces its rows in place.
 */
export function replaceAllExcept<T extends PgTable>(
  table: T,
  keep: readonly (keyof T['$inferInsert'])[],
): Record<string, SQL> {
  const set: Record<string, SQL> = {};
  for (const [key, column] of Object.entries(getTableColumns(table))) {
    if (keep.includes(key as keyof T['$inferInsert']) || key === 'id') continue;
    set[key] = sql`excluded.${sql.identifier(column.name)}`;
  }
  return set;
}
