/**
 * Every metric the API exports, on a registry made per app (tests build many apps in one process). Request
 * metrics are updated on the request path; everything read from the OS or Postgres is read at scrape time in a
 * collect() callback, so an idle API does no background work.
 */
import fs from 'node:fs';
import os from 'node:os';
import { sql } from 'drizzle-orm';
import { Counter, Gauge, Histogram, collectDefaultMetrics, type Registry } from 'prom-client';
import type { Database } from '../db/client.js';
import { isoDay, queryRows } from '../db/rows.js';
import { severityCode, type DegradationSeverity } from '../domain/performance/degradation.js';
import { DEFAULT_DEGRADATION_SETTINGS } from '../domain/performance/degradation.js';
import type { AppLogger } from '../logging/logger.js';

/** Seconds; 0.15 s (the latency alert) falls between 0.1 and 0.5, so the alert's p95 is interpolated there. */
export const REQUEST_DURATION_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5] as const;

export interface ApiMetrics {
  readonly registry: Registry;
  readonly requestDuration: Histogram<'endpoint' | 'method' | 'status_code'>;
  readonly requests: Counter<'endpoint' | 'method' | 'status_code'>;
  readonly errors: Counter<'endpoint' | 'error_type' | 'status_code'>;
  readonly predictions: Counter<'predicted_label' | 'confidence' | 'model_version'>;
  readonly featureExtractionFailures: Counter<'feature' | 'reason'>;
  readonly cacheLookups: Counter<'result'>;
}

export interface MetricSources {
  readonly db: Database;
  readonly log: AppLogger;
  readonly qualityCacheMs: number;
  readonly memoryLimitBytes?: number;
  readonly cacheHitRate: () => number;
  readonly activeModelVersion: () => string | null;
}

interface PerformanceRow {
  model_version: string;
  window_days: number;
  precision: number;
  recall: number;
  f1: number;
  roc_auc: number | null;
  severity: DegradationSeverity;
}

interface PsiRow {
  model_version: string;
  feature_name: string;
  psi_daily: number | null;
  psi_weekly: number | null;
}

interface CandidateRow {
  prediction_date: string | Date;
  model_version: string;
  positives: number | string;
}

interface QualitySnapshot {
  readonly performance: readonly PerformanceRow[];
  readonly psi: readonly PsiRow[];
  readonly candidates: readonly CandidateRow[];
}

/**
 * Reads the latest model-quality rows from Postgres at most once per `ttlMs`; concurrent scrapes share one read.
 * Postgres is the source of truth so that every API process reports the same values. When a read fails the last
 * good snapshot is kept and the failure is logged, so a database blip does not blank the dashboards.
 */
export class QualitySnapshotCache {
  private snapshot: QualitySnapshot = { performance: [], psi: [], candidates: [] };
  private loadedAt = Number.NEGATIVE_INFINITY;
  private inFlight: Promise<QualitySnapshot> | null = null;

  constructor(
    private readonly db: Database,
    private readonly ttlMs: number,
    private readonly log: AppLogger,
    private readonly now: () => number = Date.now,
  ) {}

  get(): Promise<QualitySnapshot> {
    if (this.now() - this.loadedAt < this.ttlMs) return Promise.resolve(this.snapshot);
    this.inFlight ??= this.load()
      .then((snapshot) => {
        this.snapshot = snapshot;
        this.loadedAt = this.now();
        return snapshot;
      })
      .catch((err: unknown) => {
        this.log.warning({ err }, 'model quality read failed; serving the previous snapshot');
        return this.snapshot;
      })
      .finally(() => {
        this.inFlight = null;
      });
    return this.inFlight;
  }

  private async load(): Promise<QualitySnapshot> {
    const performance = await queryRows<PerformanceRow>(
      this.db,
      sql`select model_version, window_days, precision, recall, f1, roc_auc, severity
          from model_performance_history
          where evaluation_date = (select max(evaluation_date) from model_performance_history)`,
    );
    const psi = await queryRows<PsiRow>(
      this.db,
      sql`select model_version, feature_name, psi_daily, psi_weekly
          from drift_feature_results
          where report_date = (select max(report_date) from drift_feature_results)`,
    );
    // The batch job's served predictions for its latest day; the API's own predictions land here only when
    // API_PERSIST_PREDICTIONS is on.
    const candidates = await queryRows<CandidateRow>(
      this.db,
      sql`select prediction_date, model_version, count(*) filter (where predicted_label = 1) as positives
          from predictions
          where served and prediction_date = (select max(prediction_date) from predictions where served)
          group by prediction_date, model_version`,
    );
    return { performance, psi, candidates };
  }
}

