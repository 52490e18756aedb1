import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../db/client.js';
import { queryRows } from '../db/rows.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

/** Everything a migration can change: columns, constraints, indexes and the migration journal. */
async function schemaSnapshot(db: Database): Promise<string> {
  const columns = await queryRows(
    db,
    sql`select table_name, column_name, data_type, is_nullable, column_default
        from information_schema.columns where table_schema = 'public' order by table_name, column_name`,
  );
  const constraints = await queryRows(
    db,
    sql`select conrelid::regclass::text as tbl, conname, pg_get_constraintdef(oid) as def
        from pg_constraint where connamespace = 'public'::regnamespace order by 1, 2`,
  );
  const indexes = await queryRows(
    db,
    sql`select indexname, indexdef from pg_indexes where schemaname = 'public' order by 1`,
  );
  const journal = await queryRows(db, sql`select hash from drizzle.__drizzle_migrations order by id`);
  return JSON.stringify({ columns, constraints, indexes, journal });
}

describe('migrations on a real Postgres server', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase('migrations');
  });
  afterAll(async () => {
    await database.drop();
  });

  it('create every table on an empty database, and a second run changes nothing', async () => {
    const db = database.handle.db;
    const tables = await queryRows<{ table_name: string }>(
      db,
      sql`select table_name from information_schema.tables where table_schema = 'public' order by 1`,
    );
    expect(tables.map((t) => t.table_name)).toEqual(
      expect.arrayContaining([
        'model_versions',
        'predictions',
        'daily_prices',
        'production_labels',
        'drift_baselines',
        'drift_feature_results',
        'monitoring_reports',
        'model_performance_history',
        'model_rollback_history',
        'alerts',
        'alert_deliveries',
      ]),
    );
    const before = await schemaSnapshot(db);
    await database.handle.migrate();
    expect(await schemaSnapshot(db)).toBe(before);
  });

  it('keep the spec natural keys: production_labels is unique on (bse_code, prediction_date)', async () => {
    const rows = await queryRows<{ def: string }>(
      database.handle.db,
      sql`select pg_get_constraintdef(oid) as def from pg_constraint where conname = 'production_labels_scrip_day'`,
    );
    expect(rows[0]?.def).toBe('UNIQUE (bse_code, prediction_date)');
  });
});

describe('migrations on the embedded PGlite database', () => {
  it('apply the same migrations, and a second run changes nothing', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcp-pglite-'));
    const handle = await openDatabase({ dataDir });
    try {
      await handle.migrate();
      const before = await schemaSnapshot(handle.db);
      await handle.migrate();
      expect(await schemaSnapshot(handle.db)).toBe(before);
      expect(before).toContain('production_labels_scrip_day');
    } finally {
      await handle.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
