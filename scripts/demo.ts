/**
 * The main job: the whole daily pipeline on the bundled synthetic data, through a real Temporal
 * server. Generates the data, loads the registry and the batch predictions, builds the drift
 * baselines, then runs every trading day of the period in order, as the schedule would have.
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { createChannels } from '../alerts/channels/index.js';
import { readAlertChannelConfig } from '../alerts/config.js';
import type { AlertChannelConfig } from '../alerts/channels/index.js';
import { readConfig } from '../config/index.js';
import { readMonitoringSettings } from '../config/monitoring-settings.js';
import { openDatabase } from '../db/client.js';
import { loadSyntheticData, readManifest } from '../loaders/synthetic.js';
import { componentLogger, parseLevel, rootLogger } from '../logging/logger.js';
import { connectClient, connectWorker } from '../temporal/connection.js';
import { buildBaselines, runDay } from '../temporal/daily-runs.js';
import { createWorker } from '../workers/create-worker.js';
import { installTemporalLogging } from '../workers/temporal-logging.js';
import { startDemoInbox, type DemoInbox } from './lib/demo-inbox.js';
import { ensureSyntheticData } from './lib/synthetic-data.js';

const log = componentLogger('demo');

const USAGE = `Usage: npx tsx scripts/demo.ts [--days N] [--verbose]
  Runs the daily monitoring pipeline over the bundled synthetic period through Temporal.
  Needs a Temporal server (scripts/start-temporal.sh; TEMPORAL_ADDRESS, default 127.0.0.1:7233).
  Uses DATABASE_URL if set, else an embedded PGlite database under DATA_DIR (default ./data).
  Alerts go to the channels configured in the environment (SLACK_WEBHOOK_URL, SMTP_HOST, ...); when
  none is, to a local demo inbox (an SMTP server and a webhook receiver on 127.0.0.1) whose messages
  are saved under DATA_DIR/demo-inbox.
Options:
  --days N   only the first N trading days (default: all of them)
  --verbose  every stage's JSON log lines too (default: one summary line per day, warnings and errors)
Examples:
  bash scripts/demo.sh                      # installs what is needed, then runs this
  npx tsx scripts/demo.ts --days 20
  DATABASE_URL=postgres://postgres@127.0.0.1:5432/vcp npx tsx scripts/demo.ts
`;

function channelConfig(inbox: DemoInbox | null): AlertChannelConfig {
  const fromEnv = readAlertChannelConfig(process.env);
  return inbox ? inbox.channelConfig : fromEnv;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      days: { type: 'string' },
      verbose: { type: 'boolean' },
      quiet: { type: 'boolean' },
      help: { type: 'boolean' },
    },
  });
  if (values.help) return void process.stdout.write(USAGE);
  // Before any component logger of the run exists: children take the root's level when they are made.
  rootLogger().level = values.verbose ? 'info' : parseLevel(process.env.LOG_LEVEL ?? 'warning');
  const config = readConfig();
  const settings = readMonitoringSettings();
  const dataDir = path.join(config.dataDir, 'synthetic');

  const data = await ensureSyntheticData({ dir: dataDir });
  if (data.generated) process.stdout.write(data.output);
  const manifest = await readManifest(dataDir);
  const days = values.days ? manifest.tradingDays.slice(0, Number(values.days)) : manifest.tradingDays;

  const database = await openDatabase(config);
  const configured = Object.keys(readAlertChannelConfig(process.env)).length > 0;
  const inbox = configured ? null : await startDemoInbox(path.join(config.dataDir, 'demo-inbox'));
  installTemporalLogging();
  const worker = await connectWorker(config.temporal);
  const { client, close } = await connectClient(config.temporal);
  try {
    await database.migrate();
    const loaded = await loadSyntheticData(database.db, dataDir);
    process.stdout.write(
      `loaded ${loaded.models} model versions, ${loaded.scrips} scrips, ${loaded.predictions} predictions (${database.kind})\n`,
    );
    const channels = createChannels(channelConfig(inbox));
    const w = await createWorker({
      connection: worker,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
      deps: { db: database.db, config, channels, now: () => new Date() },
    });
    const approvals = new Set<string>();
    await w.runUntil(async () => {
      for (const model of manifest.models) {
        const built = await buildBaselines(client, {
          modelVersion: model.version,
          taskQueue: config.temporal.taskQueue,
        });
        process.stdout.write(
          `drift baselines for ${model.version}: ${built.features} features from ${built.sampleSize} rows\n`,
        );
      }
      const started = Date.now();
      for (const date of days) {
        const summary = await runDay(client, { date, settings, taskQueue: config.temporal.taskQueue });
        process.stdout.write(`${summary.text}\n`);
        if (summary.rollbackApprovalWorkflowId) approvals.add(summary.rollbackApprovalWorkflowId);
      }
      const seconds = (Date.now() - started) / 1000;
      process.stdout.write(`\n${days.length} daily runs in ${seconds.toFixed(0)} s\n`);
    });
    const ui = `http://127.0.0.1:${process.env.TEMPORAL_UI_PORT ?? '8233'}/namespaces/${config.temporal.namespace}/workflows`;
    const last = days.at(-1) ?? '';
    process.stdout.write(
      [
        '',
        `reports:          ${config.reportsDir} (drift_YYYY-MM-DD.txt, performance_YYYY-MM-DD.txt)`,
        `Temporal Web UI:  ${ui}`,
        `a day's history:  temporal workflow show --workflow-id daily-monitoring-${last} --address ${config.temporal.address}`,
        `database:         ${config.databaseUrl ? 'DATABASE_URL' : path.join(config.dataDir, 'pglite')} (${database.kind})`,
        inbox
          ? `alerts received:  ${inbox.summary()} (saved under ${inbox.dir})`
          : 'alerts: sent to the configured channels',
        ...[...approvals].map(
          (id) =>
            `rollback pending: ${id}: nothing switches until an engineer decides, e.g.\n` +
            `                  npx tsx scripts/approvals.ts approve ${id} --approver ${settings.rollback.approvers[0] ?? '<you>'} --reason "F1 drop"\n` +
            '                  (then run a worker, npm run worker, to carry out the switch)',
        ),
        '',
      ].join('\n'),
    );
  } finally {
    await close();
    await worker.close();
    await inbox?.close();
    await database.close();
  }
}

main().catch((err: unknown) => {
  log.error({ err }, 'demo failed');
  process.exit(1);
});
