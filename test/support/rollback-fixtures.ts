/** Shared pieces of the rollback integration tests: a two-version registry, the request input, polling. */
import { asc, eq, sql } from 'drizzle-orm';
import { seedModelVersion } from '../../api/test-fixtures.js';
import type { Database } from '../../db/client.js';
import { alerts, modelRollbackHistory, modelVersions } from '../../db/schema/index.js';
import type { RollbackApprovalInput } from '../../workflows/rollback-messages.js';

export const CURRENT = '2.0.0';
export const CANDIDATE = '1.4.0';
export const APPROVERS = ['asha', 'vikram'];

/** The current version active, the older candidate stable and inactive, nothing else. */
export async function resetRegistry(db: Database): Promise<void> {
  await db.execute(sql`delete from model_versions`);
  await seedModelVersion(db, CANDIDATE, false);
  await seedModelVersion(db, CURRENT, true);
}

export function approvalInput(date: string, overrides: Partial<RollbackApprovalInput> = {}): RollbackApprovalInput {
  return {
    date,
    currentVersion: CURRENT,
    currentF1: 0.211,
    candidateVersion: CANDIDATE,
    candidateF1: 0.384,
    f1Source: 'production',
    reason: '30-day F1 0.211 is 49.8% below the test-set 0.420 and the interval excludes it',
    reportUrl: 'http://127.0.0.1:8080/reports/performance_2025-11-14.txt',
    reminderAfter: '1 hour',
    expireAfter: '2 hours',
    approvers: APPROVERS,
    ...overrides,
  };
}

export async function activeVersion(db: Database): Promise<{ version: string; activatedAt: Date | null } | undefined> {
  const [row] = await db
    .select({ version: modelVersions.version, activatedAt: modelVersions.activatedAt })
    .from(modelVersions)
    .where(eq(modelVersions.isActive, true));
  return row;
}

export async function historyOf(db: Database, workflowId: string) {
  return db
    .select()
    .from(modelRollbackHistory)
    .where(eq(modelRollbackHistory.workflowId, workflowId))
    .orderBy(asc(modelRollbackHistory.id));
}

export async function rollbackAlerts(db: Database, workflowId: string) {
  const rows = await db.select().from(alerts).where(eq(alerts.source, 'rollback')).orderBy(asc(alerts.id));
  return rows.filter((r) => r.dedupKey.includes(encodeURIComponent(workflowId)));
}

/** Polls until `check` returns a value other than undefined/false, or fails after `timeoutMs` naming `what`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false>,
  timeoutMs = 20_000,
): Promise<T> {
  const started = Date.now();
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() - started > timeoutMs) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
