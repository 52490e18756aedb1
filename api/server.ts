/**
 * The prediction API process: `npx tsx api/server.ts` listens on API_HOST:API_PORT (default 127.0.0.1:8080)
 * and closes gracefully on SIGTERM or SIGINT (in-flight requests finish, then the database pool closes).
 */
import type { Client } from '@temporalio/client';
import { readEscalationPolicy } from '../alerts/config.js';
import { readConfig, type TemporalConfig } from '../config/index.js';
import { readDeliverySettings } from '../config/delivery-settings.js';
import { openDatabase, type Database } from '../db/client.js';
import { componentLogger, type AppLogger } from '../logging/logger.js';
import { startProcessLogging } from '../logging/process-logging.js';
import { connectClient } from '../temporal/connection.js';
import { buildApp } from './app.js';
import type { ApiPlugin } from './context.js';
import { readApiConfig } from './config.js';
import { dashboardRoutes } from './routes/dashboard.js';
import { alertRoutes } from './routes/alerts.js';
import { rollbackRoutes } from './routes/rollback.js';

const HELP = `Usage: npx tsx api/server.ts [--help]

Starts the vcp-monitor prediction API (POST /api/v1/predict, GET /api/v1/models, GET /metrics, GET /healthz).

Environment:
  API_HOST, API_PORT            listen address (default 127.0.0.1:8080)
  DATABASE_URL                  postgres://... ; absent: embedded PGlite under DATA_DIR
  API_MAX_BATCH_SIZE            companies per batch request (default 500)
  API_BODY_LIMIT_BYTES          largest request body (default 1048576)
  API_PERSIST_PREDICTIONS       true to write served predictions (default false: the batch job writes them)
  API_MODEL_REFRESH_MS          how often the registry is checked for a new active version (default 5000)
  API_QUALITY_CACHE_MS          how long model-quality gauges reuse one Postgres read (default 15000)
  API_PREDICTION_CACHE_SIZE     company-day prediction cache entries (default 10000)
  API_MEMORY_LIMIT_BYTES        memory limit the memory alert compares RSS with (default: cgroup, else host RAM)
  API_REQUEST_LOG_SAMPLE_RATE   share of successful, fast requests that get a request line (default 1: all)
  API_SLOW_REQUEST_MS           requests at least this slow always get one (default 150)
  ROLLBACK_API_TOKEN            bearer token of the rollback routes (they refuse everyone when unset)
  ALERTMANAGER_WEBHOOK_TOKEN    bearer token Alertmanager sends to POST /api/v1/alerts/alertmanager
  ALERTS_API_TOKEN              bearer token for POST /api/v1/alerts/:id/acknowledge
  DASHBOARD_USER                Basic-auth user of GET /dashboard (default admin)
  DASHBOARD_PASSWORD            Basic-auth password of the dashboard (it refuses everyone when unset)
  TEMPORAL_ADDRESS, ...         Temporal for the rollback routes; unreachable: the API starts without them
  LOG_LEVEL                     DEBUG, INFO, WARNING, ERROR, CRITICAL (default INFO)
`;

/**
 * The route plugins beyond the built-in ones. Rollback needs a Temporal client; when Temporal cannot be reached the
 * API still starts and serves predictions, without the rollback routes, because prediction must not depend on the
 * orchestration layer. The alert intake and dashboard plugins are added to this list by their owners.
 * Known shortcoming: with Temporal down, the start waits for the client's connect deadline (about 10 s) before
 * listening, and the rollback routes stay absent until the API is restarted; a lazily connected client would fix
 * both but temporal/connection.ts offers only an eager connect.
 */
async function serverPlugins(
  db: Database,
  log: AppLogger,
  temporal: TemporalConfig,
  reportsDir: string,
): Promise<{ plugins: ApiPlugin[]; close: () => Promise<void> }> {
  const plugins: ApiPlugin[] = [
    dashboardRoutes({
      user: process.env.DASHBOARD_USER,
      password: process.env.DASHBOARD_PASSWORD,
      reportsDir,
    }),
  ];
  let close = () => Promise.resolve();
  let temporalClient: Client | undefined;
  try {
    const connection = await connectClient(temporal);
    close = connection.close;
    temporalClient = connection.client;
    plugins.push(
      rollbackRoutes({
        db,
        temporalClient: connection.client,
        taskQueue: temporal.taskQueue,
        token: process.env.ROLLBACK_API_TOKEN?.trim() || undefined,
      }),
    );
  } catch (err) {
    log.warning({ err, address: temporal.address }, 'Temporal unreachable: starting without the rollback routes');
  }
  // Built without Temporal too: alerts are stored, and the intake answers 500 so Alertmanager retries delivery.
  plugins.push(
    alertRoutes({
      db,
      temporalClient,
      taskQueue: temporal.taskQueue,
      policy: readEscalationPolicy(process.env),
      delivery: readDeliverySettings(),
      webhookToken: process.env.ALERTMANAGER_WEBHOOK_TOKEN?.trim() || undefined,
      apiToken: process.env.ALERTS_API_TOKEN?.trim() || undefined,
    }),
  );
  return { plugins, close };
}

export async function main(argv: readonly string[] = process.argv.slice(2)): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(HELP);
    return;
  }
  const logging = await startProcessLogging();
  const log = componentLogger('api');
  const config = readConfig();
  const apiConfig = readApiConfig();
  const database = await openDatabase({
    dataDir: config.dataDir,
    ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}),
  });
  let closeTemporal = () => Promise.resolve();
  try {
    await database.migrate();
    logging.alertOnCritical(database.db);
    const extra = await serverPlugins(database.db, log, config.temporal, config.reportsDir);
    closeTemporal = extra.close;
    const app = buildApp({ db: database.db, config: apiConfig, log, plugins: extra.plugins });
    const closed = new Promise<void>((resolve) => {
      const stop = (signal: string) => {
        log.info({ signal }, 'shutting down: finishing in-flight requests');
        app.close().then(resolve, (err: unknown) => {
          log.error({ err }, 'error while closing the API');
          resolve();
        });
      };
      process.once('SIGTERM', () => stop('SIGTERM'));
      process.once('SIGINT', () => stop('SIGINT'));
    });
    const address = await app.listen({ host: apiConfig.host, port: apiConfig.port });
    log.info({ address, database: database.kind, persist_predictions: apiConfig.persistPredictions }, 'api listening');
    await closed;
  } finally {
    await closeTemporal();
    await database.close();
    await logging.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((err: unknown) => {
    componentLogger('api').critical({ err }, 'api failed to start');
    process.exitCode = 1;
  });
}
