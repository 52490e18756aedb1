/**
 * The alerts table as the API sees it: storing an alert with its planned deliveries (the Alertmanager intake),
 * resolving, listing, history with per-channel outcomes, and acknowledging. The daily workflow's recordAlerts
 * writes the same rows with the same rule: insert on conflict do nothing on the dedup key, so a repeated webhook
 * or a re-run day finds the alert it already raised.
 */
import { and, desc, eq, gte, inArray, ne, sql } from 'drizzle-orm';
import type { Database } from '../db/client.js';
import { isoDay } from '../db/rows.js';
import { alertDeliveries, alerts } from '../db/schema/index.js';
import type { AlertMessage, ChannelName } from './types.js';

export type AlertStatus = 'open' | 'acknowledged' | 'resolved';
export const ALERT_STATUSES = ['open', 'acknowledged', 'resolved'] as const satisfies readonly AlertStatus[];

export interface StoredAlert {
  readonly id: number;
  readonly dedupKey: string;
  /** False when the dedup key was already stored: nothing was written. */
  readonly inserted: boolean;
  readonly status: AlertStatus;
}

/** Inserts the alert and a pending delivery per planned channel, in one transaction; existing rows are kept. */
export async function storeAlert(
  db: Database,
  alert: AlertMessage,
  channels: readonly ChannelName[],
): Promise<StoredAlert> {
  return db.transaction(async (tx) => {
    const inserted = await tx
      .insert(alerts)
      .values({
        dedupKey: alert.dedupKey,
        source: alert.source,
        level: alert.level,
        severity: alert.severity,
        title: alert.title,
        summary: alert.summary,
        body: alert.body,
        links: [...alert.links],
        alertDate: alert.date,
        modelVersion: alert.modelVersion ?? null,
        createdAt: new Date(alert.createdAt),
      })
      .onConflictDoNothing()
      .returning({ id: alerts.id });
    const [row] = await tx
      .select({ id: alerts.id, status: alerts.status })
      .from(alerts)
      .where(eq(alerts.dedupKey, alert.dedupKey));
    if (!row) throw new Error(`alert ${alert.dedupKey} is missing right after its insert`);
    if (channels.length > 0) {
      await tx
        .insert(alertDeliveries)
        .values(channels.map((channel) => ({ alertId: row.id, channel, status: 'pending' as const })))
        .onConflictDoNothing();
    }
    return { id: row.id, dedupKey: alert.dedupKey, inserted: inserted.length > 0, status: row.status };
  });
}

/** Marks stored alerts resolved; returns the rows that changed (an unknown or already resolved key changes nothing). */
export async function resolveAlerts(
  db: Database,
  dedupKeys: readonly string[],
  at: Date,
): Promise<{ id: number; dedupKey: string }[]> {
  if (dedupKeys.length === 0) return [];
  const rows = await db
    .update(alerts)
    .set({ status: 'resolved', resolvedAt: at })
    .where(and(inArray(alerts.dedupKey, [...dedupKeys]), ne(alerts.status, 'resolved')))
    .returning({ id: alerts.id, dedupKey: alerts.dedupKey });
  return rows;
}

export interface AlertDeliveryView {
  readonly channel: ChannelName;
  readonly status: (typeof alertDeliveries.$inferSelect)['status'];
  readonly attempts: number;
  readonly providerId: string | null;
  readonly lastError: string | null;
  readonly fallbackFor: string | null;
  readonly sentAt: string | null;
}

export interface AlertView {
  readonly id: number;
  readonly dedupKey: string;
  readonly source: string;
  readonly level: string;
  readonly severity: string;
  readonly title: string;
  readonly summary: string;
  readonly date: string;
  readonly modelVersion: string | null;
  readonly status: AlertStatus;
  readonly acknowledgedBy: string | null;
  readonly acknowledgedAt: string | null;
  readonly resolvedAt: string | null;
  readonly createdAt: string;
}

export interface AlertHistoryEntry extends AlertView {
  readonly deliveries: readonly AlertDeliveryView[];
}

