/**
 * Stage 5: findings become alert rows (unique dedup key) with one delivery row per planned channel;
 * each delivery is sent at most once per channel. A `sent` delivery is written before the activity
 * returns, so a retry or a re-run day finds it and sends nothing.
 *
 * A worker killed between a provider accepting a message and the `sent` row committing leaves the
 * delivery `sending`. The retry resends email and PagerDuty (the provider deduplicates by Message-ID and
 * dedup_key) and does not resend Slack, which cannot: the delivery becomes `unconfirmed` and the
 * channel's fallbacks stand in. Known cost: a Slack post killed before it left is then not retried on
 * Slack; its alert still reaches the fallback channel.
 */
import { ApplicationFailure, log } from '@temporalio/activity';
import { and, eq, sql } from 'drizzle-orm';
import { buildAlert, channelsFor, type AlertFinding, type EscalationPolicy } from '../alerts/policy.js';
import { ChannelDeliveryError } from '../alerts/errors.js';
import { storeAlert } from '../alerts/store.js';
import type { AlertMessage, ChannelName } from '../alerts/types.js';
import type { Database } from '../db/client.js';
import { alertDeliveries, alerts } from '../db/schema/index.js';
import type {
  DeliveryOutcome,
  DriftResult,
  PerformanceResult,
  PlannedAlert,
  ReportsResult,
} from '../workflows/types.js';
import type { ActivityDeps } from './context.js';
import { InvalidInputError } from './errors.js';
import { reportUrl } from './reports.js';

export interface RecordAlertsInput {
  readonly date: string;
  readonly performance: PerformanceResult;
  readonly drift: DriftResult;
  readonly reports: ReportsResult;
  readonly escalation: EscalationPolicy;
}

const pct = (x: number): string => `${(x * 100).toFixed(1)}%`;

function driftFinding(deps: ActivityDeps, input: RecordAlertsInput): AlertFinding | null {
  const { evaluation } = input.drift;
  if (evaluation.severity === 'NONE') return null;
  const drifting = evaluation.features.filter((f) => f.status === 'DRIFT' || f.status === 'MODERATE');
  const names = drifting.map((f) => f.feature).join(', ');
  return {
    source: 'drift',
    level: evaluation.severity,
    date: input.date,
    modelVersion: input.drift.modelVersion,
    title: `Data drift ${evaluation.severity} for model ${input.drift.modelVersion} on ${input.date}`,
    summary: `${drifting.length} of ${evaluation.featuresTested} features drifting${names ? `: ${names}` : ''}`,
    body: drifting
      .map(
        (f) =>
          `${f.feature}: PSI ${f.psiDaily?.toFixed(3) ?? 'n/a'} (weekly ${f.psiWeekly?.toFixed(3) ?? 'n/a'}), ${f.action}`,
      )
      .join('\n'),
    links: [{ label: 'Drift report', url: reportUrl(deps.config, input.reports.driftReportPath) }],
  };
}

function degradationFinding(deps: ActivityDeps, input: RecordAlertsInput): AlertFinding | null {
  const { performance } = input;
  const { severity } = performance.degradation;
  if (severity === 'NONE' || severity === 'INSUFFICIENT_DATA') return null;
  const w = performance.windows.find((x) => x.windowDays === 30) ?? performance.windows[0];
  const candidate = performance.candidate
    ? ` Rollback candidate: ${performance.candidate.version} (F1 ${performance.candidate.f1.toFixed(3)}).`
    : '';
  return {
    source: 'degradation',
    level: severity,
    date: input.date,
    modelVersion: performance.modelVersion,
    title: `Model ${performance.modelVersion} F1 degradation ${severity} on ${input.date}`,
    summary: `F1 ${w ? w.f1.toFixed(3) : 'n/a'} vs test-set ${performance.baseline.f1.toFixed(3)} (drop ${pct(performance.degradation.relativeDrop)}).${candidate}`,
    body: performance.degradation.reason,
    links: [{ label: 'Performance report', url: reportUrl(deps.config, input.reports.performanceReportPath) }],
  };
}

/** Stores an alert once (its dedup key) with a pending delivery per planned channel; returns its id either way. */
export async function upsertAlert(
  db: Database,
  alert: AlertMessage,
  channels: readonly ChannelName[],
): Promise<number> {
  return (await storeAlert(db, alert, channels)).id;
}

export async function recordAlerts(deps: ActivityDeps, input: RecordAlertsInput): Promise<PlannedAlert[]> {
  const createdAt = deps.now().toISOString();
  const planned: PlannedAlert[] = [];
  for (const finding of [driftFinding(deps, input), degradationFinding(deps, input)]) {
    if (!finding) continue;
    const alert = buildAlert(finding, createdAt);
    if (!alert) continue;
    const channels = channelsFor(alert, input.escalation);
    const alertId = await upsertAlert(deps.db, alert, channels);
    planned.push({ alertId, dedupKey: alert.dedupKey, source: alert.source, level: alert.level, channels });
    log.info('alert recorded', { dedupKey: alert.dedupKey, channels: channels.length > 0 ? channels : 'log only' });
  }
  return planned;
}

