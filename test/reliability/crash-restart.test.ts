/**
 * Part A of the reliability suite: the daily run survives crashes and restarts with nothing lost and nothing
 * written or sent twice. Everything is real: a Temporal dev server, Postgres, child-process workers killed with
 * SIGKILL, SMTP and HTTP receivers. Each scenario runs the regime-change day (a CRITICAL drift alert to PagerDuty,
 * Slack and email) in its own clone of a base database that already holds the four trading days before it, and
 * compares every stored row, both report files and every received message with an undisturbed reference run.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Client } from '@temporalio/client';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { queryRows } from '../../db/rows.js';
import type { SyntheticManifest } from '../../loaders/synthetic.js';
import { startDailyRun } from '../../temporal/daily-runs.js';
import { installTemporalLogging } from '../../workers/temporal-logging.js';
import type { DailyRunSummary, MonitoringSettings } from '../../workflows/types.js';
import type { ChildWorker } from '../support/child-worker.js';
import { refusedPort } from '../support/receivers.js';
import { scenarioReport, type ScenarioRow } from '../support/scenario-report.js';
import { startDevServer, workflowBundle } from '../support/temporal.js';
import {
  activityAttempts,
  bhavcopySubset,
  compareWithReference,
  comparableSummary,
  counterDifferences,
  createWorld,
  faultDays,
  faultSettings,
  normaliser,
  pendingActivities,
  prepareBase,
  run,
  SHARED_ADMIN_URL,
  snapshot,
  syntheticData,
  type Base,
  type FaultDays,
  type Snapshot,
  type World,
} from './fault-fixture.js';

const report = scenarioReport();
const started = Date.now();

let env: TestWorkflowEnvironment;
let manifest: SyntheticManifest;
let dataDir: string;
let bhavcopyDir: string;
let days: FaultDays;
let base: Base;
let bundlePath: string;
let workDir: string;
let reference: { snapshot: Snapshot; summary: DailyRunSummary; result: string };
const settings = faultSettings();

/** The migrated, seeded base database of this file's world, on the Postgres cluster at `adminUrl`. */
function prepareBaseOn(adminUrl: string, name: string): Promise<Base> {
  return prepareBase({
    adminUrl,
    name,
    env,
    days,
    dataDir,
    bhavcopyDir,
    workDir,
    models: manifest.models.map((m) => m.version),
  });
}

async function withTimeout<T>(what: string, promise: Promise<T>, ms: number, world?: World): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      const logs = world?.children.map((c, i) => `--- child ${i}\n${c.output().slice(-2000)}`).join('\n') ?? '';
      reject(new Error(`${what} took over ${ms} ms\n${logs}`));
    }, ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function newWorld(name: string, options: { base?: Base; temporalAddress?: string } = {}): Promise<World> {
  return createWorld({
    base: options.base ?? base,
    name,
    temporalAddress: options.temporalAddress ?? env.address,
    bundlePath,
    bhavcopyDir,
    workDir,
  });
}

async function startRun(client: Client, world: World, runSettings: MonitoringSettings = settings) {
  return startDailyRun(client, { date: days.day, settings: runSettings, taskQueue: world.taskQueue });
}

/** The summary a run returned, without attempt-local counters and with paths normalised. */
function comparableResult(summary: DailyRunSummary, normalise: (text: string) => string): string {
  return normalise(
    JSON.stringify({ ...(comparableSummary(summary) as Record<string, unknown>), labelsWritten: undefined }),
  );
}

