/**
 * CRITICAL log lines become alerts: a real Postgres for the alerts and alert_deliveries rows, a real HTTP receiver
 * standing in for PagerDuty's Events API, and the logger's own onCritical hook in between.
 */
import { eq } from 'drizzle-orm';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { PagerDutyChannel, SlackChannel } from '../alerts/channels/index.js';
import type { AlertChannel, ChannelName } from '../alerts/types.js';
import { alertDeliveries, alerts } from '../db/schema/index.js';
import { createCriticalAlertSink } from '../logging/critical-alerts.js';
import { closeLogging, componentLogger, configureLogging, flushLogs, onCritical } from '../logging/logger.js';
import { runWithTraceId } from '../logging/trace-context.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { startHttpRecorder, type HttpRecorder } from './support/receivers.js';

let db: TestDatabase;
let pagerduty: HttpRecorder;
let slack: HttpRecorder;
const ROUTING_KEY = 'R0UTINGKEY0000000000000000000000';

beforeAll(async () => {
  db = await createTestDatabase('logging_critical');
  pagerduty = await startHttpRecorder({ respond: () => ({ status: 202, body: '{"status":"success"}' }) });
  slack = await startHttpRecorder();
  await configureLogging({ stdout: false });
});

afterEach(async () => {
  await db.handle.db.delete(alerts);
  pagerduty.requests.length = 0;
  slack.requests.length = 0;
});

afterAll(async () => {
  await closeLogging();
  await pagerduty?.close();
  await slack?.close();
  await db?.drop();
});

function channelsWith(pagerdutyEndpoint: string): Map<ChannelName, AlertChannel> {
  return new Map<ChannelName, AlertChannel>([
    ['pagerduty', new PagerDutyChannel({ routingKey: ROUTING_KEY, endpoint: pagerdutyEndpoint, timeoutMs: 2_000 })],
    ['slack', new SlackChannel({ webhookUrl: `${slack.url}/services/T0/B0/X0` })],
  ]);
}

describe('critical log alerts', () => {
  it('pages once per message per day however often the CRITICAL line repeats, and records the delivery', async () => {
    const sink = createCriticalAlertSink({
      db: db.handle.db,
      channels: channelsWith(pagerduty.url),
      now: () => new Date('2026-03-14T09:00:00.000Z'),
    });
    const off = onCritical(sink.listener);
    try {
      const log = componentLogger('worker');
      await runWithTraceId('trace-crit-1', async () => {
        for (let i = 0; i < 5; i++)
          log.critical({ err: new Error('ECONNREFUSED 127.0.0.1:5432'), attempt: i }, 'database unreachable');
        log.critical('temporal connection lost');
        await flushLogs();
      });
      await sink.drain();
    } finally {
      off();
    }

    const rows = await db.handle.db.select().from(alerts).orderBy(alerts.id);
    expect(rows.map((r) => [r.source, r.level, r.severity, r.alertDate])).toEqual([
      ['log', 'CRITICAL', 'critical', '2026-03-14'],
      ['log', 'CRITICAL', 'critical', '2026-03-14'],
    ]);
    expect(rows[0]!.dedupKey).toBe(`log:CRITICAL:2026-03-14#${encodeURIComponent('worker: database unreachable')}`);
    expect(rows[0]!.body).toContain('trace_id: trace-crit-1');
    expect(rows[0]!.summary).toBe('database unreachable (ECONNREFUSED 127.0.0.1:5432)');

    expect(pagerduty.requests).toHaveLength(2);
    const event = pagerduty.requests.find((r) => (r.json as { dedup_key: string }).dedup_key === rows[0]!.dedupKey);
    expect(event?.path).toBe('/v2/enqueue');
    expect(event?.json).toMatchObject({
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      payload: { severity: 'critical', source: 'vcp-monitor/log', class: 'CRITICAL' },
    });
    expect(slack.requests).toHaveLength(0);

    const deliveries = await db.handle.db
      .select()
      .from(alertDeliveries)
      .where(eq(alertDeliveries.alertId, rows[0]!.id));
    expect(deliveries).toHaveLength(1);
    expect(deliveries[0]).toMatchObject({ channel: 'pagerduty', status: 'sent', attempts: 1 });
    expect(deliveries[0]!.sentAt).toBeInstanceOf(Date);
  });

  it('raises the same message again on the next IST day', async () => {
    let now = new Date('2026-03-14T18:29:00.000Z');
    const sink = createCriticalAlertSink({ db: db.handle.db, channels: channelsWith(pagerduty.url), now: () => now });
    const event = {
      timestamp: now.toISOString(),
      level: 'CRITICAL' as const,
      logger: 'api',
      message: 'disk full',
      context: {},
    };
    expect((await sink.handle(event)).status).toBe('raised');
    expect((await sink.handle(event)).status).toBe('duplicate');
    now = new Date('2026-03-14T18:31:00.000Z');
    const next = await sink.handle(event);
    expect(next).toMatchObject({ status: 'raised', dedupKey: expect.stringContaining(':2026-03-15#') as unknown });
    expect(pagerduty.requests).toHaveLength(2);
  });

  it('falls back to the policy fallback channel when PagerDuty refuses, and records both deliveries', async () => {
    const failing = await startHttpRecorder({ respond: () => ({ status: 400, body: '{"status":"invalid event"}' }) });
    try {
      const sink = createCriticalAlertSink({
        db: db.handle.db,
        channels: channelsWith(failing.url),
        now: () => new Date('2026-03-14T09:00:00Z'),
      });
      const outcome = await sink.handle({
        timestamp: '2026-03-14T09:00:00.000Z',
        level: 'CRITICAL',
        logger: 'api',
        message: 'model artifact unreadable',
        context: {},
      });
      // PagerDuty's fallbacks are email then Slack; email is not configured here, so Slack carries it.
      expect(outcome).toMatchObject({ status: 'raised', delivered: ['slack'] });
      const deliveries = await db.handle.db.select().from(alertDeliveries).orderBy(alertDeliveries.id);
      expect(deliveries.map((d) => [d.channel, d.status, d.fallbackFor])).toEqual([
        ['pagerduty', 'failed', null],
        ['email', 'skipped', 'pagerduty'],
        ['slack', 'sent', 'pagerduty'],
      ]);
      expect(slack.requests).toHaveLength(1);
    } finally {
      await failing.close();
    }
  });
});
