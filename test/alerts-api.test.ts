/**
 * The alert routes on a real Temporal dev server, a real Postgres and real local receivers: Alertmanager's webhook
 * (its real version 4 shape) is authenticated, validated, stored once per dedup key and delivered once by
 * deliverAlertWorkflow even when Alertmanager repeats it; resolved alerts close their row; the list, history and
 * acknowledge routes read and write the same table.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createChannels } from '../alerts/channels/index.js';
import { DEFAULT_ESCALATION_POLICY } from '../alerts/policy.js';
import type { AlertHistoryEntry, AlertView } from '../alerts/store.js';
import { buildApp } from '../api/app.js';
import { DEFAULT_API_CONFIG } from '../api/config.js';
import { alertRoutes } from '../api/routes/alerts.js';
import { readConfig } from '../config/index.js';
import { alertDeliveries, alerts } from '../db/schema/index.js';
import { createWorker } from '../workers/create-worker.js';
import { alertDeliveryWorkflowId } from '../workflows/deliver-alert.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { startHttpRecorder, startSmtpReceiver, type HttpRecorder, type SmtpReceiver } from './support/receivers.js';
import { startDevServer, workflowBundle } from './support/temporal.js';

const TASK_QUEUE = 'alerts-api-test';

/** Every body these routes answer with, loosely: each test reads the part its route sends. */
interface Reply {
  readonly error: { readonly code: string; readonly message: string; readonly field?: string };
  readonly ids: number[];
  readonly alerts: (AlertHistoryEntry & { readonly delivery: string; readonly inserted: boolean })[];
  readonly resolved: { readonly dedupKey: string; readonly id: number | null }[];
  readonly outcome: string;
  readonly alert: AlertView;
}
const WEBHOOK_TOKEN = 'am-webhook-secret';
const API_TOKEN = 'alerts-api-secret';

/** What Alertmanager 0.27 posts for one group: the fields the intake reads and the ones it ignores. */
function webhook(
  status: 'firing' | 'resolved',
  items: { alertname: string; severity: string; startsAt: string; summary?: string }[],
): Record<string, unknown> {
  return {
    version: '4',
    groupKey: '{}/{severity="critical"}:{alertname="VcpApiHighLatencyP95", job="vcp-api"}',
    truncatedAlerts: 0,
    status,
    receiver: 'vcp-alert-intake',
    groupLabels: { alertname: items[0]?.alertname ?? '', job: 'vcp-api' },
    commonLabels: { job: 'vcp-api' },
    commonAnnotations: {},
    externalURL: 'http://alertmanager:9093',
    alerts: items.map((a) => ({
      status,
      labels: { alertname: a.alertname, job: 'vcp-api', instance: 'api-1:8080', severity: a.severity },
      annotations: { summary: a.summary ?? `${a.alertname} is firing`, description: 'p95 above 150 ms for 5 minutes' },
      startsAt: a.startsAt,
      endsAt: status === 'resolved' ? '2025-11-14T21:00:00Z' : '0001-01-01T00:00:00Z',
      generatorURL: 'http://prometheus:9090/graph?g0.expr=job_endpoint%3Aapi_request_duration_seconds%3Ap95_5m',
      fingerprint: `fp-${a.alertname}`,
    })),
  };
}

// 20:05 UTC is 01:35 the next morning in Asia/Kolkata: the alert belongs to 2025-11-15.
const LATENCY = { alertname: 'VcpApiHighLatencyP95', severity: 'critical', startsAt: '2025-11-14T20:05:00.123Z' };
const ERRORS = { alertname: 'VcpApiHighErrorRate', severity: 'warning', startsAt: '2025-11-14T20:06:00Z' };

