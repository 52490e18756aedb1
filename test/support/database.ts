/**
 * Each integration test file gets its own empty database on the real local Postgres, migrated
 * with the committed migrations, and dropped afterwards.
 */
import postgres from 'postgres';
import { openDatabase, type DatabaseHandle } from '../../db/client.js';

const ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  readonly url: string;
  readonly name: string;
  readonly handle: DatabaseHandle;
  drop(): Promise<void>;
}

function databaseUrl(name: string): string {
  const url = new URL(ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

export async function createTestDatabase(prefix: string): Promise<TestDatabase> {
  const name = `vcp_test_${prefix}_${process.pid}_${Date.now().toString(36)}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  const admin = postgres(ADMIN_URL, { max: 1, onnotice: () => undefined });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = databaseUrl(name);
  const handle = await openDatabase({ databaseUrl: url, dataDir: '/nonexistent' });
  await handle.migrate();
  return {
    url,
    name,
    handle,
    async drop() {
      await handle.close();
      const cleanup = postgres(ADMIN_URL, { max: 1, onnotice: () => undefined });
      try {
        await cleanup.unsafe(`drop database if exists ${name} with (force)`);
      } finally {
        await cleanup.end();
      }
    },
  };
}
