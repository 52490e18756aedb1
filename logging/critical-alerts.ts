/**
 * Turns CRITICAL log lines into on-call alerts: an `alerts` row with source 'log' and level CRITICAL, one per
 * message per IST day, delivered on the channels the escalation policy routes it to (PagerDuty by default).
 * The insert on the unique dedup key comes first and only the process whose insert wins sends, so a crash loop
 * logging the same CRITICAL line a thousand times pages once.
 *
 * Known shortcoming: delivery here is one attempt per channel (then the policy's fallbacks), not a retried
 * Temporal activity; a PagerDuty outage at that moment leaves the delivery `failed` in alert_deliveries and the
 * alert visible on the dashboard, but nobody is paged until an operator looks.
 */
import { createHash } from 'node:crypto';
import { and, eq, sql } from 'drizzle-orm';
import {
  buildAlert,
  channelsFor,
  DEFAULT_ESCALATION_POLICY,
  fallbacksFor,
  type EscalationPolicy,
} from '../alerts/policy.js';
import type { AlertChannel, AlertMessage, ChannelName } from '../alerts/types.js';
import { storeAlert } from '../alerts/store.js';
import type { Database } from '../db/client.js';
import { alertDeliveries } from '../db/schema/index.js';
import { componentLogger, type CriticalLogEvent } from './logger.js';
import { istDay } from './rotating-file.js';

export interface CriticalAlertSinkOptions {
  readonly db: Database;
  readonly channels: ReadonlyMap<ChannelName, AlertChannel>;
  readonly now?: () => Date;
  readonly policy?: EscalationPolicy;
}

export type CriticalAlertOutcome =
  | {
      readonly status: 'raised';
      readonly alertId: number;
      readonly dedupKey: string;
      readonly delivered: ChannelName[];
    }
  | { readonly status: 'duplicate'; readonly dedupKey: string };

export interface CriticalAlertSink {
  /** For `onCritical(sink.listener)`: starts handling the event and returns at once. */
  readonly listener: (event: CriticalLogEvent) => void;
  handle(event: CriticalLogEvent): Promise<CriticalAlertOutcome>;
  /** Resolves when every event handed to `listener` so far has been handled. */
  drain(): Promise<void>;
}

/** The dedup subject: the logger and static message. Long ones are hashed so the key stays under 255 characters. */
function subjectOf(event: CriticalLogEvent): string {
  const subject = `${event.logger ?? 'unknown'}: ${event.message ?? ''}`;
  if (encodeURIComponent(subject).length <= 160) return subject;
  return `${subject.slice(0, 60)}~${createHash('sha256').update(subject).digest('hex').slice(0, 16)}`;
}

export function criticalAlertFor(event: CriticalLogEvent, now: Date): AlertMessage {
  const message = event.message ?? '(no message)';
  const component = event.logger ?? 'unknown';
  const details = [
    `logger: ${component}`,
    `logged at: ${event.timestamp}`,
    `trace_id: ${event.trace_id ?? '-'}`,
    ...(event.err ? [`error: ${event.err.type ?? 'Error'}: ${event.err.message ?? ''}`, event.err.stack ?? ''] : []),
    `context: ${JSON.stringify(event.context ?? {})}`,
  ];
  const alert = buildAlert(
    {
      source: 'log',
      level: 'CRITICAL',
      date: istDay(now.getTime()),
      subject: subjectOf(event),
      title: `CRITICAL log from ${component}: ${message}`,
      summary: event.err?.message ? `${message} (${event.err.message})` : message,
      body: details.filter((line) => line !== '').join('\n'),
      links: [],
    },
    now.toISOString(),
  );
  // buildAlert answers null only for level NONE, which this never passes.
  if (!alert) throw new Error('buildAlert returned no alert for a CRITICAL log finding');
  return alert;
}

export function createCriticalAlertSink(options: CriticalAlertSinkOptions): CriticalAlertSink {
  const { db, channels } = options;
  const now = options.now ?? (() => new Date());
  const policy = options.policy ?? DEFAULT_ESCALATION_POLICY;
  // Failures here are logged at ERROR, never CRITICAL: a CRITICAL would come straight back into this sink.
  const log = componentLogger('critical-alerts');
  const pending = new Set<Promise<unknown>>();

  async function deliver(alertId: number, alert: AlertMessage, channel: ChannelName, fallbackFor?: ChannelName) {
    await db
      .insert(alertDeliveries)
      .values({ alertId, channel, status: 'pending', fallbackFor: fallbackFor ?? null })
      .onConflictDoNothing();
    const where = and(eq(alertDeliveries.alertId, alertId), eq(alertDeliveries.channel, channel));
    const adapter = channels.get(channel);
    if (!adapter) {
      await db
        .update(alertDeliveries)
        .set({ status: 'skipped', lastError: `${channel} is not configured` })
        .where(where);
      return false;
    }
    try {
      const receipt = await adapter.send(alert);
      const at = now();
      await db
        .update(alertDeliveries)
        .set({
          status: 'sent',
          providerId: receipt.providerId,
          attempts: sql`${alertDeliveries.attempts} + 1`,
          sentAt: at,
          updatedAt: at,
          lastError: null,
        })
        .where(where);
      return true;
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      await db
        .update(alertDeliveries)
        .set({ status: 'failed', attempts: sql`${alertDeliveries.attempts} + 1`, lastError: error, updatedAt: now() })
        .where(where);
      log.error({ err, channel, dedup_key: alert.dedupKey }, 'critical log alert delivery failed');
      return false;
    }
  }

  async function handle(event: CriticalLogEvent): Promise<CriticalAlertOutcome> {
    const alert = criticalAlertFor(event, now());
    const stored = await storeAlert(db, alert, []);
    if (!stored.inserted) return { status: 'duplicate', dedupKey: alert.dedupKey };
    const row = { id: stored.id };

    const delivered: ChannelName[] = [];
    for (const channel of channelsFor(alert, policy)) {
      if (await deliver(row.id, alert, channel)) {
        delivered.push(channel);
        continue;
      }
      for (const fallback of fallbacksFor(channel, policy)) {
        if (delivered.includes(fallback)) break;
        if (await deliver(row.id, alert, fallback, channel)) {
          delivered.push(fallback);
          break;
        }
      }
    }
    return { status: 'raised', alertId: row.id, dedupKey: alert.dedupKey, delivered };
  }

  return {
    handle,
    listener(event) {
      const job = handle(event).catch((err: unknown) =>
        log.error({ err, message_logged: event.message }, 'could not raise an alert for a CRITICAL log line'),
      );
      pending.add(job);
      void job.finally(() => pending.delete(job));
    },
    async drain() {
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}
