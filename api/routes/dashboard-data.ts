/**
 * The dashboard's JSON: Postgres history (performance, drift, alerts, the registry) and the API's sampled live
 * metrics, shaped by the pure helpers in domain/dashboard. Each function answers one data endpoint.
 */
import path from 'node:path';
import { inArray, sql } from 'drizzle-orm';
import { alertHistory, listAlerts, type AlertView } from '../../alerts/store.js';
import type { Database } from '../../db/client.js';
import { isoDay, queryRows } from '../../db/rows.js';
import { alerts } from '../../db/schema/index.js';
import { findAnomalies, type AnomalyRule, DEFAULT_ANOMALY_RULE } from '../../domain/dashboard/anomalies.js';
import {
  compareValues,
  comparePeriods,
  dayPeriodsEndingAt,
  DAY_MS,
  HOUR_MS,
  periodsEndingAt,
  type PeriodComparison,
  type TimeRange,
} from '../../domain/dashboard/periods.js';
import {
  binApiSamples,
  increaseOver,
  psiMatrix,
  type MetricSample,
  type PsiMatrix,
} from '../../domain/dashboard/series.js';
import { FEATURE_NAMES } from '../../domain/features.js';
import type { FeatureImportance } from '../../domain/model/types.js';

/** The error-rate alert's threshold, drawn as a line on the error-rate chart. */
export const ERROR_RATE_THRESHOLD = 0.05;

/** A report file the dashboard serves: the daily writer's drift_YYYY-MM-DD.txt and performance_YYYY-MM-DD.txt. */
export const REPORT_FILE = /^[a-z][a-z0-9_-]*_\d{4}-\d{2}-\d{2}\.txt$/;

// Floors of the anomaly rule per series (see domain/dashboard/anomalies.ts): below these a change is not worth a
// mark even when the history was flat. 5 ms of p95 is under the histogram's first bucket width.
const RULES = {
  p95: { ...DEFAULT_ANOMALY_RULE, minDeviation: 0.005 },
  errorRate: { ...DEFAULT_ANOMALY_RULE, minDeviation: 0.01 },
  throughput: { ...DEFAULT_ANOMALY_RULE, minDeviation: 5 },
  f1: { ...DEFAULT_ANOMALY_RULE, window: 14, minDeviation: 0.02 },
  psi: { ...DEFAULT_ANOMALY_RULE, window: 14, minDeviation: 0.05 },
} as const satisfies Record<string, AnomalyRule>;

function anomalyIndexes(values: readonly (number | null)[], rule: AnomalyRule): number[] {
  return findAnomalies(values, rule).map((a) => a.index);
}

// --- live API metrics, from the in-process sampler

export interface ApiMetricsData {
  readonly range: TimeRange;
  readonly period: { readonly start: string; readonly end: string };
  readonly latencyStepMs: number;
  readonly throughputStepMs: number;
  readonly points: readonly {
    at: string;
    p50: number | null;
    p95: number | null;
    p99: number | null;
    errorRate: number | null;
  }[];
  readonly throughput: readonly { at: string; requests: number }[];
  readonly anomalies: { readonly p95: number[]; readonly errorRate: number[]; readonly throughput: number[] };
  readonly errorRateThreshold: number;
  readonly comparison: { readonly requests: PeriodComparison; readonly errorRate: PeriodComparison };
  readonly sampler: {
    readonly enabled: boolean;
    readonly intervalMs: number;
    readonly samples: number;
    readonly since: string | null;
  };
}

/**
 * Latency and error rate at the sampler's resolution over 24 h, hourly beyond; throughput per hour up to 7 days and
 * per day beyond, where 720 or more hourly bars would be unreadable.
 */
export function apiMetricsData(
  samples: readonly MetricSample[],
  bounds: readonly number[],
  options: { readonly range: TimeRange; readonly now: number; readonly intervalMs: number; readonly enabled: boolean },
): ApiMetricsData {
  const { range, now, intervalMs } = options;
  const { current, previous } = periodsEndingAt(range, now);
  const latencyStepMs = range === '24h' ? intervalMs : HOUR_MS;
  const throughputStepMs = range === '24h' || range === '7d' ? HOUR_MS : DAY_MS;
  const points = binApiSamples(samples, bounds, current, latencyStepMs);
  const bars = binApiSamples(samples, bounds, current, throughputStepMs);
  const now_ = increaseOver(samples, current);
  const before = increaseOver(samples, previous);
  const rate = (x: { requests: number; errors: number } | null) => (x && x.requests > 0 ? x.errors / x.requests : null);
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    range,
    period: { start: iso(current.start), end: iso(current.end) },
    latencyStepMs,
    throughputStepMs,
    points: points.map((p) => ({ at: iso(p.at), p50: p.p50, p95: p.p95, p99: p.p99, errorRate: p.errorRate })),
    throughput: bars.map((b) => ({ at: iso(b.at), requests: b.requests })),
    anomalies: {
      p95: anomalyIndexes(
        points.map((p) => p.p95),
        RULES.p95,
      ),
      errorRate: anomalyIndexes(
        points.map((p) => p.errorRate),
        RULES.errorRate,
      ),
      throughput: anomalyIndexes(
        bars.map((b) => b.requests),
        RULES.throughput,
      ),
    },
    errorRateThreshold: ERROR_RATE_THRESHOLD,
    comparison: {
      // The samples begin when the process started, so for the current period a missing start counts from zero.
      requests: compareValues(now_?.requests ?? increaseFromStart(samples, current.end), before?.requests ?? null),
      errorRate: compareValues(rate(now_) ?? rateFromStart(samples, current.end), rate(before)),
    },
    sampler: {
      enabled: options.enabled,
      intervalMs,
      samples: samples.length,
      since: samples[0] ? iso(samples[0].at) : null,
    },
  };
}

