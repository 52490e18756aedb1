import { sql } from 'drizzle-orm';
import { bigint, bigserial, check, date, integer, jsonb, pgTable, text, timestamp, unique } from 'drizzle-orm/pg-core';
import type { AlertLink } from '../../alerts/types.js';

/** One row per alert; the dedup key (source, level, day, version) is what makes sending once-only. */
export const alerts = pgTable(
  'alerts',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    dedupKey: text('dedup_key').notNull().unique(),
    source: text('source', { enum: ['drift', 'degradation', 'api', 'log', 'rollback'] }).notNull(),
    level: text('level').notNull(),
    severity: text('severity', { enum: ['info', 'warning', 'critical'] }).notNull(),
    title: text('title').notNull(),
    summary: text('summary').notNull(),
    body: text('body').notNull(),
    links: jsonb('links').$type<AlertLink[]>().notNull().default([]),
    alertDate: date('alert_date').notNull(),
    modelVersion: text('model_version'),
    status: text('status', { enum: ['open', 'acknowledged', 'resolved'] })
      .notNull()
      .default('open'),
    acknowledgedBy: text('acknowledged_by'),
    acknowledgedAt: timestamp('acknowledged_at', { withTimezone: true }),
    resolvedAt: timestamp('resolved_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [check('alerts_status_check', sql`${t.status} in ('open', 'acknowledged', 'resolved')`)],
);

/** Delivery of one alert on one channel; `sent` is written before the activity completes. */
export const alertDeliveries = pgTable(
  'alert_deliveries',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    alertId: bigint('alert_id', { mode: 'number' })
      .notNull()
      .references(() => alerts.id, { onDelete: 'cascade' }),
    channel: text('channel', { enum: ['slack', 'email', 'pagerduty'] }).notNull(),
    /**
     * sending: an attempt is in flight; unconfirmed: that attempt's worker died mid-send on a channel without an
     * idempotency key, so it is not resent (the fallbacks stand in) rather than risk posting twice.
     */
    status: text('status', { enum: ['pending', 'sending', 'sent', 'unconfirmed', 'failed', 'skipped'] }).notNull(),
    attempts: integer('attempts').notNull().default(0),
    providerId: text('provider_id'),
    lastError: text('last_error'),
    /** The channel this one stood in for when the planned channel kept failing. */
    fallbackFor: text('fallback_for'),
    details: jsonb('details').$type<Record<string, unknown>>().notNull().default({}),
    sentAt: timestamp('sent_at', { withTimezone: true }),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [unique('alert_deliveries_alert_channel').on(t.alertId, t.channel)],
);
