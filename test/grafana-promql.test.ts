/**
 * Every PromQL expression of the Grafana dashboard, run against a real Prometheus scraping the running API. A
 * typo in a metric or label name would otherwise only show as an empty panel in production; here each query must
 * parse (the query API answers success) and return at least one series. Grafana's variables are substituted with
 * concrete values first: $__rate_interval and $__range with windows that hold several 1 s scrapes, $model_version
 * with both its "All" value and one version.
 */
import fs from 'node:fs';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../api/app.js';
import { DEFAULT_API_CONFIG } from '../api/config.js';
import type { ApiPlugin } from '../api/context.js';
import { predictionItem, seedModelVersion, silentLogger } from '../api/test-fixtures.js';
import { FEATURE_NAMES } from '../domain/features.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { startPrometheus, type PrometheusServer } from './support/prometheus.js';

interface Panel {
  readonly type: string;
  readonly title: string;
  readonly targets?: readonly { readonly expr: string; readonly refId: string }[];
}
const dashboard = JSON.parse(
  fs.readFileSync(path.resolve(import.meta.dirname, '../grafana/dashboards/vcp-monitor.json'), 'utf8'),
) as { panels: Panel[]; templating: { list: { name: string; definition?: string }[] } };
const queries = dashboard.panels.flatMap((p) =>
  (p.targets ?? []).map((t) => ({ panel: p.title, ref: t.refId, expr: t.expr })),
);

const VERSION = '1.0.0';
const DAY = '2025-11-14';

function substitute(expr: string, modelVersion: string): string {
  return expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__range', '5m')
    .replaceAll('$__interval', '15s')
    .replaceAll('$model_version', modelVersion);
}

// A route that always fails, so the 5xx share and the error panels have a series.
const failingPlugin: ApiPlugin = (app) => {
  app.get('/api/v1/test/boom', () => Promise.reject(new Error('boom')));
  return Promise.resolve();
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the dashboard queries against a real Prometheus scraping the API', () => {
  let database: TestDatabase;
  let app: FastifyInstance;
  let prometheus: PrometheusServer;

  beforeAll(async () => {
    database = await createTestDatabase('grafana_promql');
    const db = database.handle.db;
    await seedModelVersion(db, VERSION);
    // The model gauges come from the latest evaluation day and drift run, as the daily workflow writes them.
    for (const [window, f1] of [
      [7, 0.36],
      [30, 0.38],
      [90, 0.4],
    ] as const) {
      await db.execute(sql`
        insert into model_performance_history (evaluation_date, model_version, window_days, scoring, predictions,
          true_positives, false_positives, false_negatives, true_negatives, precision, recall, f1, roc_auc,
          baseline_f1, f1_relative_drop, severity)
        values (${DAY}, ${VERSION}, ${window}, 'served', 400, 40, 60, 50, 250, 0.4, 0.44, ${f1}, 0.76, 0.42,
          ${(0.42 - f1) / 0.42}, 'MODERATE')`);
    }
    // Twelve features, so topk(10, ...) has more than it shows.
    for (const [i, feature] of FEATURE_NAMES.slice(0, 12).entries()) {
      await db.execute(sql`
        insert into drift_feature_results (report_date, model_version, feature_name, rows, missing, non_finite,
          out_of_range, psi_daily, psi_weekly, status, action)
        values (${DAY}, ${VERSION}, ${feature}, 200, 0, 0, 0, ${0.02 * (i + 1)}, ${0.01 * (i + 1)}, 'OK', 'none')`);
    }
    app = buildApp({
      db,
      config: { ...DEFAULT_API_CONFIG, qualityCacheMs: 0, memoryLimitBytes: 4 * 1024 ** 3 },
      log: silentLogger(),
      plugins: [failingPlugin],
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const base = `http://127.0.0.1:${port}`;
    prometheus = await startPrometheus({
      targets: [{ job: 'vcp-api', target: `127.0.0.1:${port}` }],
      scrapeInterval: '1s',
    });
    await prometheus.waitForTargetsUp();

    const predict = (body: unknown) =>
      fetch(`${base}/api/v1/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    // Traffic spread over about four seconds, so rate() over 1m sees the counters move between scrapes.
    for (let i = 0; i < 40; i++) {
      const res = await predict(predictionItem(500000 + (i % 25), DAY, { earnings_surprise_pct: (i % 7) - 2 }));
      expect(res.status).toBe(200);
      if (i % 10 === 0) {
        expect((await predict({ bse_code: 'x' })).status).toBe(400);
        expect((await fetch(`${base}/api/v1/test/boom`)).status).toBe(500);
      }
      await sleep(100);
    }
    await prometheus.waitFor('sum(api_requests_total{endpoint="/api/v1/test/boom"})', (s) => s[0]?.value === 4);
    await prometheus.waitFor('count(feature_psi)', (s) => (s[0]?.value ?? 0) >= 24);
    // Two more scrapes after the last request, so every rate() window holds the whole burst.
    await sleep(2_500);
  });
  afterAll(async () => {
    await prometheus?.stop();
    await app?.close();
    await database?.drop();
  });

  it('has queries to check', () => {
    expect(queries.length).toBeGreaterThan(20);
  });

  for (const modelVersion of ['.*', VERSION]) {
    it(`parses every panel query and gets series back, with $model_version = ${modelVersion}`, async () => {
      const failures: string[] = [];
      for (const { panel, ref, expr } of queries) {
        const concrete = substitute(expr, modelVersion);
        try {
          const samples = await prometheus.query(concrete);
          if (samples.length === 0) failures.push(`${panel} ${ref}: no series for ${concrete}`);
          else if (samples.every((s) => Number.isNaN(s.value)))
            failures.push(`${panel} ${ref}: only NaN for ${concrete}`);
        } catch (err) {
          failures.push(`${panel} ${ref}: ${(err as Error).message}`);
        }
      }
      expect(failures).toEqual([]);
    });
  }

  it('shows exactly the ten largest daily PSI values in the drift bar gauge', async () => {
    const samples = await prometheus.query(
      substitute('topk(10, feature_psi{window="daily", model_version=~"$model_version"})', '.*'),
    );
    expect(samples).toHaveLength(10);
    expect(Math.min(...samples.map((s) => s.value))).toBeCloseTo(0.06, 6);
  });

  it('finds the model versions the model_version variable offers', async () => {
    const definition = dashboard.templating.list.find((v) => v.name === 'model_version')?.definition;
    expect(definition).toBe('label_values(model_f1_score, model_version)');
    const samples = await prometheus.query('count by (model_version) (model_f1_score)');
    expect(samples.map((s) => s.metric.model_version)).toEqual([VERSION]);
  });

  it('reads the quality gauges the dashboard shows at the values in Postgres', async () => {
    const [f1] = await prometheus.query(`model_f1_score{window="30d", model_version="${VERSION}"}`);
    expect(f1?.value).toBeCloseTo(0.38, 9);
    const [severity] = await prometheus.query(`model_degradation_severity{model_version="${VERSION}"}`);
    expect(severity?.value).toBe(2);
  });
});