/** Compares a finished scenario with the reference, asserts the guarantees and adds its table row. */
async function judge(
  scenario: string,
  world: World,
  summary: DailyRunSummary,
  options: { slackInterrupted?: boolean; note?: string } = {},
): Promise<void> {
  // The worker may still be writing nothing at all; every write of the run happened before it completed.
  const snap = await snapshot(world, days.day);
  const cmp = compareWithReference(reference.snapshot, snap);
  const counters = counterDifferences(reference.snapshot, snap);
  // A Slack send cut off by the crash is left `unconfirmed` and not resent (Slack cannot deduplicate): that one
  // delivery row, and its status in the summary, are the only differences the design allows.
  const unconfirmed = options.slackInterrupted
    ? (snap.rows.alert_deliveries ?? []).filter(
        (r) => r.includes('"status": "unconfirmed"') && r.includes('"channel": "slack"'),
      )
    : [];
  const allowed = (d: string): boolean =>
    options.slackInterrupted === true &&
    (/^alert_deliveries: 1 /.test(d) || d.startsWith('stored summary deliveries') || /^slack: \d+ sent rows/.test(d));
  const differences = cmp.differences.filter((d) => !allowed(d));
  const lostRows = options.slackInterrupted ? cmp.lostRows - unconfirmed.length : cmp.lostRows;
  const extraRows = options.slackInterrupted ? cmp.extraRows - unconfirmed.length : cmp.extraRows;
  const completed = options.slackInterrupted
    ? summary.deliveries.filter((d) => d.status === 'unconfirmed').length === 1
    : comparableResult(summary, normaliser(world)) === reference.result;
  const providerDuplicates = cmp.duplicateMessages.pagerduty + cmp.duplicateMessages.email;
  const slackDuplicates = cmp.duplicateMessages.slack;
  const received = `received pd ${snap.messageKeys.pagerduty.length}, slack ${snap.messageKeys.slack.length}, email ${snap.messageKeys.email.length}`;
  const notes = [
    options.note,
    ...Object.entries(counters).map(
      ([field, [want, got]]) => `summary ${field} ${String(got)} (reference ${String(want)})`,
    ),
    (['pagerduty', 'slack', 'email'] as const).some(
      (c) => snap.messageKeys[c].length > reference.snapshot.messageKeys[c].length,
    )
      ? received
      : undefined,
    options.slackInterrupted
      ? `Slack posts ${snap.messageKeys.slack.length} (reference ${reference.snapshot.messageKeys.slack.length}): not resent; ${unconfirmed.length} delivery left unconfirmed`
      : undefined,
  ].filter((n): n is string => n !== undefined);
  const row: ScenarioRow = {
    scenario,
    runs: 1,
    completed: completed ? 1 : 0,
    duplicates: cmp.duplicateRows + extraRows + providerDuplicates + slackDuplicates,
    lostRows,
    ...(notes.length > 0 ? { note: notes.join('; ') } : {}),
  };
  report.add(row);
  expect(differences, scenario).toEqual([]);
  if (options.slackInterrupted) expect(unconfirmed, `${scenario}: unconfirmed Slack rows`).toHaveLength(1);
  expect(completed, `${scenario}: summary differs from the reference`).toBe(true);
  expect(providerDuplicates, `${scenario}: PagerDuty dedup keys or Message-IDs seen twice`).toBe(0);
  expect(slackDuplicates, `${scenario}: Slack posts`).toBe(0);
  // One sent row per alert and channel, except the interrupted Slack send, which is never counted as sent.
  const sentSlack = (reference.snapshot.sentRows.slack ?? 0) - unconfirmed.length;
  expect(snap.sentRows).toEqual({
    ...reference.snapshot.sentRows,
    ...(options.slackInterrupted ? { slack: sentSlack } : {}),
  });
}

/**
 * Holds `activity` in a child worker, kills the child with SIGKILL while Temporal lists the activity as pending,
 * and lets a fresh child finish the run.
 */
async function killDuring(
  name: string,
  activity: string,
  fault: Readonly<Record<string, string>>,
): Promise<{ world: World; summary: DailyRunSummary; attempts: { type: string; attempt: number }[] }> {
  const world = await newWorld(name);
  try {
    const doomed = await world.startWorker({ FAULT_HOLD_ACTIVITY: activity, FAULT_HOLD_MS: '120000', ...fault });
    const handle = await startRun(env.client, world);
    await withTimeout(`${activity} to be held`, doomed.waitForLine('fault-hold'), 60_000, world);
    expect(await pendingActivities(env.client, handle.workflowId)).toContain(activity);
    await doomed.kill();
    await world.startWorker();
    const summary = (await withTimeout(
      `the run after killing ${activity}`,
      handle.result(),
      120_000,
      world,
    )) as DailyRunSummary;
    const attempts = await activityAttempts(env.client, handle.workflowId);
    return { world, summary, attempts };
  } catch (err) {
    await world.close();
    throw err;
  }
}

