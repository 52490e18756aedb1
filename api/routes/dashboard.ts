/**
 * The built-in dashboard: GET /dashboard (a static page), its JSON under /dashboard/api/..., its scripts and styles
 * under /dashboard/assets/... (Chart.js served from node_modules, so the page works offline) and the report files
 * under /dashboard/reports/:file. Every one of them sits behind HTTP Basic auth (DASHBOARD_USER, DASHBOARD_PASSWORD).
 *
 * The live histogram has no history, so this plugin samples it: every `sampleIntervalMs` it records the cumulative
 * latency buckets and the request and error counts into a bounded in-memory store (a day at full resolution, 90 days
 * hourly). Known shortcoming: the samples are per process and lost on restart, so after a deploy the latency,
 * throughput and error charts start empty, and with several API replicas each dashboard shows only the replica that
 * served it; Prometheus (which scrapes every replica and keeps history) is the place for fleet-wide, long-range
 * API charts, and persisting samples to Postgres would cost a write per minute per replica for what it already has.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { acknowledgeAlert } from '../../alerts/store.js';
import { parseTimeRange, TimeRangeError, type TimeRange } from '../../domain/dashboard/periods.js';
import { DEFAULT_SAMPLE_LIMITS, SampleStore, type SampleStoreLimits } from '../../domain/dashboard/sample-store.js';
import type { MetricSample } from '../../domain/dashboard/series.js';
import { withTraceId } from '../../logging/fastify-plugin.js';
import type { ApiPlugin } from '../context.js';
import { ApiError } from '../errors.js';
import { REQUEST_DURATION_BUCKETS, type ApiMetrics } from '../metrics.js';
import { alertsData, apiMetricsData, modelData, qualityData, REPORT_FILE } from './dashboard-data.js';

export interface DashboardDeps {
  /** DASHBOARD_USER; default "admin". */
  readonly user?: string | undefined;
  /** DASHBOARD_PASSWORD; unset refuses everyone rather than running open. */
  readonly password: string | undefined;
  /** Where the daily run writes drift_YYYY-MM-DD.txt and performance_YYYY-MM-DD.txt. */
  readonly reportsDir: string;
  /** How often the latency histogram and counters are sampled; default one minute. Tests use less. */
  readonly sampleIntervalMs?: number;
  readonly sampleLimits?: SampleStoreLimits;
  readonly now?: () => number;
}

export const DASHBOARD_REALM = 'vcp-monitor';
export const DEFAULT_DASHBOARD_USER = 'admin';
const DEFAULT_SAMPLE_INTERVAL_MS = 60_000;

const STATIC_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), '..', 'dashboard');
const CHART_JS = path.join(path.dirname(createRequire(import.meta.url).resolve('chart.js')), 'chart.umd.js');

/** The only files /dashboard/assets serves: a fixed map, so no request names a path. */
const ASSETS: Readonly<Record<string, { file: string; type: string }>> = {
  'dashboard.js': { file: path.join(STATIC_DIR, 'dashboard.js'), type: 'text/javascript; charset=utf-8' },
  'dashboard.css': { file: path.join(STATIC_DIR, 'dashboard.css'), type: 'text/css; charset=utf-8' },
  'chart.umd.js': { file: CHART_JS, type: 'text/javascript; charset=utf-8' },
};

// Chart.js sets inline styles on its canvases, hence style-src 'unsafe-inline'; PNG export uses data: URLs.
const CSP = "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; frame-ancestors 'none'";

/** The dashboard's own routes and the scrape and probe routes are left out of the charts: they are not API load. */
function isChartedEndpoint(endpoint: string | number | undefined): boolean {
  const e = String(endpoint ?? '');
  return !e.startsWith('/dashboard') && e !== '/metrics' && e !== '/healthz';
}