const WINDOW_LABELS: Record<number, string> = { 7: '7d', 30: '30d', 90: '90d' };

/** Bytes the process read and wrote: storage I/O when the kernel exposes it, else all read()/write() bytes. */
export function readProcessIo(text: string): { read: number; write: number; source: 'storage' | 'syscalls' } {
  const fields = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [key, value] = line.split(':');
    if (key && value !== undefined) fields.set(key.trim(), Number(value.trim()));
  }
  const read = fields.get('read_bytes');
  const write = fields.get('write_bytes');
  if (read !== undefined && write !== undefined && Number.isFinite(read) && Number.isFinite(write)) {
    return { read, write, source: 'storage' };
  }
  return { read: fields.get('rchar') ?? 0, write: fields.get('wchar') ?? 0, source: 'syscalls' };
}

/** The memory the process may use: the configured limit, else the cgroup's, else the host's RAM. */
export function memoryLimit(configured: number | undefined): { bytes: number; source: 'config' | 'cgroup' | 'host' } {
  if (configured !== undefined) return { bytes: configured, source: 'config' };
  for (const file of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    try {
      const bytes = Number(fs.readFileSync(file, 'utf8').trim());
      // cgroup v1 reports "no limit" as a huge page-aligned number rather than "max".
      if (Number.isFinite(bytes) && bytes > 0 && bytes < os.totalmem()) return { bytes, source: 'cgroup' };
    } catch {
      // No such cgroup file on this host: try the next, then fall back to host memory.
    }
  }
  return { bytes: os.totalmem(), source: 'host' };
}

/**
 * How often prom-client samples event-loop delay for the nodejs_eventloop_lag_p50/p90/p99 gauges. Its default,
 * 10 ms, wakes an idle API 100 times a second: measured here at 6.5 ms of extra CPU a second (0.65% of a core),
 * against 1.2 ms at 50 ms and 0.1 ms at 100 ms. At 50 ms a stall shorter than 50 ms can fall between samples; the
 * latency alert reads the request duration histogram, not these gauges.
 */
export const EVENT_LOOP_SAMPLE_MS = 50;