beforeAll(async () => {
  process.env.TEMPORAL_LOG_LEVEL ??= 'WARN';
  installTemporalLogging();
  ({ dataDir, manifest } = await syntheticData());
  days = faultDays(manifest);
  workDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcp-reliability-'));
  fs.chmodSync(workDir, 0o755);
  bhavcopyDir = bhavcopySubset(dataDir, manifest, days, workDir);
  env = await startDevServer();
  console.log(`dev server up: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  bundlePath = path.join(workDir, 'workflow-bundle.js');
  fs.writeFileSync(bundlePath, (await workflowBundle()).code);
  base = await prepareBaseOn(SHARED_ADMIN_URL, `vcp_rel_base_${process.pid}`);
  console.log(`base ready: ${((Date.now() - started) / 1000).toFixed(1)} s`);
});

afterAll(async () => {
  report.flush();
  await env?.teardown();
  await base?.drop();
  if (workDir) fs.rmSync(workDir, { recursive: true, force: true });
  console.log(`reliability part A: ${((Date.now() - started) / 1000).toFixed(0)} s`);
});

describe('a daily run across crashes and restarts', () => {
  it('reference: the undisturbed regime-change day stores labels, metrics, drift, reports and a CRITICAL drift alert on three channels', async () => {
    const world = await newWorld('reference');
    try {
      await world.startWorker();
      const handle = await startRun(env.client, world);
      const summary = (await withTimeout('the reference run', handle.result(), 120_000, world)) as DailyRunSummary;
      const snap = await snapshot(world, days.day);
      expect(summary.drift).toBe('CRITICAL');
      expect(summary.labelsWritten).toBeGreaterThan(0);
      const drift = summary.alerts.find((a) => a.source === 'drift');
      expect(drift?.level).toBe('CRITICAL');
      expect([...(drift?.channels ?? [])].sort()).toEqual(['email', 'pagerduty', 'slack']);
      expect(summary.deliveries.length).toBeGreaterThanOrEqual(3);
      expect(summary.deliveries.every((d) => d.status === 'sent')).toBe(true);
      // One message per alert routed to a channel, and no more.
      for (const channel of ['pagerduty', 'slack', 'email'] as const) {
        const routed = summary.alerts.filter((a) => a.channels.includes(channel)).length;
        expect(snap.messageKeys[channel], channel).toHaveLength(routed);
        expect(new Set(snap.messageKeys[channel]).size, channel).toBe(routed);
      }
      expect(snap.rows.production_labels?.length).toBeGreaterThan(0);
      expect(snap.rows.model_performance_history?.length).toBeGreaterThan(0);
      expect(snap.rows.drift_feature_results?.length).toBe((days.before.length + 1) * 25);
      expect(Object.values(snap.reports)).not.toContain('<missing>');
      expect(Object.values(snap.duplicateKeys).every((n) => n === 0)).toBe(true);
      reference = { snapshot: snap, summary, result: comparableResult(summary, normaliser(world)) };
      report.add({
        scenario: 'reference (undisturbed)',
        runs: 1,
        completed: 1,
        duplicates: 0,
        lostRows: 0,
        note: `alerts ${summary.alerts.map((a) => `${a.source} ${a.level} -> ${a.channels.join('+')}`).join(', ')}`,
      });
    } finally {
      await world.close();
    }
  });

  // Held after the real activity returned: its writes are committed and Temporal has not heard, the worst moment.
  for (const activity of [
    'collectGroundTruth',
    'evaluatePerformance',
    'detectDrift',
    'writeReports',
    'recordAlerts',
    'recordRun',
  ]) {
    it(`SIGKILL during ${activity}: a fresh worker retries it and the run stores exactly the reference rows`, async () => {
      const { world, summary, attempts } = await killDuring(`kill_${activity}`, activity, { FAULT_HOLD_AFTER: '1' });
      try {
        expect(attempts.filter((a) => a.type === activity).map((a) => a.attempt)).toEqual([2]);
        await judge(`SIGKILL in ${activity} (after its writes)`, world, summary);
      } finally {
        await world.close();
      }
    });
  }

  it('SIGKILL during deliverAlert after the sent row committed: the retry finds it sent and sends nothing', async () => {
    const { world, summary } = await killDuring('kill_deliver_committed', 'deliverAlert', {
      FAULT_HOLD_AFTER: '1',
      FAULT_HOLD_CHANNEL: 'pagerduty',
    });
    try {
      expect(summary.deliveries.find((d) => d.channel === 'pagerduty')?.status).toBe('already_sent');
      await judge('SIGKILL in deliverAlert (pagerduty, after sent row)', world, summary);
    } finally {
      await world.close();
    }
  });

  for (const channel of ['pagerduty', 'email', 'slack'] as const) {
    it(`SIGKILL during deliverAlert between the ${channel} send and its sent row: ${
      channel === 'slack'
        ? 'not resent, left unconfirmed (Slack cannot deduplicate)'
        : 'the provider sees one dedup key'
    }`, async () => {
      const { world, summary } = await killDuring(`kill_send_${channel}`, 'deliverAlert', {
        FAULT_HOLD_AFTER: 'send',
        FAULT_HOLD_CHANNEL: channel,
      });
      try {
        const snap = await snapshot(world, days.day);
        // The retry resends: the receiver has the message twice, under the same provider-side key.
        const before = reference.snapshot.messageKeys[channel];
        if (channel !== 'slack') expect(snap.messageKeys[channel]).toHaveLength(before.length + 1);
        if (channel !== 'slack') expect(new Set(snap.messageKeys[channel]).size).toBe(new Set(before).size);
        await judge(`SIGKILL in deliverAlert (${channel}, after send, before sent row)`, world, summary, {
          slackInterrupted: channel === 'slack',
        });
      } finally {
        await world.close();
      }
    });
  }

  it('dropped database connections mid-stage: the attempt fails, Temporal retries it, the run stores the reference rows', async () => {
    const world = await newWorld('terminate');
    try {
      // The hold is a pg_sleep on the worker's own pool, so the terminated backend is a query in flight.
      const worker = await world.startWorker({
        FAULT_HOLD_ACTIVITY: 'detectDrift',
        FAULT_HOLD_MS: '20000',
        FAULT_HOLD_IN_DB: '1',
      });
      const handle = await startRun(env.client, world);
      await withTimeout('detectDrift to be held', worker.waitForLine('fault-hold'), 60_000, world);
      let terminated = 0;
      await waitForSleepingBackend(world);
      const rows = await queryRows<{ t: boolean }>(
        world.handle.db,
        sql.raw(`select pg_terminate_backend(pid) as t from pg_stat_activity
                 where datname = '${world.databaseName}' and pid <> pg_backend_pid()`),
      );
      terminated = rows.filter((r) => r.t).length;
      expect(terminated).toBeGreaterThan(0);
      const summary = (await withTimeout(
        'the run after dropped connections',
        handle.result(),
        120_000,
        world,
      )) as DailyRunSummary;
      const attempts = await activityAttempts(env.client, handle.workflowId);
      expect(attempts.find((a) => a.type === 'detectDrift')?.attempt).toBeGreaterThan(1);
      expect(worker.exited).toBe(false);
      await judge('pg_terminate_backend during detectDrift', world, summary, {
        note: `${terminated} backends terminated; detectDrift attempt ${attempts.find((a) => a.type === 'detectDrift')?.attempt}`,
      });
    } finally {
      await world.close();
    }
  });

  it('Postgres restarted while the run waits between collectGroundTruth and evaluatePerformance: the run completes', async () => {
    const pg = startPrivatePostgres(path.join(workDir, 'pg'));
    let privateBase: Base | undefined;
    let world: World | undefined;
    try {
      const port = await refusedPort();
      pg.start(port);
      privateBase = await prepareBaseOn(pg.adminUrl(), 'vcp_rel_private_base');
      world = await newWorld('pg_restart', { base: privateBase });
      const worker = await world.startWorker({ FAULT_HOLD_ACTIVITY: 'evaluatePerformance', FAULT_HOLD_MS: '4000' });
      const handle = await startRun(env.client, world);
      await withTimeout('evaluatePerformance to be held', worker.waitForLine('fault-hold'), 60_000, world);
      const restartStarted = Date.now();
      pg.restart();
      const restartMs = Date.now() - restartStarted;
      const summary = (await withTimeout(
        'the run after the Postgres restart',
        handle.result(),
        120_000,
        world,
      )) as DailyRunSummary;
      const attempts = await activityAttempts(env.client, handle.workflowId);
      const evaluate = attempts.find((a) => a.type === 'evaluatePerformance')?.attempt;
      await judge('Postgres restart between stages', world, summary, {
        note: `private PG 15 instance restarted in ${restartMs} ms; evaluatePerformance attempt ${evaluate}`,
      });
    } finally {
      await world?.close();
      await privateBase?.drop().catch(() => undefined);
      pg.stop();
    }
  });

  it('Temporal dev server restarted while a stage is held: the run resumes from its history and completes', async () => {
    const port = await refusedPort();
    const dbFilename = path.join(workDir, 'temporal-restart.db');
    let server = await startDevServer({ dbFilename, port });
    const world = await newWorld('temporal_restart', { temporalAddress: server.address });
    let replacement: ChildWorker | undefined;
    try {
      const worker = await world.startWorker({ FAULT_HOLD_ACTIVITY: 'detectDrift', FAULT_HOLD_MS: '8000' });
      // Long stage timeouts: the point is the server's outage, not a timed-out attempt.
      const handle = await startRun(server.client, world, faultSettings('60 seconds'));
      await withTimeout('detectDrift to be held', worker.waitForLine('fault-hold'), 60_000, world);
      const down = Date.now();
      await server.teardown();
      server = await startDevServer({ dbFilename, port });
      const outageMs = Date.now() - down;
      const resumed = server.client.workflow.getHandle(handle.workflowId);
      const summary = await withTimeout(
        'the run after the Temporal restart',
        (async () => {
          // The old worker keeps polling through the outage; if it gave up, a new one takes over.
          await new Promise((resolve) => setTimeout(resolve, 10_000));
          if (worker.exited) replacement = await world.startWorker({}, server.address);
          return (await resumed.result()) as DailyRunSummary;
        })(),
        150_000,
        world,
      );
      const attempts = await activityAttempts(server.client, handle.workflowId);
      await judge('Temporal dev server restart mid-stage', world, summary, {
        note: `server down ${outageMs} ms; ${replacement ? 'old worker exited, a new one finished' : 'same worker reconnected'}; detectDrift attempt ${attempts.find((a) => a.type === 'detectDrift')?.attempt}`,
      });
    } finally {
      await world.close();
      await server.teardown();
    }
  });
});

async function waitForSleepingBackend(world: World): Promise<void> {
  for (let i = 0; i < 50; i++) {
    const rows = await queryRows<{ n: number }>(
      world.handle.db,
      sql.raw(`select count(*)::int as n from pg_stat_activity where datname = '${world.databaseName}'
               and query like '%pg_sleep%' and pid <> pg_backend_pid()`),
    );
    if ((rows[0]?.n ?? 0) > 0) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error('the held pg_sleep never showed in pg_stat_activity');
}

/**
 * A private Postgres 15 instance (the machine's binaries, a temporary data directory) that this test may restart.
 * Restarting the machine's shared cluster would fail the other engineers' test runs on it at the same moment.
 */
function startPrivatePostgres(dir: string) {
  const version = fs.readdirSync('/etc/postgresql').sort().at(-1) ?? '15';
  const bin = `/usr/lib/postgresql/${version}/bin`;
  const data = path.join(dir, 'data');
  let port = 0;
  const asPostgres = (command: string, args: string[]): string =>
    run('runuser', ['-u', 'postgres', '--', path.join(bin, command), ...args]);
  return {
    start(p: number) {
      port = p;
      fs.mkdirSync(dir, { recursive: true });
      run('chown', ['postgres:postgres', dir]);
      asPostgres('initdb', ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync']);
      asPostgres('pg_ctl', [
        '-D',
        data,
        '-l',
        path.join(dir, 'server.log'),
        '-w',
        '-o',
        `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
        'start',
      ]);
    },
    adminUrl: () => `postgres://postgres@127.0.0.1:${port}/postgres`,
    restart() {
      // Fast mode: every session is terminated, as in a real restart under load.
      // -l again: without it the new postmaster writes to (and holds open) this process's pipe.
      asPostgres('pg_ctl', ['-D', data, '-l', path.join(dir, 'server.log'), '-w', '-m', 'fast', 'restart']);
    },
    stop() {
      try {
        asPostgres('pg_ctl', ['-D', data, '-w', '-m', 'immediate', 'stop']);
      } catch {
        // Never started, or already stopped.
      }
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
