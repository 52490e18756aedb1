/**
 * The worker process: `npm run worker`. Stateless; run as many as needed on one task queue.
 * Migrates the database on start (serialised by an advisory lock), then polls until SIGTERM.
 */
import { createChannels } from '../alerts/channels/index.js';
import { readAlertChannelConfig } from '../alerts/config.js';
import { readConfig } from '../config/index.js';
import { openDatabase } from '../db/client.js';
import { componentLogger } from '../logging/logger.js';
import { startProcessLogging } from '../logging/process-logging.js';
import { connectWorker } from '../temporal/connection.js';
import { createWorker } from './create-worker.js';
import { installTemporalLogging } from './temporal-logging.js';

const log = componentLogger('worker');

function printHelp(): void {
  console.log(`Usage: npm run worker
  Runs the vcp-monitor Temporal worker until SIGTERM/SIGINT (graceful: running activities finish).
Environment:
  TEMPORAL_ADDRESS (127.0.0.1:7233)  TEMPORAL_NAMESPACE (default)  TEMPORAL_TASK_QUEUE (vcp-monitor)
  TEMPORAL_TLS_CERT / TEMPORAL_TLS_KEY / TEMPORAL_TLS_CA / TEMPORAL_TLS_SERVER_NAME (mTLS), TEMPORAL_API_KEY (Cloud)
  DATABASE_URL (embedded PGlite under DATA_DIR when unset), DATA_DIR (./data), REPORTS_DIR, BHAVCOPY_SOURCE
  SLACK_WEBHOOK_URL, SMTP_HOST, SMTP_PORT, ALERT_EMAIL_FROM, ALERT_EMAIL_TO, PAGERDUTY_ROUTING_KEY
  WORKER_METRICS_ADDRESS (unset: off), e.g. 127.0.0.1:9464: the SDK's Prometheus metrics at /metrics
Examples:
  npm run worker
  DATABASE_URL=postgres://vcp@db/vcp TEMPORAL_ADDRESS=temporal:7233 npm run worker`);
}

async function main(): Promise<void> {
  if (process.argv.includes('--help')) return printHelp();
  const config = readConfig();
  const logging = await startProcessLogging();
  // Off unless asked for: a fixed default port would stop a second worker on one host from starting.
  // The compose stack sets 0.0.0.0:9464, which prometheus/ scrapes as job vcp-worker.
  const metricsAddress = process.env.WORKER_METRICS_ADDRESS?.trim();
  installTemporalLogging(metricsAddress ? { metricsAddress } : {});
  const database = await openDatabase(config);
  try {
    await database.migrate();
    logging.alertOnCritical(database.db);
    const channels = createChannels(readAlertChannelConfig(process.env));
    const connection = await connectWorker(config.temporal);
    try {
      const worker = await createWorker({
        connection,
        namespace: config.temporal.namespace,
        taskQueue: config.temporal.taskQueue,
        deps: { db: database.db, config, channels, now: () => new Date() },
      });
      log.info(
        {
          address: config.temporal.address,
          namespace: config.temporal.namespace,
          taskQueue: config.temporal.taskQueue,
          tls: config.temporal.tls !== undefined || config.temporal.apiKey !== undefined,
          database: database.kind,
          channels: [...channels.keys()],
        },
        'worker connected',
      );
      await worker.run();
      log.info({}, 'worker stopped');
    } finally {
      await connection.close();
    }
  } finally {
    await database.close();
    await logging.close();
  }
}

main().catch((err: unknown) => {
  log.error({ err }, 'worker failed');
  process.exit(1);
});
