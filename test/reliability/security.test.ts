/**
 * Credentials and secrets on the real stack. The authenticated routes refuse a missing token (401) and a wrong one
 * (403). Then a real worker process and a real API process run with every secret configured (Slack webhook URL with
 * its token path, SMTP password, PagerDuty routing key, API tokens, a DATABASE_URL with a password), a pipeline day
 * and a round of API calls go through them, and no line they write, no line the in-process intake logs, and no
 * report file contains any secret value.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_ESCALATION_POLICY } from '../../alerts/policy.js';
import { buildApp } from '../../api/app.js';
import { DEFAULT_API_CONFIG } from '../../api/config.js';
import { predictionItem } from '../../api/test-fixtures.js';
import { alertRoutes } from '../../api/routes/alerts.js';
import { dashboardRoutes } from '../../api/routes/dashboard.js';
import { rollbackRoutes } from '../../api/routes/rollback.js';
import { queryRows } from '../../db/rows.js';
import { rootLogger } from '../../logging/logger.js';
import { buildBaselines, runDay } from '../../temporal/daily-runs.js';
import { startPipelineHarness, type PipelineHarness } from '../support/pipeline.js';
import { scenarioReport } from '../support/scenario-report.js';
import { waitFor } from '../support/rollback-fixtures.js';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '..', '..');
const TSX = path.join(ROOT, 'node_modules', '.bin', 'tsx');

/** Distinctive values, so a hit in a log line can only be a leak. */
const SECRETS = {
  slackToken: 'SLACKtok3n9f2c8e1d',
  smtpPassword: 'smtpPa55w0rd7b4e',
  pagerDutyKey: 'pdR0utingKey5a1c9d3e7f20b4',
  rollbackToken: 'r0llbackT0ken8c2f',
  webhookToken: 'amW3bhookT0ken4d1e',
  alertsApiToken: 'al3rtsApiT0ken6f0a',
  databasePassword: 'dbPassw0rd3e9c71',
  dashboardPassword: 'dashPa55w0rd1c8b',
  queryApiKey: 'qu3ryApiKey2b7d',
} as const;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

