/**
 * What the crash and restart scenarios share: a base database that already holds the days before the disturbed
 * one, a clone of it per scenario, child-process workers pointed at real receivers, and a snapshot of everything a
 * daily run leaves behind (rows without ids and clock columns, report files, messages as the receivers saw them),
 * so a disturbed run can be compared with the undisturbed reference run row by row.
 *
 * Cloning with `create database ... template` takes about a second; loading the synthetic set and running the
 * preceding days again for every scenario would take half a minute each, which is why the days before the
 * disturbed one are run once, undisturbed, in the base.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { sql } from 'drizzle-orm';
import postgres from 'postgres';
import { readConfig } from '../../config/index.js';
import { readMonitoringSettings } from '../../config/monitoring-settings.js';
import { openDatabase, type DatabaseHandle } from '../../db/client.js';
import { queryRows } from '../../db/rows.js';
import { tradeDateFromFileName } from '../../activities/bhavcopy-source.js';
import { loadSyntheticData, readManifest, type SyntheticManifest } from '../../loaders/synthetic.js';
import { ensureSyntheticData } from '../../scripts/lib/synthetic-data.js';
import { buildBaselines, runDay } from '../../temporal/daily-runs.js';
import { createWorker } from '../../workers/create-worker.js';
import type { DeliverySettings } from '../../workflows/delivery.js';
import type { DailyRunSummary, MonitoringSettings } from '../../workflows/types.js';
import { startChildWorker, type ChildWorker } from '../support/child-worker.js';
import { startHttpRecorder, startSmtpReceiver, type HttpRecorder, type SmtpReceiver } from '../support/receivers.js';
import { workflowBundle } from '../support/temporal.js';

export const SHARED_ADMIN_URL = process.env.TEST_DATABASE_ADMIN_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DATA_DIR = path.join(os.tmpdir(), 'vcp-monitor-test-data', 'seed-8');

/** The days the suite runs: a few before the regime change (labels, metrics, a weekly drift window) and the day. */
export interface FaultDays {
  readonly before: readonly string[];
  /** The regime-change day: the disturbed run, with a CRITICAL drift alert on pagerduty, slack and email. */
  readonly day: string;
}

export function faultDays(manifest: SyntheticManifest, daysBefore = 4): FaultDays {
  const at = manifest.tradingDays.indexOf(manifest.regimeChangeDate);
  if (at < daysBefore)
    throw new Error(`regime change ${manifest.regimeChangeDate} has no ${daysBefore} days before it`);
  return { before: manifest.tradingDays.slice(at - daysBefore, at), day: manifest.regimeChangeDate };
}

/**
 * Settings of the disturbed run. Start-to-close timeouts of seconds are how fast a stage held by a killed worker
 * is retried elsewhere; every stage of the regime-change day takes under 1.5 s undisturbed.
 */
export function faultSettings(stageTimeout = '6 seconds'): MonitoringSettings {
  const base = readMonitoringSettings({
    ALERT_RETRY_INITIAL_INTERVAL: '200 ms',
    STAGE_TIMEOUT_INGEST: stageTimeout,
    STAGE_TIMEOUT_COMPUTE: stageTimeout,
    STAGE_TIMEOUT_RECORD: stageTimeout,
    // The approval workflow's id is unique per version and day and REJECT_DUPLICATE: on one dev server only the
    // first scenario could open it, so it is left to test/rollback-crash.test.ts and kept out of these runs.
    ROLLBACK_APPROVAL_ENABLED: 'false',
  });
  const delivery: DeliverySettings['delivery'] = { ...base.delivery, attemptTimeout: stageTimeout };
  return { ...base, delivery };
}

export async function syntheticData(): Promise<{ dataDir: string; manifest: SyntheticManifest }> {
  await ensureSyntheticData({ dir: DATA_DIR });
  return { dataDir: DATA_DIR, manifest: await readManifest(DATA_DIR) };
}

/**
 * A BhavCopy directory holding only the files from a few trading days before the first run to the disturbed day.
 * The first run ingests every file up to its date, which for the whole synthetic history costs a minute; labels of
 * predictions older than the subset stay pending, the same way in every scenario and in the reference.
 */