/** Sums the histogram and counters over every label set of the charted endpoints. */
export async function readMetricSample(metrics: ApiMetrics, at: number): Promise<MetricSample> {
  const buckets = [...REQUEST_DURATION_BUCKETS, Number.POSITIVE_INFINITY].map(() => 0);
  let count = 0;
  let sum = 0;
  for (const v of (await metrics.requestDuration.get()).values) {
    if (!isChartedEndpoint(v.labels.endpoint)) continue;
    const name = (v as { metricName?: string }).metricName ?? '';
    if (name.endsWith('_bucket')) {
      const raw = (v.labels as Record<string, string | number | undefined>).le;
      const le = raw === '+Inf' ? Number.POSITIVE_INFINITY : Number(raw);
      const i = le === Number.POSITIVE_INFINITY ? buckets.length - 1 : REQUEST_DURATION_BUCKETS.indexOf(le as never);
      if (i >= 0) buckets[i] = (buckets[i] ?? 0) + v.value;
    } else if (name.endsWith('_count')) count += v.value;
    else if (name.endsWith('_sum')) sum += v.value;
  }
  let requests = 0;
  for (const v of (await metrics.requests.get()).values) if (isChartedEndpoint(v.labels.endpoint)) requests += v.value;
  let errors = 0;
  for (const v of (await metrics.errors.get()).values) if (isChartedEndpoint(v.labels.endpoint)) errors += v.value;
  return { at, buckets, count, sum, requests, errors };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * The user name from a valid Basic header, else null. Both sides are hashed to 32 bytes first so that
 * timingSafeEqual compares equal-length buffers and the time taken says nothing about either credential; both
 * comparisons always run, so a right user with a wrong password takes as long as a wrong user.
 */
export function checkBasicAuth(header: string | undefined, user: string, password: string): string | null {
  const match = typeof header === 'string' ? /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header) : null;
  if (!match?.[1]) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  const givenUser = decoded.slice(0, colon);
  const userOk = timingSafeEqual(digest(givenUser), digest(user));
  const passwordOk = timingSafeEqual(digest(decoded.slice(colon + 1)), digest(password));
  return userOk && passwordOk ? givenUser : null;
}

function rangeOf(request: FastifyRequest): TimeRange {
  try {
    return parseTimeRange((request.query as Record<string, unknown>).range);
  } catch (err) {
    if (err instanceof TimeRangeError) throw new ApiError('VALIDATION_FAILED', err.message, 'query.range');
    throw err;
  }
}

declare module 'fastify' {
  interface FastifyRequest {
    /** The Basic-auth user of a dashboard request; it is who an acknowledgement is recorded for. */
    dashboardUser?: string;
  }
}