interface Child {
  readonly process: ChildProcess;
  output(): string;
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

function startChild(script: string, env: Record<string, string>): Child {
  const child = spawn(TSX, [path.join(ROOT, script)], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    process: child,
    output: () => output,
    async waitForLine(pattern, timeoutMs = 60_000) {
      const started = Date.now();
      while (!pattern.test(output)) {
        if (child.exitCode !== null)
          throw new Error(`${script} exited ${child.exitCode} before ${pattern}:\n${output}`);
        if (Date.now() - started > timeoutMs)
          throw new Error(`${script} did not print ${pattern} in ${timeoutMs} ms:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop() {
      if (child.exitCode === null) child.kill('SIGTERM');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 25_000))]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

/** Every file under `dir`, recursively, as text (gzipped rotations are not expected in a run this short). */
function filesUnder(dir: string): { file: string; text: string }[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    .map((file) => ({ file, text: fs.readFileSync(file, 'utf8') }));
}

function leaks(where: string, text: string): string[] {
  return Object.entries(SECRETS)
    .filter(([, value]) => text.includes(value))
    .map(([name]) => `${name} in ${where}`);
}

describe('credentials: authenticated routes refuse missing and wrong tokens; no secret reaches a log or report', () => {
  let h: PipelineHarness;
  let app: FastifyInstance;
  const captured: string[] = [];
  const report = scenarioReport();
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcp-security-'));
  const childQueue = `vcp-security-child-${Date.now().toString(36)}`;
  let worker: Child | undefined;
  let api: Child | undefined;

  beforeAll(async () => {
    h = await startPipelineHarness('security');
    const sink = new Writable({
      write: (chunk: Buffer, _encoding, done) => {
        captured.push(chunk.toString('utf8'));
        done();
      },
    });
    app = buildApp({
      db: h.database.handle.db,
      config: { ...DEFAULT_API_CONFIG, modelRefreshMs: 60_000 },
      log: rootLogger(sink).child({ logger: 'api' }),
      plugins: [
        rollbackRoutes({
          db: h.database.handle.db,
          temporalClient: h.env.client,
          taskQueue: childQueue,
          token: SECRETS.rollbackToken,
        }),
        dashboardRoutes({ user: 'ml-team', password: SECRETS.dashboardPassword, reportsDir: h.config.reportsDir }),
        alertRoutes({
          db: h.database.handle.db,
          temporalClient: h.env.client,
          taskQueue: childQueue,
          policy: DEFAULT_ESCALATION_POLICY,
          delivery: { maximumAttempts: 2, initialInterval: '200 ms' },
          webhookToken: SECRETS.webhookToken,
          apiToken: SECRETS.alertsApiToken,
        }),
      ],
    });
    await app.ready();
  });

  afterAll(async () => {
    report.flush();
    await worker?.stop();
    await api?.stop();
    await app?.close();
    await h?.close();
    fs.rmSync(workDir, { recursive: true, force: true });
  });

  const routes = [
    {
      name: 'rollback',
      method: 'POST' as const,
      url: '/api/v1/models/rollback?version=1.0.0',
      payload: { actor: 'asha' },
    },
    {
      name: 'Alertmanager intake',
      method: 'POST' as const,
      url: '/api/v1/alerts/alertmanager',
      payload: { version: '4', alerts: [] },
    },
    {
      name: 'alert acknowledgement',
      method: 'POST' as const,
      url: '/api/v1/alerts/1/acknowledge',
      payload: { by: 'asha' },
    },
  ];

  for (const route of routes) {
    it(`refuses the ${route.name} route without a token (401) and with a wrong one (403), changing nothing`, async () => {
      const before = await queryRows(
        h.database.handle.db,
        sql`select version, is_active from model_versions order by 1`,
      );
      const none = await app.inject({ method: route.method, url: route.url, payload: route.payload });
      expect(none.statusCode).toBe(401);
      expect(none.json<{ error: { code: string } }>().error.code).toBe('UNAUTHORIZED');
      for (const header of [
        'Bearer not-the-token',
        `Bearer ${SECRETS.rollbackToken}x`,
        `Basic ${Buffer.from('a:b').toString('base64')}`,
      ]) {
        const wrong = await app.inject({
          method: route.method,
          url: route.url,
          payload: route.payload,
          headers: { authorization: header },
        });
        expect([401, 403], header).toContain(wrong.statusCode);
        expect(wrong.body).not.toContain(SECRETS.rollbackToken);
      }
      const wrong = await app.inject({
        method: route.method,
        url: route.url,
        payload: route.payload,
        headers: { authorization: 'Bearer nope' },
      });
      expect(wrong.statusCode).toBe(403);
      expect(
        await queryRows(h.database.handle.db, sql`select version, is_active from model_versions order by 1`),
      ).toEqual(before);
    });
  }

  it('uses one route token per route: the rollback token does not open the alert routes', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/alerts/1/acknowledge',
      payload: { by: 'asha' },
      headers: { authorization: `Bearer ${SECRETS.rollbackToken}` },
    });
    expect(response.statusCode).toBe(403);
  });

  it('refuses /dashboard and its data without basic auth and with a wrong password (401), and never echoes it', async () => {
    const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    for (const url of ['/dashboard', '/dashboard/api/model', '/dashboard/api/alerts']) {
      const none = await app.inject({ method: 'GET', url });
      expect(none.statusCode, url).toBe(401);
      expect(none.headers['www-authenticate'], url).toMatch(/^Basic realm=/);
      for (const header of [
        basic('ml-team', 'wrong'),
        basic('intruder', SECRETS.dashboardPassword),
        `Bearer ${SECRETS.rollbackToken}`,
      ]) {
        const wrong = await app.inject({ method: 'GET', url, headers: { authorization: header } });
        expect(wrong.statusCode, `${url} ${header}`).toBe(401);
        expect(wrong.body).not.toContain(SECRETS.dashboardPassword);
      }
    }
    const ok = await app.inject({
      method: 'GET',
      url: '/dashboard',
      headers: { authorization: basic('ml-team', SECRETS.dashboardPassword) },
    });
    expect(ok.statusCode).toBe(200);
  });

  it('writes no secret into any log line or report while a worker and the API run a day and serve calls', async () => {
    const databaseUrl = new URL(h.database.url);
    databaseUrl.password = SECRETS.databasePassword;
    const shared = {
      DATABASE_URL: databaseUrl.toString(),
      TEMPORAL_ADDRESS: h.config.temporal.address,
      TEMPORAL_NAMESPACE: 'default',
      TEMPORAL_TASK_QUEUE: childQueue,
      LOG_LEVEL: 'DEBUG',
      TEMPORAL_LOG_LEVEL: 'INFO',
    };
    worker = startChild('workers/worker.ts', {
      ...shared,
      WORKER_METRICS_ADDRESS: `127.0.0.1:${await freePort()}`,
      DATA_DIR: path.join(workDir, 'worker'),
      REPORTS_DIR: path.join(workDir, 'worker', 'reports'),
      LOG_DIR: path.join(workDir, 'worker', 'logs'),
      BHAVCOPY_SOURCE: h.config.bhavcopySource,
      SLACK_WEBHOOK_URL: `${h.http.url}/slack/services/T0000/B0000/${SECRETS.slackToken}`,
      SMTP_HOST: h.smtp.host,
      SMTP_PORT: String(h.smtp.port),
      SMTP_USER: 'vcp-alerts',
      SMTP_PASSWORD: SECRETS.smtpPassword,
      ALERT_EMAIL_FROM: 'vcp-monitor@test.local',
      ALERT_EMAIL_TO: 'ml-team@test.local',
      PAGERDUTY_ROUTING_KEY: SECRETS.pagerDutyKey,
      PAGERDUTY_EVENTS_URL: `${h.http.url}/pagerduty`,
    });
    const port = await freePort();
    api = startChild('api/server.ts', {
      ...shared,
      API_HOST: '127.0.0.1',
      API_PORT: String(port),
      DATA_DIR: path.join(workDir, 'api'),
      LOG_DIR: path.join(workDir, 'api', 'logs'),
      ROLLBACK_API_TOKEN: SECRETS.rollbackToken,
      DASHBOARD_PASSWORD: SECRETS.dashboardPassword,
    });
    await Promise.all([worker.waitForLine(/worker connected/), api.waitForLine(/api listening/)]);

    // A pipeline day on the child worker.
    for (const model of h.manifest.models)
      await buildBaselines(h.env.client, { modelVersion: model.version, taskQueue: childQueue });
    const summary = await runDay(h.env.client, {
      date: h.manifest.tradingDays[0]!,
      settings: h.settings,
      taskQueue: childQueue,
    });
    expect(summary.tradingDay).toBe(true);

    // API calls to the child API, tokens right and wrong, one in the query string.
    const base = `http://127.0.0.1:${port}`;
    const calls: [string, RequestInit, number][] = [
      ['/healthz', {}, 200],
      [
        `/api/v1/predict?api_key=${SECRETS.queryApiKey}`,
        { method: 'POST', body: JSON.stringify(predictionItem(500004, h.manifest.tradingDays[0]!)) },
        200,
      ],
      [
        '/api/v1/models/rollback?version=7.7.7',
        { method: 'POST', headers: { authorization: `Bearer ${SECRETS.rollbackToken}`, 'x-actor': 'asha' } },
        404,
      ],
      [
        '/api/v1/models/rollback?version=1.0.0',
        { method: 'POST', headers: { authorization: `Bearer ${SECRETS.rollbackToken}-guess` } },
        403,
      ],
      ['/api/v1/models/rollback?version=1.0.0', { method: 'POST' }, 401],
    ];
    for (const [url, init, status] of calls) {
      const body = init.method === 'POST' ? (init.body ?? '{}') : undefined;
      const response = await fetch(`${base}${url}`, {
        ...init,
        ...(body === undefined
          ? {}
          : { body, headers: { 'content-type': 'application/json', ...(init.headers ?? {}) } }),
      });
      expect(response.status, url).toBe(status);
    }

    // An Alertmanager webhook through the in-process intake: its delivery runs on the child worker's channels.
    const intake = await app.inject({
      method: 'POST',
      url: '/api/v1/alerts/alertmanager',
      headers: { authorization: `Bearer ${SECRETS.webhookToken}` },
      payload: {
        version: '4',
        groupKey: '{}:{alertname="VcpApiHighErrorRate"}',
        status: 'firing',
        receiver: 'vcp-alert-intake',
        alerts: [
          {
            status: 'firing',
            labels: { alertname: 'VcpApiHighErrorRate', severity: 'critical', job: 'vcp-api' },
            annotations: { summary: 'error rate above 5%' },
            startsAt: new Date().toISOString(),
            endsAt: '0001-01-01T00:00:00Z',
          },
        ],
      },
    });
    expect(intake.statusCode).toBe(202);
    // The intake answers before its delivery workflow has written any rows, so "nothing pending" alone can hold
    // before the sends begin: wait for the Slack and PagerDuty requests as well.
    await waitFor(
      'deliveries to settle',
      async () => {
        if (!h.http.requests.some((r) => r.path.includes(SECRETS.slackToken))) return false;
        if (!h.http.requests.some((r) => r.path.startsWith('/pagerduty'))) return false;
        const [pending] = await queryRows<{ n: number }>(
          h.database.handle.db,
          sql`select count(*)::int as n from alert_deliveries where status = 'pending'`,
        );
        return pending!.n === 0;
      },
      60_000,
    );
    // The secrets were really in use: the Slack request went to the token path, PagerDuty got the routing key.
    expect(h.http.requests.some((r) => r.path.includes(SECRETS.slackToken))).toBe(true);
    expect(h.http.requests.some((r) => r.path.startsWith('/pagerduty'))).toBe(true);

    await worker.stop();
    await api.stop();
    const sources = [
      { where: 'worker stdout/stderr', text: worker.output() },
      { where: 'api stdout/stderr', text: api.output() },
      { where: 'in-process API log', text: captured.join('') },
      ...filesUnder(workDir).map((f) => ({ where: path.relative(workDir, f.file), text: f.text })),
    ];
    // The capture must have caught real traffic, or an empty log would pass.
    expect(worker.output()).toMatch(/daily monitoring finished|ground truth collected/);
    expect(api.output()).toMatch(/api\/v1\/predict/);
    expect(captured.join('')).toMatch(/alertmanager alert taken/);
    expect(filesUnder(path.join(workDir, 'worker', 'reports')).length).toBeGreaterThan(0);
    // Both processes write app.log under LOG_DIR (logging/ file streams); those lines are searched too.
    expect(filesUnder(path.join(workDir, 'worker', 'logs')).map((f) => path.basename(f.file))).toContain('app.log');
    expect(filesUnder(path.join(workDir, 'api', 'logs')).map((f) => path.basename(f.file))).toContain('app.log');
    expect(sources.flatMap((s) => leaks(s.where, s.text))).toEqual([]);
    const lines = sources.reduce((n, src) => n + src.text.split('\n').filter((l) => l.trim() !== '').length, 0);
    const [dup] = await queryRows<{ n: number }>(
      h.database.handle.db,
      sql`select count(*)::int as n from (select alert_id, channel from alert_deliveries group by 1, 2 having count(*) > 1) d`,
    );
    report.add({
      scenario: 'secrets: worker + API processes with every secret set',
      runs: 1,
      completed: summary.tradingDay ? 1 : 0,
      duplicates: dup!.n,
      lostRows: 0,
      note: `no secret in ${lines} log/report lines from ${sources.length} sources`,
    });
  });
});