type AlertRow = typeof alerts.$inferSelect;

function view(row: AlertRow): AlertView {
  return {
    id: row.id,
    dedupKey: row.dedupKey,
    source: row.source,
    level: row.level,
    severity: row.severity,
    title: row.title,
    summary: row.summary,
    date: isoDay(row.alertDate),
    modelVersion: row.modelVersion,
    status: row.status,
    acknowledgedBy: row.acknowledgedBy,
    acknowledgedAt: row.acknowledgedAt?.toISOString() ?? null,
    resolvedAt: row.resolvedAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
  };
}

/** Newest first; without a status, the active ones (open and acknowledged). */
export async function listAlerts(
  db: Database,
  options: { readonly status?: AlertStatus; readonly limit: number },
): Promise<AlertView[]> {
  const statuses: AlertStatus[] = options.status ? [options.status] : ['open', 'acknowledged'];
  const rows = await db
    .select()
    .from(alerts)
    .where(inArray(alerts.status, statuses))
    .orderBy(desc(alerts.createdAt), desc(alerts.id))
    .limit(options.limit);
  return rows.map(view);
}

/** Every alert raised since `since`, newest first, each with its delivery rows. */
export async function alertHistory(db: Database, since: Date, limit: number): Promise<AlertHistoryEntry[]> {
  const rows = await db
    .select()
    .from(alerts)
    .where(gte(alerts.createdAt, since))
    .orderBy(desc(alerts.createdAt), desc(alerts.id))
    .limit(limit);
  if (rows.length === 0) return [];
  const deliveries = await db
    .select()
    .from(alertDeliveries)
    .where(
      inArray(
        alertDeliveries.alertId,
        rows.map((r) => r.id),
      ),
    )
    .orderBy(alertDeliveries.alertId, alertDeliveries.id);
  const byAlert = new Map<number, AlertDeliveryView[]>();
  for (const d of deliveries) {
    const list = byAlert.get(d.alertId) ?? [];
    list.push({
      channel: d.channel,
      status: d.status,
      attempts: d.attempts,
      providerId: d.providerId,
      lastError: d.lastError,
      fallbackFor: d.fallbackFor,
      sentAt: d.sentAt?.toISOString() ?? null,
    });
    byAlert.set(d.alertId, list);
  }
  return rows.map((r) => ({ ...view(r), deliveries: byAlert.get(r.id) ?? [] }));
}

export type AcknowledgeResult =
  | { readonly outcome: 'acknowledged' | 'already_acknowledged'; readonly alert: AlertView }
  | { readonly outcome: 'resolved'; readonly alert: AlertView }
  | { readonly outcome: 'not_found' };

/**
 * Records who acknowledged an open alert and when. Idempotent: a second acknowledgement (by anyone) keeps the
 * first one's name and time, so the record says who took the alert first. A resolved alert is not acknowledged.
 */
export async function acknowledgeAlert(db: Database, id: number, by: string, at: Date): Promise<AcknowledgeResult> {
  const [updated] = await db
    .update(alerts)
    .set({ status: 'acknowledged', acknowledgedBy: by, acknowledgedAt: at })
    .where(and(eq(alerts.id, id), eq(alerts.status, 'open')))
    .returning();
  if (updated) return { outcome: 'acknowledged', alert: view(updated) };
  const [row] = await db.select().from(alerts).where(eq(alerts.id, id));
  if (!row) return { outcome: 'not_found' };
  return { outcome: row.status === 'resolved' ? 'resolved' : 'already_acknowledged', alert: view(row) };
}

/** Counts per status, for a dashboard badge and for tests. */
export async function countAlertsByStatus(db: Database): Promise<Record<AlertStatus, number>> {
  const rows = await db
    .select({ status: alerts.status, n: sql<number>`count(*)::int` })
    .from(alerts)
    .groupBy(alerts.status);
  const out: Record<AlertStatus, number> = { open: 0, acknowledged: 0, resolved: 0 };
  for (const r of rows) out[r.status] = r.n;
  return out;
}