export function bhavcopySubset(dataDir: string, manifest: SyntheticManifest, days: FaultDays, workDir: string): string {
  const first =
    manifest.tradingDays[Math.max(0, manifest.tradingDays.indexOf(days.before[0] ?? days.day) - 6)] ?? days.day;
  const source = path.join(dataDir, 'bhavcopy');
  const dir = path.join(workDir, 'bhavcopy');
  fs.mkdirSync(dir, { recursive: true });
  for (const name of fs.readdirSync(source)) {
    const date = tradeDateFromFileName(name);
    if (date !== null && date >= first && date <= days.day)
      fs.symlinkSync(path.join(source, name), path.join(dir, name));
  }
  return dir;
}

function urlFor(adminUrl: string, database: string): string {
  const url = new URL(adminUrl);
  url.pathname = `/${database}`;
  return url.toString();
}

async function admin<T>(adminUrl: string, fn: (client: postgres.Sql) => Promise<T>): Promise<T> {
  const client = postgres(adminUrl, { max: 1, onnotice: () => undefined });
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

export interface Base {
  readonly adminUrl: string;
  readonly name: string;
  readonly reportsDir: string;
  drop(): Promise<void>;
}

/**
 * A database with the synthetic set loaded, the baselines built and the days before the disturbed one run by an
 * in-process worker; its connections are closed so it can serve as a template.
 */
export async function prepareBase(options: {
  readonly adminUrl: string;
  readonly name: string;
  readonly env: TestWorkflowEnvironment;
  readonly days: FaultDays;
  readonly dataDir: string;
  readonly bhavcopyDir: string;
  readonly workDir: string;
  readonly models: readonly string[];
}): Promise<Base> {
  const { adminUrl, name } = options;
  await admin(adminUrl, (c) =>
    c.unsafe(`drop database if exists ${name} with (force)`).then(() => c.unsafe(`create database ${name}`)),
  );
  const handle = await openDatabase({ databaseUrl: urlFor(adminUrl, name), dataDir: '/nonexistent' });
  const reportsDir = path.join(options.workDir, `${name}-reports`);
  try {
    await handle.migrate();
    await loadSyntheticData(handle.db, options.dataDir);
    const taskQueue = `${name}-base`;
    const config = readConfig({
      DATA_DIR: options.workDir,
      REPORTS_DIR: reportsDir,
      BHAVCOPY_SOURCE: options.bhavcopyDir,
      TEMPORAL_TASK_QUEUE: taskQueue,
    });
    const worker = await createWorker({
      connection: options.env.nativeConnection,
      namespace: 'default',
      taskQueue,
      deps: { db: handle.db, config, channels: new Map(), now: () => new Date() },
      workflowBundle: await workflowBundle(),
    });
    await worker.runUntil(async () => {
      for (const modelVersion of options.models) await buildBaselines(options.env.client, { modelVersion, taskQueue });
      const settings = readMonitoringSettings({});
      for (const date of options.days.before) await runDay(options.env.client, { date, settings, taskQueue });
    });
  } finally {
    await handle.close();
  }
  return {
    adminUrl,
    name,
    reportsDir,
    drop: () => admin(adminUrl, (c) => c.unsafe(`drop database if exists ${name} with (force)`)).then(() => undefined),
  };
}

/** One scenario's own database (a clone of the base), receivers, reports directory and task queue. */
export interface World {
  readonly name: string;
  readonly databaseName: string;
  readonly databaseUrl: string;
  readonly handle: DatabaseHandle;
  readonly reportsDir: string;
  /** Where the base's days wrote their reports; their stored paths point there. */
  readonly baseReportsDir: string;
  readonly taskQueue: string;
  readonly smtp: SmtpReceiver;
  readonly http: HttpRecorder;
  readonly children: ChildWorker[];
  /** A child worker for this world; `fault` adds the FAULT_* variables. */
  startWorker(fault?: Readonly<Record<string, string>>, temporalAddress?: string): Promise<ChildWorker>;
  close(): Promise<void>;
}

export async function createWorld(options: {
  readonly base: Base;
  readonly name: string;
  readonly temporalAddress: string;
  readonly bundlePath: string;
  readonly bhavcopyDir: string;
  readonly workDir: string;
}): Promise<World> {
  const { base, name } = options;
  const databaseName = `${base.name}_${name}`.toLowerCase().replace(/[^a-z0-9_]/g, '_');
  await admin(base.adminUrl, async (c) => {
    await c.unsafe(`drop database if exists ${databaseName} with (force)`);
    await c.unsafe(`create database ${databaseName} template ${base.name}`);
  });
  const databaseUrl = urlFor(base.adminUrl, databaseName);
  const handle = await openDatabase({ databaseUrl, dataDir: '/nonexistent', maxConnections: 2 });
  const workDir = path.join(options.workDir, name);
  const reportsDir = path.join(workDir, 'reports');
  fs.mkdirSync(workDir, { recursive: true });
  if (fs.existsSync(base.reportsDir)) fs.cpSync(base.reportsDir, reportsDir, { recursive: true });
  const [smtp, http] = await Promise.all([
    startSmtpReceiver(),
    startHttpRecorder({ respond: (req) => ({ status: req.url?.startsWith('/pagerduty') ? 202 : 200 }) }),
  ]);
  const taskQueue = `reliability-${name}`;
  const children: ChildWorker[] = [];
  const env = (temporalAddress: string): Record<string, string> => ({
    DATABASE_URL: databaseUrl,
    TEMPORAL_ADDRESS: temporalAddress,
    TEMPORAL_TASK_QUEUE: taskQueue,
    BHAVCOPY_SOURCE: options.bhavcopyDir,
    REPORTS_DIR: reportsDir,
    DATA_DIR: workDir,
    BUNDLE_PATH: options.bundlePath,
    SLACK_WEBHOOK_URL: `${http.url}/slack/services/TEST`,
    SMTP_HOST: smtp.host,
    SMTP_PORT: String(smtp.port),
    ALERT_EMAIL_FROM: 'vcp-monitor@test.local',
    ALERT_EMAIL_TO: 'ml-team@test.local',
    PAGERDUTY_ROUTING_KEY: 'test-routing-key',
    PAGERDUTY_EVENTS_URL: `${http.url}/pagerduty`,
  });
  return {
    name,
    databaseName,
    databaseUrl,
    handle,
    reportsDir,
    baseReportsDir: base.reportsDir,
    taskQueue,
    smtp,
    http,
    children,
    async startWorker(fault = {}, temporalAddress = options.temporalAddress) {
      const child = await startChildWorker({ ...env(temporalAddress), ...fault });
      children.push(child);
      return child;
    },
    async close() {
      await Promise.allSettled(children.map((c) => c.kill()));
      await Promise.allSettled([smtp.close(), http.close(), handle.close()]);
      await admin(base.adminUrl, (c) => c.unsafe(`drop database if exists ${databaseName} with (force)`)).catch(
        () => undefined,
      );
      fs.rmSync(workDir, { recursive: true, force: true });
    },
  };
}

// --- snapshots ------------------------------------------------------------------------------------------------------

/** Tables the daily pipeline writes, each with its natural key (what an upsert is keyed on). */
const PIPELINE_TABLES: Readonly<Record<string, { readonly from: string; readonly key: string }>> = {
  bhavcopy_files: { from: 'bhavcopy_files', key: 'trade_date' },
  daily_prices: { from: 'daily_prices', key: 'trade_date, bse_code' },
  production_labels: { from: 'production_labels', key: 'bse_code, prediction_date' },
  model_performance_history: { from: 'model_performance_history', key: 'evaluation_date, model_version, window_days' },
  drift_feature_results: { from: 'drift_feature_results', key: 'report_date, model_version, feature_name' },
  monitoring_reports: { from: 'monitoring_reports', key: 'kind, report_date, model_version' },
  alerts: { from: 'alerts', key: 'dedup_key' },
  alert_deliveries: { from: 'alert_deliveries', key: 'alert_id, channel' },
  monitoring_runs: { from: 'monitoring_runs', key: 'run_date' },
  model_rollback_history: { from: 'model_rollback_history', key: 'workflow_id, event, sequence' },
};

/**
 * Columns left out of the comparison: surrogate ids, clock columns, the Temporal run id, the try counter (a
 * retried send legitimately counts two attempts) and the run summary, which is compared on its own.
 */
const NOT_COMPARED = ['run_id', 'attempts', 'summary', 'alert_id'];

export interface Snapshot {
  /** Per table, each row as normalised JSON text, sorted. */
  readonly rows: Readonly<Record<string, readonly string[]>>;
  /** The stored run summary as comparableSummary gives it, paths normalised. */
  readonly summary: Readonly<Record<string, unknown>> | null;
  /** Per table, rows beyond the first for any natural key. */
  readonly duplicateKeys: Readonly<Record<string, number>>;
  readonly reports: Readonly<Record<string, string>>;
  /** Per channel, each received message normalised, in arrival order. */
  readonly messages: Readonly<Record<'slack' | 'pagerduty' | 'email', readonly string[]>>;
  /** Per channel, the provider-side identity of each message: Slack none (its body), PagerDuty dedup_key, email Message-ID. */
  readonly messageKeys: Readonly<Record<'slack' | 'pagerduty' | 'email', readonly string[]>>;
  readonly sentRows: Readonly<Record<string, number>>;
}

export function normaliser(world: World): (text: string) => string {
  return (text) =>
    text
      .replaceAll(world.reportsDir, '<reports>')
      .replaceAll(world.baseReportsDir, '<reports>')
      .replace(/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)?/g, '<time>');
}

