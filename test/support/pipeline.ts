/**
 * The whole pipeline for an integration test: a real Temporal dev server, a fresh database on the
 * real Postgres, the synthetic data set loaded, real local receivers standing in for Slack, email
 * and PagerDuty, and a worker on its own task queue.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { tradeDateFromFileName } from '../../activities/bhavcopy-source.js';
import type { ActivityDeps } from '../../activities/context.js';
import { createChannels } from '../../alerts/channels/index.js';
import type { AppConfig } from '../../config/index.js';
import { readMonitoringSettings } from '../../config/monitoring-settings.js';
import { loadSyntheticData, readManifest, type SyntheticManifest } from '../../loaders/synthetic.js';
import { ensureSyntheticData } from '../../scripts/lib/synthetic-data.js';
import { createWorker } from '../../workers/create-worker.js';
import { installTemporalLogging } from '../../workers/temporal-logging.js';
import type { MonitoringSettings } from '../../workflows/types.js';
import { createTestDatabase, type TestDatabase } from './database.js';
import { startHttpRecorder, startSmtpReceiver, type HttpRecorder, type SmtpReceiver } from './receivers.js';
import { startDevServer, workflowBundle } from './temporal.js';

/** Generated once per machine and reused: generation is deterministic for a seed. */
const SHARED_DATA_DIR = path.join(os.tmpdir(), 'vcp-monitor-test-data', 'seed-8');

export interface PipelineHarness {
  readonly env: TestWorkflowEnvironment;
  readonly database: TestDatabase;
  readonly config: AppConfig;
  readonly manifest: SyntheticManifest;
  readonly dataDir: string;
  readonly smtp: SmtpReceiver;
  readonly http: HttpRecorder;
  readonly taskQueue: string;
  readonly settings: MonitoringSettings;
  deps(): ActivityDeps;
  /** A worker on the harness task queue; the caller runs it (runUntil) or shuts it down. */
  newWorker(): Promise<Worker>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Only the BhavCopy files of the first N trading days in the source directory: a smaller world to ingest. */
  readonly bhavcopyDays?: number;
}

function bhavcopySubset(workDir: string, days: readonly string[]): string {
  const dir = path.join(workDir, 'bhavcopy');
  fs.mkdirSync(dir, { recursive: true });
  const wanted = new Set(days);
  for (const file of fs.readdirSync(path.join(SHARED_DATA_DIR, 'bhavcopy'))) {
    const day = tradeDateFromFileName(file);
    if (day !== null && wanted.has(day))
      fs.copyFileSync(path.join(SHARED_DATA_DIR, 'bhavcopy', file), path.join(dir, file));
  }
  return dir;
}

export async function startPipelineHarness(name: string, options: HarnessOptions = {}): Promise<PipelineHarness> {
  // SDK and workflow logs as JSON lines, warnings and up: the test output stays readable.
  process.env.TEMPORAL_LOG_LEVEL ??= 'WARN';
  installTemporalLogging();
  await ensureSyntheticData({ dir: SHARED_DATA_DIR });
  const manifest = await readManifest(SHARED_DATA_DIR);
  const workDir = fs.mkdtempSync(path.join(os.tmpdir(), `vcp-${name}-`));
  const [env, database, smtp, http] = await Promise.all([
    startDevServer(),
    createTestDatabase(name),
    startSmtpReceiver(),
    startHttpRecorder({ respond: (req) => ({ status: req.url?.startsWith('/pagerduty') ? 202 : 200 }) }),
  ]);
  await loadSyntheticData(database.handle.db, SHARED_DATA_DIR);
  const config: AppConfig = {
    databaseUrl: database.url,
    dataDir: workDir,
    reportsDir: path.join(workDir, 'reports'),
    bhavcopySource:
      options.bhavcopyDays === undefined
        ? path.join(SHARED_DATA_DIR, 'bhavcopy')
        : bhavcopySubset(workDir, manifest.tradingDays.slice(0, options.bhavcopyDays)),
    temporal: { address: env.connection.options.address, namespace: 'default', taskQueue: `vcp-${name}` },
    reportBaseUrl: 'http://127.0.0.1:8080/reports',
  };
  const channels = createChannels({
    slack: { webhookUrl: `${http.url}/slack/services/TEST` },
    email: {
      host: smtp.host,
      port: smtp.port,
      secure: false,
      from: 'vcp-monitor@test.local',
      to: ['ml-team@test.local'],
    },
    pagerduty: { routingKey: 'test-routing-key', endpoint: `${http.url}/pagerduty` },
  });
  const settings = readMonitoringSettings({ ALERT_RETRY_INITIAL_INTERVAL: '200 ms' });
  const deps = (): ActivityDeps => ({ db: database.handle.db, config, channels, now: () => new Date() });
  return {
    env,
    database,
    config,
    manifest,
    dataDir: SHARED_DATA_DIR,
    smtp,
    http,
    taskQueue: config.temporal.taskQueue,
    settings,
    deps,
    async newWorker() {
      return createWorker({
        connection: env.nativeConnection,
        namespace: 'default',
        taskQueue: config.temporal.taskQueue,
        deps: deps(),
        workflowBundle: await workflowBundle(),
      });
    },
    async close() {
      await Promise.allSettled([env.teardown(), smtp.close(), http.close()]);
      await database.drop();
      fs.rmSync(workDir, { recursive: true, force: true });
    },
  };
}
