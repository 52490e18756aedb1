/**
 * The daily pipeline at ten times the expected load, next to the same pipeline at the expected load, in one run.
 *
 *   npx tsx bench/load-10x.ts [--scrips 40000] [--days 40] [--seed 8] [--out /tmp/vcp-load-10x]
 *
 * For each scale: a synthetic data set (the default one for 1x, `scripts/generate-data.ts --scrips N --days D` for
 * 10x), loaded into a fresh database on the real Postgres, baselines built, then the daily workflow run day by day
 * through a real Temporal dev server and an in-process worker. Stage times come from the workflow histories
 * (activity started -> completed), peak memory from the worker's RSS sampled every 50 ms while each stage ran.
 * Both scales run the same number of trading days so per-day figures compare like with like.
 *
 * Known shortcoming: the worker runs in this process, so its RSS includes the client, the dev server's client side
 * and the sampler; the absolute figures are an upper bound of a lone worker, the 10x/1x ratio is the useful number.
 */
import { parseArgs as parseCliArgs } from 'node:util';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { temporal } from '@temporalio/proto';
import { tsToMs } from '@temporalio/common/lib/time.js';
import type { Worker } from '@temporalio/worker';
import { readMonitoringSettings } from '../config/monitoring-settings.js';
import type { AppConfig } from '../config/index.js';
import { loadSyntheticData, readManifest } from '../loaders/synthetic.js';
import { ensureSyntheticData } from '../scripts/lib/synthetic-data.js';
import { buildBaselines, runDay } from '../temporal/daily-runs.js';
import { createTestDatabase } from '../test/support/database.js';
import { startDevServer, workflowBundle } from '../test/support/temporal.js';
import { createWorker } from '../workers/create-worker.js';
import { installTemporalLogging } from '../workers/temporal-logging.js';
import { dailyMonitoringWorkflowId } from '../workflows/ids.js';

/** The default data set the tests share: 4,000 scrips, the expected daily load. */
const ONE_X_DIR = path.join(os.tmpdir(), 'vcp-monitor-test-data', 'seed-8');

const USAGE = `Usage: npx tsx bench/load-10x.ts [options]

Runs the daily monitoring workflow over a data set at 10x the expected load and over the default
data set (1x), on a real Temporal dev server and Postgres, and prints time and peak worker RSS per stage.

Options:
  --scrips <int>   scrips of the large data set (default 40000; the default data set has 4000)
  --days <int>     trading days of the large data set (default 40, the generator's minimum is 10)
  --run-days <int> trading days run through the workflow at each scale (default: --days)
  --seed <int>     generator seed (default 8)
  --out <dir>      where the large data set and the result JSON go (default ${path.join(os.tmpdir(), 'vcp-load-10x')})
  --help           show this text

Environment: TEST_DATABASE_ADMIN_URL (postgres://postgres@127.0.0.1:5432/postgres), TEMPORAL_CLI_PATH.
`;

interface Args {
  readonly scrips: number;
  readonly days: number;
  readonly runDays: number;
  readonly seed: number;
  readonly out: string;
  readonly help: boolean;
}