export async function snapshot(world: World, day: string): Promise<Snapshot> {
  const db = world.handle.db;
  const normalise = normaliser(world);
  const excluded = await queryRows<{ table_name: string; column_name: string }>(
    db,
    sql`select table_name, column_name from information_schema.columns
        where table_schema = 'public'
          and (data_type like 'timestamp%' or column_default like 'nextval%' or column_name in ${sql.raw(`(${NOT_COMPARED.map((c) => `'${c}'`).join(', ')})`)})`,
  );
  const rows: Record<string, string[]> = {};
  const duplicateKeys: Record<string, number> = {};
  for (const [table, { from, key }] of Object.entries(PIPELINE_TABLES)) {
    const drop = excluded.filter((c) => c.table_name === from).map((c) => c.column_name);
    const dropList = drop.length > 0 ? ` - array[${drop.map((c) => `'${c}'`).join(', ')}]` : '';
    // Half a million price rows compare as one aggregate; the rest row by row.
    const query =
      table === 'daily_prices'
        ? `select jsonb_build_object('n', count(*), 'close', sum(close::numeric)::text, 'days', count(distinct trade_date))::text as r from daily_prices`
        : table === 'alert_deliveries'
          ? `select (to_jsonb(t)${dropList} || jsonb_build_object('dedup_key', a.dedup_key))::text as r
             from alert_deliveries t join alerts a on a.id = t.alert_id`
          : `select (to_jsonb(t)${dropList})::text as r from ${from} t`;
    rows[table] = (await queryRows<{ r: string }>(db, sql.raw(query))).map((r) => normalise(r.r)).sort();
    const [dup] = await queryRows<{ n: number }>(
      db,
      sql.raw(`select (count(*) - count(distinct (${key})))::int as n from ${from}`),
    );
    duplicateKeys[table] = dup?.n ?? 0;
  }
  const [run] = await queryRows<{ summary: unknown }>(
    db,
    sql`select summary from monitoring_runs where run_date = ${day}`,
  );
  const summary = run
    ? (JSON.parse(normalise(JSON.stringify(comparableSummary(run.summary as DailyRunSummary)))) as Record<
        string,
        unknown
      >)
    : null;

  const reports: Record<string, string> = {};
  for (const file of [`drift_${day}.txt`, `performance_${day}.txt`]) {
    const at = path.join(world.reportsDir, file);
    reports[file] = fs.existsSync(at) ? normalise(fs.readFileSync(at, 'utf8')) : '<missing>';
  }

  const slack = world.http.requests.filter((r) => r.path.startsWith('/slack'));
  const pagerduty = world.http.requests.filter((r) => r.path.startsWith('/pagerduty'));
  const sent = await queryRows<{ channel: string; n: number }>(
    db,
    sql`select channel, count(*)::int as n from alert_deliveries where status = 'sent' group by 1`,
  );
  return {
    rows,
    summary,
    duplicateKeys,
    reports,
    messages: {
      slack: slack.map((r) => normalise(r.body)),
      pagerduty: pagerduty.map((r) => normalise(r.body)),
      email: world.smtp.messages.map((m) => normalise(`${m.messageId}\n${m.subject}\n${m.text ?? ''}`)),
    },
    messageKeys: {
      slack: slack.map((r) => normalise(r.body)),
      pagerduty: pagerduty.map((r) => String((r.json as { dedup_key?: unknown } | undefined)?.dedup_key)),
      email: world.smtp.messages.map((m) => String(m.messageId)),
    },
    sentRows: Object.fromEntries(sent.map((s) => [s.channel, s.n])),
  };
}