export function createApiMetrics(registry: Registry, sources: MetricSources): ApiMetrics {
  collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: EVENT_LOOP_SAMPLE_MS });
  const quality = new QualitySnapshotCache(sources.db, sources.qualityCacheMs, sources.log);

  const requestDuration = new Histogram({
    name: 'api_request_duration_seconds',
    help: 'Time from request received to response sent, by route pattern',
    labelNames: ['endpoint', 'method', 'status_code'] as const,
    buckets: [...REQUEST_DURATION_BUCKETS],
    registers: [registry],
  });
  const requests = new Counter({
    name: 'api_requests_total',
    help: 'Requests answered, by route pattern, method and status code',
    labelNames: ['endpoint', 'method', 'status_code'] as const,
    registers: [registry],
  });
  const errors = new Counter({
    name: 'api_errors_total',
    help: 'Requests answered with 4xx or 5xx; error_type is the API error code, else client_error or server_error',
    labelNames: ['endpoint', 'error_type', 'status_code'] as const,
    registers: [registry],
  });
  const predictions = new Counter({
    name: 'model_predictions_total',
    help: 'Predictions served, by predicted label, confidence band and model version',
    labelNames: ['predicted_label', 'confidence', 'model_version'] as const,
    registers: [registry],
  });
  const featureExtractionFailures = new Counter({
    name: 'feature_extraction_failures_total',
    help: 'Feature values the model could not use and imputed with the training mean, by feature and reason',
    labelNames: ['feature', 'reason'] as const,
    registers: [registry],
  });
  const cacheLookups = new Counter({
    name: 'model_cache_lookups_total',
    help: 'Company-day prediction cache lookups, by result (hit or miss)',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  new Gauge({
    name: 'model_cache_hit_rate',
    help: 'Share of prediction cache lookups answered from the cache since the process started',
    registers: [registry],
    collect() {
      this.set(sources.cacheHitRate());
    },
  });
  new Gauge({
    name: 'model_active_info',
    help: 'Always 1, labelled with the model version this process serves',
    labelNames: ['model_version'] as const,
    registers: [registry],
    collect() {
      this.reset();
      const version = sources.activeModelVersion();
      if (version !== null) this.set({ model_version: version }, 1);
    },
  });

  const limit = memoryLimit(sources.memoryLimitBytes);
  new Gauge({
    name: 'process_memory_limit_bytes',
    help: 'Memory this process may use (source: config API_MEMORY_LIMIT_BYTES, cgroup limit, or host RAM)',
    labelNames: ['source'] as const,
    registers: [registry],
    collect() {
      this.reset();
      this.set({ source: limit.source }, limit.bytes);
    },
  });

  // A counter cannot be set, so collect() replaces its value with the kernel's running total.
  const ioCounter = (name: string, help: string, pick: (io: ReturnType<typeof readProcessIo>) => number) =>
    new Counter({
      name,
      help,
      labelNames: ['source'] as const,
      registers: [registry],
      collect() {
        let text: string;
        try {
          text = fs.readFileSync('/proc/self/io', 'utf8');
        } catch {
          return; // Not Linux, or /proc is hidden: the series is absent rather than a false zero.
        }
        const io = readProcessIo(text);
        this.reset();
        this.inc({ source: io.source }, pick(io));
      },
    });
  ioCounter(
    'disk_read_bytes_total',
    'Bytes this process read from storage (source=storage, /proc/self/io read_bytes) or via read() (source=syscalls, rchar)',
    (io) => io.read,
  );
  ioCounter(
    'disk_write_bytes_total',
    'Bytes this process wrote to storage (source=storage, write_bytes) or via write() (source=syscalls, wchar)',
    (io) => io.write,
  );

  const qualityGauge = (name: string, help: string, pick: (row: PerformanceRow) => number | null) =>
    new Gauge({
      name,
      help,
      labelNames: ['window', 'model_version'] as const,
      registers: [registry],
      async collect() {
        const snapshot = await quality.get();
        this.reset();
        for (const row of snapshot.performance) {
          const window = WINDOW_LABELS[Number(row.window_days)];
          const value = pick(row);
          if (window !== undefined && value !== null) {
            this.set({ window, model_version: row.model_version }, Number(value));
          }
        }
      },
    });
  qualityGauge('model_f1_score', 'Production F1 over the window, latest evaluation day', (r) => r.f1);
  qualityGauge('model_precision', 'Production precision over the window, latest evaluation day', (r) => r.precision);
  qualityGauge('model_recall', 'Production recall over the window, latest evaluation day', (r) => r.recall);
  qualityGauge('model_roc_auc', 'Production ROC-AUC over the window (absent when one class only)', (r) => r.roc_auc);

  new Gauge({
    name: 'model_degradation_severity',
    help: 'Degradation severity of the evaluated window: -1 INSUFFICIENT_DATA, 0 NONE, 1 MINOR, 2 MODERATE, 3 SEVERE',
    labelNames: ['model_version'] as const,
    registers: [registry],
    async collect() {
      const snapshot = await quality.get();
      this.reset();
      for (const row of snapshot.performance) {
        // The policy judges one window (30 days by default); the other windows are context, not severity.
        if (Number(row.window_days) === DEFAULT_DEGRADATION_SETTINGS.evaluatedWindowDays) {
          this.set({ model_version: row.model_version }, severityCode(row.severity));
        }
      }
    },
  });
  new Gauge({
    name: 'feature_psi',
    help: 'Population stability index of the feature against its training baseline, latest drift run',
    labelNames: ['feature', 'window', 'model_version'] as const,
    registers: [registry],
    async collect() {
      const snapshot = await quality.get();
      this.reset();
      for (const row of snapshot.psi) {
        const labels = { feature: row.feature_name, model_version: row.model_version };
        if (row.psi_daily !== null) this.set({ ...labels, window: 'daily' }, Number(row.psi_daily));
        if (row.psi_weekly !== null) this.set({ ...labels, window: 'weekly' }, Number(row.psi_weekly));
      }
    },
  });
  new Gauge({
    name: 'daily_upper_circuit_candidates',
    help: 'Positive served predictions for the latest prediction_date in the predictions table',
    labelNames: ['prediction_date', 'model_version'] as const,
    registers: [registry],
    async collect() {
      const snapshot = await quality.get();
      this.reset();
      for (const row of snapshot.candidates) {
        this.set(
          { prediction_date: isoDay(row.prediction_date), model_version: row.model_version },
          Number(row.positives),
        );
      }
    },
  });

  return { registry, requestDuration, requests, errors, predictions, featureExtractionFailures, cacheLookups };
}