export function dashboardRoutes(deps: DashboardDeps): ApiPlugin {
  const user = deps.user?.trim() || DEFAULT_DASHBOARD_USER;
  const password = deps.password || undefined;
  const now = deps.now ?? Date.now;
  const intervalMs = deps.sampleIntervalMs ?? DEFAULT_SAMPLE_INTERVAL_MS;
  const reportsDir = path.resolve(deps.reportsDir);

  return (app, ctx) => {
    const log = ctx.log.child({ component: 'dashboard' });
    const store = new SampleStore(deps.sampleLimits ?? DEFAULT_SAMPLE_LIMITS);
    const metrics = ctx.metrics;
    let timer: NodeJS.Timeout | undefined;
    let sampling = false;
    const sample = async () => {
      if (!metrics || sampling) return;
      sampling = true;
      try {
        store.add(await readMetricSample(metrics, now()));
      } catch (err) {
        log.warning({ err }, 'dashboard metric sample failed; the charts miss this point');
      } finally {
        sampling = false;
      }
    };
    if (metrics) {
      app.addHook('onReady', async () => {
        await sample();
        timer = setInterval(() => void sample(), intervalMs);
        // The sampler must not keep a closing process alive.
        timer.unref();
      });
      app.addHook('onClose', async () => {
        if (timer) clearInterval(timer);
        return Promise.resolve();
      });
    }

    const refuse = (request: FastifyRequest, reply: FastifyReply, message: string) => {
      request.apiErrorCode = 'UNAUTHORIZED';
      const error = new ApiError('UNAUTHORIZED', message);
      return reply
        .status(401)
        .header('WWW-Authenticate', `Basic realm="${DASHBOARD_REALM}", charset="UTF-8"`)
        .header('Cache-Control', 'no-store')
        .send(withTraceId(error.toBody(), request.traceId));
    };

    // Every route of this plugin, page, data, assets and reports alike, passes here first.
    app.addHook('onRequest', async (request, reply) => {
      if (!password) {
        return refuse(request, reply, 'the dashboard is disabled: DASHBOARD_PASSWORD is not set on the server');
      }
      const who = checkBasicAuth(request.headers.authorization, user, password);
      if (who === null)
        return refuse(request, reply, 'the dashboard needs the DASHBOARD_USER / DASHBOARD_PASSWORD login');
      request.dashboardUser = who;
      void reply.header('X-Content-Type-Options', 'nosniff');
      return undefined;
    });

    const page = async (_request: FastifyRequest, reply: FastifyReply) => {
      const html = await fs.readFile(path.join(STATIC_DIR, 'index.html'), 'utf8');
      return reply
        .type('text/html; charset=utf-8')
        .header('Content-Security-Policy', CSP)
        .header('Cache-Control', 'no-store')
        .send(html);
    };
    app.get('/dashboard', page);
    app.get('/dashboard/', page);

    app.get('/dashboard/assets/:file', async (request, reply) => {
      const name = (request.params as { file?: string }).file ?? '';
      const asset = Object.hasOwn(ASSETS, name) ? ASSETS[name] : undefined;
      if (!asset) throw new ApiError('NOT_FOUND', `no dashboard asset named "${name}"`);
      return reply
        .type(asset.type)
        .header('Cache-Control', 'no-cache')
        .send(await fs.readFile(asset.file));
    });

    app.get('/dashboard/api/api-metrics', async (request, reply) => {
      const body = apiMetricsData(store.samples(), REQUEST_DURATION_BUCKETS, {
        range: rangeOf(request),
        now: now(),
        intervalMs,
        enabled: metrics !== undefined,
      });
      return reply.header('Cache-Control', 'no-store').send(body);
    });

    app.get('/dashboard/api/quality', async (request, reply) => {
      return reply.header('Cache-Control', 'no-store').send(await qualityData(ctx.db, rangeOf(request)));
    });

    app.get('/dashboard/api/model', async (_request, reply) => {
      return reply.header('Cache-Control', 'no-store').send(await modelData(ctx.db));
    });

    app.get('/dashboard/api/alerts', async (_request, reply) => {
      return reply.header('Cache-Control', 'no-store').send(await alertsData(ctx.db));
    });

    // The alert routes' acknowledge needs ALERTS_API_TOKEN as a bearer token, which a browser page cannot hold;
    // this one is the same update (alerts/store.ts acknowledgeAlert) behind the dashboard's login, recorded for
    // the logged-in user.
    app.post('/dashboard/api/alerts/:id/acknowledge', async (request) => {
      // Browsers resend Basic credentials on their own, so a form on another site could post here; a custom header
      // is something only this page's fetch sends (another origin would need a CORS preflight, which fails).
      if (request.headers['x-vcp-dashboard'] !== '1') {
        throw new ApiError(
          'FORBIDDEN',
          'acknowledge from the dashboard page: the X-VCP-Dashboard: 1 header is missing',
        );
      }
      const rawId = (request.params as { id?: string }).id ?? '';
      if (!/^\d{1,15}$/.test(rawId)) {
        throw new ApiError(
          'VALIDATION_FAILED',
          `params.id is "${rawId}", expected an alert id (a whole number)`,
          'params.id',
        );
      }
      const by = request.dashboardUser ?? user;
      const result = await acknowledgeAlert(ctx.db, Number(rawId), by, new Date(now()));
      if (result.outcome === 'not_found') throw new ApiError('NOT_FOUND', `alert ${rawId} does not exist`);
      if (result.outcome === 'resolved') {
        throw new ApiError(
          'CONFLICT',
          `alert ${rawId} was resolved at ${result.alert.resolvedAt}; nothing to acknowledge`,
        );
      }
      if (result.outcome === 'acknowledged')
        log.info({ alert_id: result.alert.id, by }, 'alert acknowledged from the dashboard');
      return { outcome: result.outcome, alert: result.alert };
    });

    app.get('/dashboard/reports/:file', async (request, reply) => {
      const name = (request.params as { file?: string }).file ?? '';
      // The name pattern admits no separator and no "..", and the resolved real path must still be inside the
      // reports directory, so neither a crafted name nor a symlink planted there reaches another file.
      if (!REPORT_FILE.test(name)) {
        throw new ApiError(
          'VALIDATION_FAILED',
          `report name "${name}" is not a report file (expected e.g. drift_2025-11-14.txt)`,
          'params.file',
        );
      }
      let real: string;
      try {
        real = await fs.realpath(path.join(reportsDir, name));
      } catch {
        throw new ApiError('NOT_FOUND', `report ${name} does not exist`);
      }
      const root = await fs.realpath(reportsDir).catch(() => reportsDir);
      if (path.dirname(real) !== root) throw new ApiError('NOT_FOUND', `report ${name} does not exist`);
      return reply
        .type('text/plain; charset=utf-8')
        .header('Cache-Control', 'no-store')
        .send(await fs.readFile(real));
    });

    return Promise.resolve();
  };
}