/**
 * The summary as an undisturbed run would write it: a delivery the retry found already sent is the same delivery,
 * and alert ids are surrogate keys (a retried insert may consume a sequence value).
 */
export function comparableSummary(summary: DailyRunSummary): unknown {
  return {
    ...summary,
    text: undefined,
    alerts: summary.alerts.map(({ alertId: _id, ...rest }) => rest),
    deliveries: summary.deliveries.map(({ alertId: _id, ...d }) => ({
      ...d,
      status: d.status === 'already_sent' ? 'sent' : d.status,
    })),
  };
}

/**
 * Summary fields that would count what the final attempt of a stage did rather than what the run did; compared
 * apart, so the table can say so. None today: labelsWritten is read back from the table (labels settled on the day).
 */
export const SUMMARY_ATTEMPT_COUNTERS: readonly string[] = [];

/** Attempt-local counters whose value differs from the reference (field -> [reference, scenario]). */
export function counterDifferences(reference: Snapshot, scenario: Snapshot): Record<string, [unknown, unknown]> {
  const out: Record<string, [unknown, unknown]> = {};
  for (const field of SUMMARY_ATTEMPT_COUNTERS) {
    const want = reference.summary?.[field];
    const got = scenario.summary?.[field];
    if (JSON.stringify(want) !== JSON.stringify(got)) out[field] = [want, got];
  }
  return out;
}