function parseArgs(argv: readonly string[]): Args {
  const { values } = parseCliArgs({
    args: [...argv],
    strict: true,
    options: {
      scrips: { type: 'string' },
      days: { type: 'string' },
      'run-days': { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
      help: { type: 'boolean', short: 'h' },
    },
  });
  const positive = (flag: string, raw: string | undefined, fallback: number): number => {
    if (raw === undefined) return fallback;
    if (!/^\d+$/.test(raw) || Number(raw) < 1) throw new Error(`--${flag} must be a positive integer, got "${raw}"`);
    return Number(raw);
  };
  const days = positive('days', values.days, 40);
  return {
    scrips: positive('scrips', values.scrips, 40_000),
    days,
    runDays: positive('run-days', values['run-days'], days),
    seed: positive('seed', values.seed, 8),
    out: values.out ?? path.join(os.tmpdir(), 'vcp-load-10x'),
    help: values.help ?? false,
  };
}

interface RssSample {
  readonly at: number;
  readonly rss: number;
}

/** Samples this process's RSS until stopped; a stage's peak is the largest sample inside its start-complete span. */
function startRssSampler(everyMs: number): { samples: RssSample[]; stop(): void } {
  const samples: RssSample[] = [];
  const timer = setInterval(() => samples.push({ at: Date.now(), rss: process.memoryUsage.rss() }), everyMs);
  return { samples, stop: () => clearInterval(timer) };
}

interface StageSpan {
  readonly stage: string;
  readonly startedAt: number;
  readonly completedAt: number;
}

type HistoryEvent = temporal.api.history.v1.IHistoryEvent;

function eventMs(event: HistoryEvent): number {
  return event.eventTime ? tsToMs(event.eventTime) : 0;
}

/** Activity spans of one workflow history: the last attempt's start to its completion, per scheduled activity. */
function stageSpans(events: readonly HistoryEvent[]): StageSpan[] {
  const scheduled = new Map<string, string>();
  const started = new Map<string, number>();
  const spans: StageSpan[] = [];
  for (const e of events) {
    const id = String(e.eventId ?? '');
    if (e.activityTaskScheduledEventAttributes) {
      scheduled.set(id, e.activityTaskScheduledEventAttributes.activityType?.name ?? '?');
    } else if (e.activityTaskStartedEventAttributes) {
      started.set(String(e.activityTaskStartedEventAttributes.scheduledEventId ?? ''), eventMs(e));
    } else if (e.activityTaskCompletedEventAttributes) {
      const key = String(e.activityTaskCompletedEventAttributes.scheduledEventId ?? '');
      const stage = scheduled.get(key);
      const from = started.get(key);
      if (stage && from !== undefined) spans.push({ stage, startedAt: from, completedAt: eventMs(e) });
    }
  }
  return spans;
}

interface StageFigures {
  readonly stage: string;
  readonly runs: number;
  readonly totalMs: number;
  readonly meanMs: number;
  readonly maxMs: number;
  readonly peakRssMb: number;
}

interface ScaleFigures {
  readonly label: string;
  readonly scrips: number;
  readonly days: number;
  readonly predictions: number;
  readonly priceRows: number;
  readonly announcementsPerDay: number;
  readonly loadMs: number;
  readonly baselinesMs: number;
  readonly pipelineMs: number;
  readonly stages: StageFigures[];
}

const mb = (bytes: number): number => Math.round((bytes / 1_048_576) * 10) / 10;

function summarise(spans: readonly StageSpan[], samples: readonly RssSample[]): StageFigures[] {
  const byStage = new Map<string, StageSpan[]>();
  for (const s of spans) byStage.set(s.stage, [...(byStage.get(s.stage) ?? []), s]);
  return [...byStage.entries()].map(([stage, list]) => {
    const durations = list.map((s) => s.completedAt - s.startedAt);
    let peak = 0;
    for (const s of list) {
      // A stage shorter than the sampling period still gets the sample nearest to it.
      for (const r of samples) if (r.at >= s.startedAt - 50 && r.at <= s.completedAt + 50) peak = Math.max(peak, r.rss);
    }
    const total = durations.reduce((a, b) => a + b, 0);
    return {
      stage,
      runs: list.length,
      totalMs: total,
      meanMs: Math.round(total / list.length),
      maxMs: Math.max(...durations),
      peakRssMb: mb(peak),
    };
  });
}

async function measureScale(
  label: string,
  dataDir: string,
  days: number,
  env: Awaited<ReturnType<typeof startDevServer>>,
): Promise<ScaleFigures> {
  const manifest = await readManifest(dataDir);
  const counts = (
    manifest as unknown as { counts: { scrips: number; predictions: number; priceRows: number; announcements: number } }
  ).counts;
  const database = await createTestDatabase(`load_${label}`);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `vcp-load-${label}-`));
  const taskQueue = `vcp-load-${label}-${Date.now().toString(36)}`;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  try {
    const loadStarted = Date.now();
    const loaded = await loadSyntheticData(database.handle.db, dataDir);
    const loadMs = Date.now() - loadStarted;
    console.log(`[${label}] loaded ${loaded.predictions} predictions, ${loaded.scrips} scrips in ${loadMs} ms`);
    const config: AppConfig = {
      databaseUrl: database.url,
      dataDir: workDir,
      reportsDir: path.join(workDir, 'reports'),
      bhavcopySource: path.join(dataDir, 'bhavcopy'),
      temporal: { address: env.connection.options.address, namespace: 'default', taskQueue },
      reportBaseUrl: 'http://127.0.0.1:8080/reports',
    };
    worker = await createWorker({
      connection: env.nativeConnection,
      namespace: 'default',
      taskQueue,
      deps: { db: database.handle.db, config, channels: new Map(), now: () => new Date() },
      workflowBundle: await workflowBundle(),
    });
    running = worker.run();
    const baselinesStarted = Date.now();
    for (const model of manifest.models) await buildBaselines(env.client, { modelVersion: model.version, taskQueue });
    const baselinesMs = Date.now() - baselinesStarted;

    // Compute timeouts are generous: the point is how long a stage takes, not whether a default timeout holds.
    const settings = readMonitoringSettings({});
    const period = manifest.tradingDays.slice(0, days);
    const sampler = startRssSampler(50);
    const pipelineStarted = Date.now();
    const spans: StageSpan[] = [];
    try {
      for (const [i, date] of period.entries()) {
        await runDay(env.client, { date, settings, taskQueue });
        const history = await env.client.workflow.getHandle(dailyMonitoringWorkflowId(date)).fetchHistory();
        spans.push(...stageSpans(history.events ?? []));
        if ((i + 1) % 10 === 0)
          console.log(`[${label}] ${i + 1}/${period.length} days, ${Date.now() - pipelineStarted} ms`);
      }
    } finally {
      sampler.stop();
    }
    const pipelineMs = Date.now() - pipelineStarted;
    return {
      label,
      scrips: counts.scrips,
      days: period.length,
      predictions: loaded.predictions,
      priceRows: counts.priceRows,
      announcementsPerDay: Math.round(counts.announcements / manifest.tradingDays.length),
      loadMs,
      baselinesMs,
      pipelineMs,
      stages: summarise(spans, sampler.samples),
    };
  } finally {
    worker?.shutdown();
    await running;
    await database.drop();
    fs.rmSync(workDir, { recursive: true, force: true });
  }
}