describe('alert routes against Temporal, Postgres and local receivers', () => {
  let env: TestWorkflowEnvironment;
  let database: TestDatabase;
  let smtp: SmtpReceiver;
  let http: HttpRecorder;
  let worker: Worker;
  let running: Promise<void>;
  let app: FastifyInstance;
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'vcp-alerts-api-'));

  const post = (url: string, payload: unknown, token?: string) =>
    app.inject({
      method: 'POST',
      url,
      payload: payload as Record<string, unknown>,
      headers: token ? { authorization: `Bearer ${token}` } : {},
    });
  /** The read routes need the alerts API token too. */
  const get = (url: string) => app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${API_TOKEN}` } });
  const slackPosts = () => http.requests.filter((r) => r.path.startsWith('/slack'));
  const pagerDutyPosts = () => http.requests.filter((r) => r.path.startsWith('/pagerduty'));

  beforeAll(async () => {
    [env, database, smtp, http] = await Promise.all([
      startDevServer(),
      createTestDatabase('alerts_api'),
      startSmtpReceiver(),
      startHttpRecorder({ respond: (req) => ({ status: req.url?.startsWith('/pagerduty') ? 202 : 200 }) }),
    ]);
    const db = database.handle.db;
    const channels = createChannels({
      slack: { webhookUrl: `${http.url}/slack/services/TEST` },
      email: { host: smtp.host, port: smtp.port, secure: false, from: 'vcp-monitor@test.local', to: ['ml@test.local'] },
      pagerduty: { routingKey: 'test-routing-key', endpoint: `${http.url}/pagerduty` },
    });
    worker = await createWorker({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue: TASK_QUEUE,
      deps: { db, config: readConfig({ DATA_DIR: tmp }), channels, now: () => new Date() },
      workflowBundle: await workflowBundle(),
    });
    running = worker.run();
    app = buildApp({
      db,
      config: DEFAULT_API_CONFIG,
      instrumentation: false,
      plugins: [
        alertRoutes({
          db,
          temporalClient: env.client,
          taskQueue: TASK_QUEUE,
          policy: DEFAULT_ESCALATION_POLICY,
          delivery: { maximumAttempts: 3, initialInterval: '200 ms' },
          webhookToken: WEBHOOK_TOKEN,
          apiToken: API_TOKEN,
        }),
      ],
    });
    await app.ready();
  });

  afterAll(async () => {
    await app?.close();
    worker?.shutdown();
    await running;
    await Promise.allSettled([env?.teardown(), smtp?.close(), http?.close()]);
    await database?.drop();
    fs.rmSync(tmp, { recursive: true, force: true });
  });

  it('refuses a webhook without a bearer token (401) and with the wrong one (403), storing nothing', async () => {
    const missing = await post('/api/v1/alerts/alertmanager', webhook('firing', [LATENCY]));
    expect(missing.statusCode).toBe(401);
    expect(missing.json<Reply>().error.code).toBe('UNAUTHORIZED');
    const wrong = await post('/api/v1/alerts/alertmanager', webhook('firing', [LATENCY]), 'not-the-token');
    expect(wrong.statusCode).toBe(403);
    expect(wrong.json<Reply>().error.message).toContain('ALERTMANAGER_WEBHOOK_TOKEN');
    expect(await database.handle.db.select().from(alerts)).toHaveLength(0);
  });

  it('answers 400 naming the bad field of a malformed payload', async () => {
    const cases: [unknown, string][] = [
      [{ ...webhook('firing', [LATENCY]), version: '3' }, 'body.version'],
      [{ ...webhook('firing', [LATENCY]), alerts: 'none' }, 'body.alerts'],
      [webhook('firing', [LATENCY, { ...ERRORS, severity: 'page' }]), 'body.alerts[1].labels.severity'],
      [webhook('firing', [{ ...LATENCY, startsAt: 'yesterday' }]), 'body.alerts[0].startsAt'],
      [webhook('firing', [{ ...LATENCY, alertname: '' }]), 'body.alerts[0].labels.alertname'],
    ];
    for (const [payload, field] of cases) {
      const res = await post('/api/v1/alerts/alertmanager', payload, WEBHOOK_TOKEN);
      expect(res.statusCode, field).toBe(400);
      expect(res.json<Reply>().error).toMatchObject({ code: 'VALIDATION_FAILED', field });
      expect(res.json<Reply>().error.message).toContain(field);
    }
    expect(await database.handle.db.select().from(alerts)).toHaveLength(0);
  });

  it('stores firing alerts with their policy channels and delivers each once, however often Alertmanager repeats', async () => {
    const db = database.handle.db;
    const payload = webhook('firing', [LATENCY, ERRORS]);
    const first = await post('/api/v1/alerts/alertmanager', payload, WEBHOOK_TOKEN);
    expect(first.statusCode).toBe(202);
    const body = first.json<Reply>();
    expect(body.ids).toHaveLength(2);
    expect(body.alerts.map((a: { dedupKey: string }) => a.dedupKey)).toEqual([
      'api:CRITICAL:2025-11-15#VcpApiHighLatencyP95',
      'api:WARNING:2025-11-15#VcpApiHighErrorRate',
    ]);
    expect(
      body.alerts.every((a: { delivery: string; inserted: boolean }) => a.delivery === 'started' && a.inserted),
    ).toBe(true);

    // Alertmanager resends the group while it fires (group_interval, repeat_interval) and after a timeout.
    for (let i = 0; i < 3; i++) {
      const again = await post('/api/v1/alerts/alertmanager', payload, WEBHOOK_TOKEN);
      expect(again.statusCode).toBe(202);
      expect(again.json<Reply>().ids).toEqual(body.ids);
      expect(
        again.json<Reply>().alerts.map((a: { delivery: string; inserted: boolean }) => [a.inserted, a.delivery]),
      ).toEqual([
        [false, 'already_started'],
        [false, 'already_started'],
      ]);
    }
    for (const a of body.alerts as { dedupKey: string }[]) {
      await env.client.workflow.getHandle(alertDeliveryWorkflowId(a.dedupKey)).result();
    }

    // critical -> PagerDuty and Slack; warning -> Slack. One message each, no email.
    expect(pagerDutyPosts()).toHaveLength(1);
    expect(pagerDutyPosts()[0]?.json).toMatchObject({ dedup_key: 'api:CRITICAL:2025-11-15#VcpApiHighLatencyP95' });
    expect(slackPosts()).toHaveLength(2);
    expect(smtp.messages).toHaveLength(0);
    const rows = await db
      .select({
        dedupKey: alerts.dedupKey,
        channel: alertDeliveries.channel,
        status: alertDeliveries.status,
        attempts: alertDeliveries.attempts,
      })
      .from(alertDeliveries)
      .innerJoin(alerts, eq(alerts.id, alertDeliveries.alertId))
      .orderBy(alerts.id, alertDeliveries.channel);
    expect(rows).toEqual([
      { dedupKey: 'api:CRITICAL:2025-11-15#VcpApiHighLatencyP95', channel: 'pagerduty', status: 'sent', attempts: 1 },
      { dedupKey: 'api:CRITICAL:2025-11-15#VcpApiHighLatencyP95', channel: 'slack', status: 'sent', attempts: 1 },
      { dedupKey: 'api:WARNING:2025-11-15#VcpApiHighErrorRate', channel: 'slack', status: 'sent', attempts: 1 },
    ]);
    const [stored] = await db.select().from(alerts).where(eq(alerts.id, body.ids[0]!));
    expect(stored).toMatchObject({ source: 'api', level: 'CRITICAL', severity: 'critical', status: 'open' });
    expect(stored?.links).toEqual([expect.objectContaining({ label: 'Prometheus' })]);
  });

  it('lists active alerts newest first and filters by status', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/v1/alerts' })).statusCode).toBe(401);
    expect((await app.inject({ method: 'GET', url: '/api/v1/alerts/history' })).statusCode).toBe(401);
    const res = await get('/api/v1/alerts');
    expect(res.statusCode).toBe(200);
    expect(res.json<Reply>().alerts.map((a: { status: string }) => a.status)).toEqual(['open', 'open']);
    const limited = await get('/api/v1/alerts?status=open&limit=1');
    expect(limited.json<Reply>().alerts).toHaveLength(1);
    const bad = await get('/api/v1/alerts?status=closed');
    expect(bad.statusCode).toBe(400);
    expect(bad.json<Reply>().error.field).toBe('query.status');
    const badLimit = await get('/api/v1/alerts?limit=0');
    expect(badLimit.json<Reply>().error.field).toBe('query.limit');
  });

  it('acknowledges with a bearer token, records who and when once, and answers 404 for an unknown id', async () => {
    const [open] = (await get('/api/v1/alerts?status=open')).json<Reply>().alerts as {
      id: number;
    }[];
    const url = `/api/v1/alerts/${open!.id}/acknowledge`;
    expect((await post(url, { by: 'asha' })).statusCode).toBe(401);
    expect((await post(url, { by: 'asha' }, 'wrong')).statusCode).toBe(403);
    const missingBy = await post(url, {}, API_TOKEN);
    expect(missingBy.statusCode).toBe(400);
    expect(missingBy.json<Reply>().error.field).toBe('body.by');

    const first = await post(url, { by: 'asha' }, API_TOKEN);
    expect(first.statusCode).toBe(200);
    expect(first.json<Reply>()).toMatchObject({
      outcome: 'acknowledged',
      alert: { status: 'acknowledged', acknowledgedBy: 'asha' },
    });
    const again = await post(url, { by: 'ravi' }, API_TOKEN);
    expect(again.statusCode).toBe(200);
    expect(again.json<Reply>().outcome).toBe('already_acknowledged');
    expect(again.json<Reply>().alert.acknowledgedBy).toBe('asha');
    expect(again.json<Reply>().alert.acknowledgedAt).toBe(first.json<Reply>().alert.acknowledgedAt);

    const unknown = await post('/api/v1/alerts/999999/acknowledge', { by: 'asha' }, API_TOKEN);
    expect(unknown.statusCode).toBe(404);
    const active = (await get('/api/v1/alerts?status=acknowledged')).json<Reply>().alerts;
    expect(active.map((a: { id: number }) => a.id)).toEqual([open!.id]);
  });

  it('resolves the stored alert when Alertmanager sends it resolved, after which acknowledging is a 409', async () => {
    const res = await post('/api/v1/alerts/alertmanager', webhook('resolved', [LATENCY, ERRORS]), WEBHOOK_TOKEN);
    expect(res.statusCode).toBe(202);
    expect(res.json<Reply>().ids).toEqual([]);
    expect(res.json<Reply>().resolved.map((r: { id: number | null }) => r.id !== null)).toEqual([true, true]);
    const rows = await database.handle.db.select().from(alerts).orderBy(alerts.id);
    expect(rows.map((r) => r.status)).toEqual(['resolved', 'resolved']);
    expect(rows.every((r) => r.resolvedAt instanceof Date)).toBe(true);
    // Acknowledged before it resolved: who took it stays on record.
    expect(rows.map((r) => r.acknowledgedBy)).toContain('asha');

    const conflict = await post(`/api/v1/alerts/${rows[0]!.id}/acknowledge`, { by: 'ravi' }, API_TOKEN);
    expect(conflict.statusCode).toBe(409);
    expect(conflict.json<Reply>().error.code).toBe('CONFLICT');
    expect((await get('/api/v1/alerts')).json<Reply>().alerts).toEqual([]);
    // No new sends: resolving is a status change here, not a message.
    expect(slackPosts().length + pagerDutyPosts().length).toBe(3);
  });

  it('returns the history of every alert with each channel outcome', async () => {
    const res = await get('/api/v1/alerts/history?days=1');
    expect(res.statusCode).toBe(200);
    const history = res.json<Reply>().alerts;
    expect(history).toHaveLength(2);
    const critical = history.find((a) => a.dedupKey.startsWith('api:CRITICAL'));
    expect(critical?.status).toBe('resolved');
    expect(critical?.deliveries.map((d) => [d.channel, d.status]).sort()).toEqual([
      ['pagerduty', 'sent'],
      ['slack', 'sent'],
    ]);
    const bad = await get('/api/v1/alerts/history?days=abc');
    expect(bad.statusCode).toBe(400);
    expect(bad.json<Reply>().error.field).toBe('query.days');
  });
});