export interface Comparison {
  readonly lostRows: number;
  readonly extraRows: number;
  readonly duplicateRows: number;
  /** Messages a provider would show more than once after its own dedup (Slack has none). */
  readonly duplicateMessages: Readonly<Record<'slack' | 'pagerduty' | 'email', number>>;
  /** Human-readable differences, empty when the scenario matches the reference. */
  readonly differences: readonly string[];
}

function multisetMinus(a: readonly string[], b: readonly string[]): string[] {
  const left = new Map<string, number>();
  for (const x of b) left.set(x, (left.get(x) ?? 0) + 1);
  const out: string[] = [];
  for (const x of a) {
    const n = left.get(x) ?? 0;
    if (n > 0) left.set(x, n - 1);
    else out.push(x);
  }
  return out;
}

export function compareWithReference(reference: Snapshot, scenario: Snapshot): Comparison {
  const differences: string[] = [];
  let lostRows = 0;
  let extraRows = 0;
  for (const table of Object.keys(reference.rows)) {
    const lost = multisetMinus(reference.rows[table] ?? [], scenario.rows[table] ?? []);
    const extra = multisetMinus(scenario.rows[table] ?? [], reference.rows[table] ?? []);
    lostRows += lost.length;
    extraRows += extra.length;
    if (lost.length > 0)
      differences.push(`${table}: ${lost.length} reference rows missing, e.g. ${lost[0]?.slice(0, 300)}`);
    if (extra.length > 0)
      differences.push(`${table}: ${extra.length} rows not in the reference, e.g. ${extra[0]?.slice(0, 300)}`);
  }
  // The stored summary field by field (see SUMMARY_ATTEMPT_COUNTERS for fields compared apart).
  const summaryFields = new Set([...Object.keys(reference.summary ?? {}), ...Object.keys(scenario.summary ?? {})]);
  if (scenario.summary === null) differences.push('no stored run summary');
  for (const field of summaryFields) {
    if (SUMMARY_ATTEMPT_COUNTERS.includes(field)) continue;
    const want = JSON.stringify(reference.summary?.[field]);
    const got = JSON.stringify(scenario.summary?.[field]);
    if (want !== got)
      differences.push(`stored summary ${field}: reference ${want?.slice(0, 200)}, scenario ${got?.slice(0, 200)}`);
  }
  const duplicateRows = Object.values(scenario.duplicateKeys).reduce((a, b) => a + b, 0);
  if (duplicateRows > 0) differences.push(`natural keys repeated: ${JSON.stringify(scenario.duplicateKeys)}`);
  for (const [file, text] of Object.entries(reference.reports)) {
    if (scenario.reports[file] !== text) differences.push(`report ${file} differs from the reference`);
  }
  const channels = ['slack', 'pagerduty', 'email'] as const;
  const duplicateMessages = { slack: 0, pagerduty: 0, email: 0 };
  for (const channel of channels) {
    // PagerDuty and email fold a resend into one (dedup_key, Message-ID); Slack shows every post.
    duplicateMessages[channel] =
      channel === 'slack'
        ? scenario.messageKeys[channel].length - reference.messageKeys[channel].length
        : new Set(scenario.messageKeys[channel]).size - new Set(reference.messageKeys[channel]).size;
    const want = [...new Set(reference.messages[channel])].sort();
    const got = [...new Set(scenario.messages[channel])].sort();
    if (JSON.stringify(want) !== JSON.stringify(got)) {
      differences.push(
        `${channel} messages differ: reference ${want.length} distinct, scenario ${got.length} distinct`,
      );
    }
    if ((scenario.sentRows[channel] ?? 0) !== (reference.sentRows[channel] ?? 0)) {
      differences.push(
        `${channel}: ${scenario.sentRows[channel] ?? 0} sent rows, reference ${reference.sentRows[channel] ?? 0}`,
      );
    }
  }
  return { lostRows, extraRows, duplicateRows, duplicateMessages, differences };
}