const ratio = (a: number, b: number): string => (b > 0 ? `${(a / b).toFixed(1)}x` : '-');

function printComparison(one: ScaleFigures, ten: ScaleFigures): void {
  const pad = (s: string | number, n: number) => String(s).padStart(n);
  console.log('');
  console.log(
    `scale: 1x ${one.scrips} scrips, ~${one.announcementsPerDay} announcements/day; ` +
      `10x ${ten.scrips} scrips, ~${ten.announcementsPerDay} announcements/day; ${one.days} vs ${ten.days} days run`,
  );
  console.log(
    `${'step'.padEnd(22)}${pad('1x mean ms', 12)}${pad('10x mean ms', 13)}${pad('ratio', 8)}${pad('1x max ms', 11)}${pad('10x max ms', 12)}${pad('1x RSS MB', 11)}${pad('10x RSS MB', 12)}${pad('ratio', 8)}`,
  );
  for (const s of ten.stages) {
    const o = one.stages.find((x) => x.stage === s.stage);
    console.log(
      `${s.stage.padEnd(22)}${pad(o?.meanMs ?? '-', 12)}${pad(s.meanMs, 13)}${pad(ratio(s.meanMs, o?.meanMs ?? 0), 8)}` +
        `${pad(o?.maxMs ?? '-', 11)}${pad(s.maxMs, 12)}${pad(o?.peakRssMb ?? '-', 11)}${pad(s.peakRssMb, 12)}` +
        `${pad(ratio(s.peakRssMb, o?.peakRssMb ?? 0), 8)}`,
    );
  }
  for (const [name, a, b] of [
    ['load (whole set)', one.loadMs, ten.loadMs],
    ['baselines', one.baselinesMs, ten.baselinesMs],
    ['pipeline (all days)', one.pipelineMs, ten.pipelineMs],
  ] as const) {
    console.log(`${name.padEnd(22)}${pad(a, 12)}${pad(b, 13)}${pad(ratio(b, a), 8)}`);
  }
}

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  const args = parseArgs(argv);
  if (args.help) {
    process.stdout.write(USAGE);
    return;
  }
  process.env.TEMPORAL_LOG_LEVEL ??= 'WARN';
  process.env.LOG_LEVEL ??= 'WARNING';
  installTemporalLogging();
  fs.mkdirSync(args.out, { recursive: true });
  const tenXDir = path.join(args.out, `data-${args.scrips}-${args.days}-${args.seed}`);
  await ensureSyntheticData({ dir: ONE_X_DIR });
  const generateStarted = Date.now();
  const generated = await ensureSyntheticData({ dir: tenXDir, seed: args.seed, scrips: args.scrips, days: args.days });
  console.log(
    generated.generated
      ? `generated the 10x data set in ${Date.now() - generateStarted} ms:\n${generated.output}`
      : `reusing the 10x data set in ${tenXDir}`,
  );
  const env = await startDevServer();
  try {
    const one = await measureScale('1x', ONE_X_DIR, args.runDays, env);
    const ten = await measureScale('10x', tenXDir, args.runDays, env);
    printComparison(one, ten);
    const file = path.join(args.out, `result-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
    fs.writeFileSync(file, JSON.stringify({ args, oneX: one, tenX: ten }, null, 2));
    console.log(`\nfigures written to ${file}`);
  } finally {
    await env.teardown();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    console.error(err);
    process.exitCode = 1;
  });
}
