import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../api/app.js';
import { DEFAULT_API_CONFIG } from '../api/config.js';
import { predictionItem, seedModelVersion, silentLogger } from '../api/test-fixtures.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const body = match[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => body.includes(`${k}="${v}"`))) return Number(match[3]);
  }
  return undefined;
}

describe('model-quality gauges read from Postgres at scrape time', () => {
  let database: TestDatabase;
  let app: FastifyInstance;
  let cachedApp: FastifyInstance;

  const performanceRow = (day: string, window: number, f1: number, severity: string, rocAuc: number | null) => sql`
    insert into model_performance_history (evaluation_date, model_version, window_days, scoring, predictions,
      true_positives, false_positives, false_negatives, true_negatives, precision, recall, f1, roc_auc,
      baseline_f1, f1_relative_drop, severity)
    values (${day}, '1.0.0', ${window}, 'served', 400, 40, 60, 50, 250, 0.4, ${f1}, ${f1}, ${rocAuc}, 0.42,
      ${(0.42 - f1) / 0.42}, ${severity})`;

  beforeAll(async () => {
    database = await createTestDatabase('api_metrics');
    const db = database.handle.db;
    await seedModelVersion(db, '1.0.0');
    // An older day that must not show, and the latest day that must.
    await db.execute(performanceRow('2025-11-13', 30, 0.41, 'NONE', 0.8));
    await db.execute(performanceRow('2025-11-14', 7, 0.3, 'SEVERE', null));
    await db.execute(performanceRow('2025-11-14', 30, 0.37, 'SEVERE', 0.74));
    await db.execute(performanceRow('2025-11-14', 90, 0.4, 'MINOR', 0.79));
    for (const [day, psi] of [
      ['2025-11-13', 0.9],
      ['2025-11-14', 0.27],
    ] as const) {
      await db.execute(sql`
        insert into drift_feature_results (report_date, model_version, feature_name, rows, missing, non_finite,
          out_of_range, psi_daily, psi_weekly, status, action)
        values (${day}, '1.0.0', 'rsi_14', 200, 0, 0, 0, ${psi}, ${psi / 2}, 'DRIFT', 'investigate')`);
    }
    const config = { ...DEFAULT_API_CONFIG, qualityCacheMs: 0, persistPredictions: true };
    app = buildApp({ db, config, log: silentLogger() });
    cachedApp = buildApp({ db, config: { ...config, qualityCacheMs: 60_000 }, log: silentLogger() });
    await Promise.all([app.ready(), cachedApp.ready()]);
  });
  afterAll(async () => {
    await app?.close();
    await cachedApp?.close();
    await database?.drop();
  });

  const metrics = async (target: FastifyInstance = app) =>
    (await target.inject({ method: 'GET', url: '/metrics' })).body;

  it('exports F1, precision, recall and ROC-AUC per window from the latest evaluation day only', async () => {
    const text = await metrics();
    expect(sample(text, 'model_f1_score', { window: '30d', model_version: '1.0.0' })).toBe(0.37);
    expect(sample(text, 'model_f1_score', { window: '7d' })).toBe(0.3);
    expect(sample(text, 'model_precision', { window: '90d' })).toBe(0.4);
    expect(sample(text, 'model_recall', { window: '90d' })).toBe(0.4);
    expect(sample(text, 'model_roc_auc', { window: '30d' })).toBe(0.74);
    // A one-class window has no ROC-AUC: the series is absent rather than a misleading 0.
    expect(sample(text, 'model_roc_auc', { window: '7d' })).toBeUndefined();
  });

  it('exports the evaluated (30-day) window severity as its code', async () => {
    expect(sample(await metrics(), 'model_degradation_severity', { model_version: '1.0.0' })).toBe(3);
  });

  it('exports daily and weekly PSI per feature from the latest drift run', async () => {
    const text = await metrics();
    expect(sample(text, 'feature_psi', { feature: 'rsi_14', window: 'daily' })).toBe(0.27);
    expect(sample(text, 'feature_psi', { feature: 'rsi_14', window: 'weekly' })).toBe(0.135);
  });

  it('persists served predictions when asked and counts the day’s positives as upper-circuit candidates', async () => {
    const items = [
      predictionItem(500010, '2025-11-17', { earnings_surprise_pct: 3 }),
      predictionItem(500011, '2025-11-17', { earnings_surprise_pct: 2 }),
      predictionItem(500012, '2025-11-17', { earnings_surprise_pct: -2 }),
    ];
    const res = await app.inject({ method: 'POST', url: '/api/v1/predict', payload: { predictions: items } });
    expect(res.statusCode).toBe(200);
    const text = await metrics();
    expect(
      sample(text, 'daily_upper_circuit_candidates', { prediction_date: '2025-11-17', model_version: '1.0.0' }),
    ).toBe(2);
  });

  it('reuses one Postgres read within the cache window, so a new evaluation shows only after it', async () => {
    const before = sample(await metrics(cachedApp), 'model_f1_score', { window: '30d' });
    await database.handle.db.execute(performanceRow('2025-11-15', 30, 0.2, 'SEVERE', 0.7));
    expect(sample(await metrics(cachedApp), 'model_f1_score', { window: '30d' })).toBe(before);
    expect(sample(await metrics(app), 'model_f1_score', { window: '30d' })).toBe(0.2);
  });

  it('exports process metrics, disk I/O, the memory limit and keeps each app on its own registry', async () => {
    const text = await metrics();
    expect(sample(text, 'process_cpu_seconds_total')).toBeGreaterThan(0);
    expect(sample(text, 'process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(sample(text, 'disk_read_bytes_total')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'disk_write_bytes_total')).toBeGreaterThanOrEqual(0);
    expect(sample(text, 'process_memory_limit_bytes')).toBeGreaterThan(0);
    const registry = new Registry();
    const own = buildApp({ db: database.handle.db, config: DEFAULT_API_CONFIG, log: silentLogger(), registry });
    await own.ready();
    try {
      expect(await registry.getSingleMetric('api_requests_total')?.get()).toMatchObject({ values: [] });
    } finally {
      await own.close();
    }
  });
});