// --- driving a run --------------------------------------------------------------------------------------------------

/** The activity types Temporal reports as pending for a workflow right now. */
export async function pendingActivities(client: Client, workflowId: string): Promise<string[]> {
  const description = await client.workflow.getHandle(workflowId).describe();
  return (description.raw.pendingActivities ?? []).map((a) => a.activityType?.name ?? '?');
}

/** Attempt numbers Temporal recorded for each started activity of a finished run, in order. */
export async function activityAttempts(
  client: Client,
  workflowId: string,
): Promise<{ type: string; attempt: number }[]> {
  const history = await client.workflow.getHandle(workflowId).fetchHistory();
  const scheduled = new Map<string, string>();
  const out: { type: string; attempt: number }[] = [];
  for (const event of history.events ?? []) {
    const s = event.activityTaskScheduledEventAttributes;
    if (s) scheduled.set(String(event.eventId), s.activityType?.name ?? '?');
    const started = event.activityTaskStartedEventAttributes;
    if (started)
      out.push({ type: scheduled.get(String(started.scheduledEventId)) ?? '?', attempt: started.attempt ?? 1 });
  }
  return out;
}

export async function waitUntil(
  what: string,
  check: () => Promise<boolean> | boolean,
  timeoutMs = 30_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await check()) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** Runs a shell command and returns its output; a failure carries the command's stderr. */
export function run(command: string, args: readonly string[]): string {
  return execFileSync(command, [...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}