function increaseFromStart(samples: readonly MetricSample[], end: number): number | null {
  const first = samples[0];
  return first ? (increaseOver(samples, { start: first.at, end })?.requests ?? null) : null;
}

function rateFromStart(samples: readonly MetricSample[], end: number): number | null {
  const first = samples[0];
  const x = first ? increaseOver(samples, { start: first.at, end }) : null;
  return x && x.requests > 0 ? x.errors / x.requests : null;
}

// --- model quality: F1 history and PSI, from Postgres

interface F1Row {
  evaluation_date: string | Date;
  model_version: string;
  f1: number;
  test_f1: number | null;
}

interface PsiRow {
  report_date: string | Date;
  feature_name: string;
  psi_daily: number | null;
}

export interface QualityData {
  readonly range: TimeRange;
  /** The latest evaluated day: daily series end there, not at the clock (monitoring runs a day behind). */
  readonly asOf: string | null;
  readonly f1: {
    readonly dates: string[];
    readonly f1: number[];
    readonly baseline: (number | null)[];
    readonly versions: string[];
    readonly anomalies: number[];
  };
  readonly psi: PsiMatrix & {
    readonly asOf: string | null;
    readonly dailyMax: (number | null)[];
    readonly anomalies: number[];
  };
  readonly comparison: { readonly f1: PeriodComparison; readonly psiMax: PeriodComparison };
}

/**
 * F1 over the 30-day window of the served version each day, with that version's test-set F1 as the baseline, and
 * the daily PSI of every feature. A day evaluated for several versions (a shadow candidate) shows the served one.
 */
export async function qualityData(db: Database, range: TimeRange): Promise<QualityData> {
  const [latest] = await queryRows<{ d: string | Date | null }>(
    db,
    sql`select max(evaluation_date) as d from model_performance_history where window_days = 30 and scoring = 'served'`,
  );
  const asOf = latest?.d ? isoDay(latest.d) : null;
  let f1Rows: F1Row[] = [];
  let previousF1: number[] = [];
  if (asOf) {
    const { current, previous } = dayPeriodsEndingAt(range, asOf);
    const rows = await queryRows<F1Row>(
      db,
      sql`select h.evaluation_date, h.model_version, h.f1, v.test_f1
          from model_performance_history h left join model_versions v on v.version = h.model_version
          where h.window_days = 30 and h.scoring = 'served'
            and h.evaluation_date between ${previous.first} and ${current.last}
          order by h.evaluation_date, h.model_version`,
    );
    f1Rows = rows.filter((r) => isoDay(r.evaluation_date) >= current.first);
    previousF1 = rows.filter((r) => isoDay(r.evaluation_date) <= previous.last).map((r) => r.f1);
  }

  const [latestPsi] = await queryRows<{ d: string | Date | null }>(
    db,
    sql`select max(report_date) as d from drift_feature_results`,
  );
  const psiAsOf = latestPsi?.d ? isoDay(latestPsi.d) : null;
  let matrix: PsiMatrix = { dates: [], features: [], values: [] };
  let previousPsiMax: number[] = [];
  if (psiAsOf) {
    const { current, previous } = dayPeriodsEndingAt(range, psiAsOf);
    // One row per day and feature: the active version's when a day was checked for several versions.
    const rows = await queryRows<PsiRow>(
      db,
      sql`select distinct on (d.report_date, d.feature_name) d.report_date, d.feature_name, d.psi_daily
          from drift_feature_results d left join model_versions v on v.version = d.model_version
          where d.report_date between ${previous.first} and ${current.last}
          order by d.report_date, d.feature_name, coalesce(v.is_active, false) desc, d.model_version`,
    );
    const cells = rows.map((r) => ({ date: isoDay(r.report_date), feature: r.feature_name, psi: r.psi_daily }));
    matrix = psiMatrix(
      cells.filter((c) => c.date >= current.first),
      FEATURE_NAMES,
    );
    const byDay = new Map<string, number>();
    for (const c of cells) {
      if (c.date > previous.last || c.psi === null || !Number.isFinite(c.psi)) continue;
      byDay.set(c.date, Math.max(byDay.get(c.date) ?? Number.NEGATIVE_INFINITY, c.psi));
    }
    previousPsiMax = [...byDay.values()];
  }
  const dailyMax = matrix.dates.map((_, d) => {
    const column = matrix.values.map((row) => row[d]).filter((v): v is number => typeof v === 'number');
    return column.length > 0 ? Math.max(...column) : null;
  });
  const f1 = f1Rows.map((r) => r.f1);
  return {
    range,
    asOf,
    f1: {
      dates: f1Rows.map((r) => isoDay(r.evaluation_date)),
      f1,
      baseline: f1Rows.map((r) => r.test_f1),
      versions: f1Rows.map((r) => r.model_version),
      anomalies: anomalyIndexes(f1, RULES.f1),
    },
    psi: { ...matrix, asOf: psiAsOf, dailyMax, anomalies: anomalyIndexes(dailyMax, RULES.psi) },
    comparison: {
      f1: comparePeriods(f1, previousF1, 'mean'),
      psiMax: comparePeriods(dailyMax, previousPsiMax, 'mean'),
    },
  };
}