/** Reads a stored alert back into the message every channel renders. */
async function loadAlertMessage(deps: ActivityDeps, alertId: number): Promise<AlertMessage> {
  const [row] = await deps.db.select().from(alerts).where(eq(alerts.id, alertId));
  if (!row) throw new InvalidInputError(`alert ${alertId} does not exist`);
  return {
    dedupKey: row.dedupKey,
    source: row.source,
    level: row.level,
    severity: row.severity,
    title: row.title,
    summary: row.summary,
    body: row.body,
    links: row.links,
    createdAt: row.createdAt.toISOString(),
    date: typeof row.alertDate === 'string' ? row.alertDate : String(row.alertDate),
    ...(row.modelVersion ? { modelVersion: row.modelVersion } : {}),
  };
}

/** Whether the provider itself drops a resent duplicate: the email's Message-ID, PagerDuty's dedup_key. */
const PROVIDER_DEDUPLICATES: Readonly<Record<ChannelName, boolean>> = { email: true, pagerduty: true, slack: false };

export async function deliverAlert(
  deps: ActivityDeps,
  input: { alertId: number; channel: ChannelName; fallbackFor?: ChannelName },
): Promise<DeliveryOutcome> {
  const { db } = deps;
  const { alertId, channel, fallbackFor } = input;
  await db
    .insert(alertDeliveries)
    .values({ alertId, channel, status: 'pending', fallbackFor: fallbackFor ?? null })
    .onConflictDoNothing();
  const where = and(eq(alertDeliveries.alertId, alertId), eq(alertDeliveries.channel, channel));
  const [delivery] = await db.select().from(alertDeliveries).where(where);
  const base = { alertId, channel, ...(fallbackFor ? { fallbackFor } : {}) };
  if (delivery?.status === 'sent') return { ...base, status: 'already_sent' };

  const adapter = deps.channels.get(channel);
  if (!adapter) {
    await db
      .update(alertDeliveries)
      .set({ status: 'skipped', lastError: `${channel} is not configured`, updatedAt: deps.now() })
      .where(where);
    log.warn('alert channel not configured', { alertId, channel });
    return { ...base, status: 'not_configured' };
  }

  // A send that was in flight when its worker died has an unknown outcome. Email (Message-ID) and PagerDuty
  // (dedup_key) are deduplicated by the provider, so they are resent; a Slack webhook has no idempotency key, so
  // the post is not repeated and the workflow's fallbacks stand in: never twice on Slack, and never lost overall.
  if ((delivery?.status === 'sending' || delivery?.status === 'unconfirmed') && !PROVIDER_DEDUPLICATES[channel]) {
    await db
      .update(alertDeliveries)
      .set({
        status: 'unconfirmed',
        lastError: `outcome unknown: a worker stopped during the ${channel} send; not resent, since ${channel} cannot deduplicate`,
        updatedAt: deps.now(),
      })
      .where(where);
    log.warn('alert send outcome unknown after a worker stopped mid-send; not resent', { alertId, channel });
    return { ...base, status: 'unconfirmed' };
  }

  const message = await loadAlertMessage(deps, alertId);
  // Marked before the request leaves, and counted as an attempt: a retry that finds `sending` knows the last
  // attempt died mid-send.
  await db
    .update(alertDeliveries)
    .set({ status: 'sending', attempts: sql`${alertDeliveries.attempts} + 1`, updatedAt: deps.now() })
    .where(where);
  try {
    const receipt = await adapter.send(message);
    await db
      .update(alertDeliveries)
      .set({
        status: 'sent',
        providerId: receipt.providerId,
        sentAt: deps.now(),
        updatedAt: deps.now(),
        lastError: null,
      })
      .where(where);
    log.info('alert sent', { dedupKey: message.dedupKey, channel, fallbackFor });
    return { ...base, status: 'sent' };
  } catch (err) {
    // The provider answered (or the connection failed) before accepting: safe to try again.
    const error = err instanceof Error ? err.message : String(err);
    await db.update(alertDeliveries).set({ status: 'pending', lastError: error, updatedAt: deps.now() }).where(where);
    if (err instanceof ChannelDeliveryError && !err.retryable) {
      throw ApplicationFailure.create({ type: 'ChannelRejectedError', message: error, nonRetryable: true });
    }
    throw err;
  }
}

export async function markDeliveryFailed(
  deps: ActivityDeps,
  input: { alertId: number; channel: ChannelName; error: string },
): Promise<void> {
  await deps.db
    .update(alertDeliveries)
    .set({ status: 'failed', lastError: input.error, updatedAt: deps.now() })
    .where(and(eq(alertDeliveries.alertId, input.alertId), eq(alertDeliveries.channel, input.channel)));
  log.error('alert delivery failed on every retry', {
    alertId: input.alertId,
    channel: input.channel,
    error: input.error,
  });
}