// --- the active model

export interface ModelData {
  readonly active: {
    readonly version: string;
    readonly modelType: string;
    readonly trainingDate: string;
    readonly stage: string;
    readonly activatedAt: string | null;
    readonly testF1: number;
    readonly testRocAuc: number;
    readonly topFeatures: readonly FeatureImportance[];
  } | null;
}

interface ModelRow {
  version: string;
  model_type: string;
  training_date: string | Date;
  stage: string;
  activated_at: string | Date | null;
  test_f1: number;
  test_roc_auc: number;
  feature_importances: FeatureImportance[] | string;
}

export async function modelData(db: Database): Promise<ModelData> {
  const [row] = await queryRows<ModelRow>(
    db,
    sql`select version, model_type, training_date, stage, activated_at, test_f1, test_roc_auc, feature_importances
        from model_versions where is_active limit 1`,
  );
  if (!row) return { active: null };
  const importances: FeatureImportance[] =
    typeof row.feature_importances === 'string'
      ? (JSON.parse(row.feature_importances) as FeatureImportance[])
      : row.feature_importances;
  return {
    active: {
      version: row.version,
      modelType: row.model_type,
      trainingDate: isoDay(row.training_date),
      stage: row.stage,
      activatedAt: row.activated_at ? new Date(row.activated_at).toISOString() : null,
      testF1: row.test_f1,
      testRocAuc: row.test_roc_auc,
      topFeatures: [...importances].sort((a, b) => Math.abs(b.importance) - Math.abs(a.importance)).slice(0, 10),
    },
  };
}

// --- alerts, through the alert store's own queries

export interface DashboardLink {
  readonly label: string;
  readonly url: string;
}

export type DashboardAlert = AlertView & { readonly links: readonly DashboardLink[] };

export interface AlertsData {
  readonly active: readonly DashboardAlert[];
  readonly recent: readonly DashboardAlert[];
  readonly reports: readonly { kind: string; date: string; severity: string; url: string }[];
}

/**
 * A stored link to a report file becomes the dashboard's own authenticated URL; other links (a runbook, Grafana)
 * are kept when they are http(s), and anything else is dropped rather than rendered as a clickable href.
 */
export function dashboardLink(link: DashboardLink): DashboardLink | null {
  let name: string;
  try {
    name = path.posix.basename(new URL(link.url, 'http://placeholder.invalid').pathname);
  } catch {
    return null;
  }
  if (REPORT_FILE.test(name)) return { label: link.label, url: `/dashboard/reports/${name}` };
  return /^https?:\/\//i.test(link.url) ? link : null;
}

export async function alertsData(db: Database): Promise<AlertsData> {
  const active = await listAlerts(db, { limit: 50 });
  const recent = await alertHistory(db, new Date(0), 10);
  const ids = [...new Set([...active, ...recent].map((a) => a.id))];
  const linkRows =
    ids.length === 0
      ? []
      : await db.select({ id: alerts.id, links: alerts.links }).from(alerts).where(inArray(alerts.id, ids));
  const links = new Map(
    linkRows.map((r) => [r.id, r.links.map(dashboardLink).filter((l): l is DashboardLink => l !== null)]),
  );
  const withLinks = (a: AlertView): DashboardAlert => ({ ...stripDeliveries(a), links: links.get(a.id) ?? [] });
  const reportRows = await queryRows<{ kind: string; report_date: string | Date; severity: string; file_path: string }>(
    db,
    sql`select kind, report_date, severity, file_path from monitoring_reports
        order by report_date desc, kind limit 6`,
  );
  return {
    active: active.map(withLinks),
    recent: recent.map(withLinks),
    reports: reportRows.flatMap((r) => {
      const name = path.basename(r.file_path);
      return REPORT_FILE.test(name)
        ? [{ kind: r.kind, date: isoDay(r.report_date), severity: r.severity, url: `/dashboard/reports/${name}` }]
        : [];
    }),
  };
}

function stripDeliveries(a: AlertView & { deliveries?: unknown }): AlertView {
  const { deliveries: _deliveries, ...rest } = a;
  return rest;
}
