import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../api/app.js';
import { DEFAULT_API_CONFIG } from '../api/config.js';
import type { ApiPlugin } from '../api/context.js';
import { predictionItem, seedModelVersion, silentLogger } from '../api/test-fixtures.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';
import { startPrometheus, type PrometheusServer } from './support/prometheus.js';

const RULES = path.resolve(import.meta.dirname, '../prometheus/rules/vcp-monitor.rules.yml');
const DAY = '2025-11-14';
const GOOD = 30;
const INVALID = 5;
const UNMATCHED = 3;
const FAILING = 2;

// A route that always fails, so the 5xx path is exercised through the real error handler.
const failingPlugin: ApiPlugin = (app) => {
  app.get('/api/v1/test/boom', () => Promise.reject(new Error('boom')));
  return Promise.resolve();
};

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('the API scraped by a real Prometheus', () => {
  let database: TestDatabase;
  let app: FastifyInstance;
  let prometheus: PrometheusServer;
  let base: string;

  beforeAll(async () => {
    database = await createTestDatabase('prom_scrape');
    await seedModelVersion(database.handle.db, '1.0.0');
    app = buildApp({
      db: database.handle.db,
      config: { ...DEFAULT_API_CONFIG, memoryLimitBytes: 4 * 1024 ** 3 },
      log: silentLogger(),
      plugins: [failingPlugin],
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    base = `http://127.0.0.1:${port}`;
    prometheus = await startPrometheus({
      targets: [{ job: 'vcp-api', target: `127.0.0.1:${port}` }],
      scrapeInterval: '1s',
      ruleFiles: [RULES],
    });
    await prometheus.waitForTargetsUp();

    const post = (body: unknown) =>
      fetch(`${base}/api/v1/predict`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    // Spread over about three seconds so several scrapes see the counters move.
    for (let i = 0; i < GOOD; i++) {
      const res = await post(predictionItem(500000 + (i % 20), DAY, { earnings_surprise_pct: (i % 5) - 1 }));
      expect(res.status).toBe(200);
      await sleep(100);
    }
    for (let i = 0; i < INVALID; i++) expect((await post({ bse_code: 'x' })).status).toBe(400);
    for (let i = 0; i < UNMATCHED; i++) expect((await fetch(`${base}/nope/${i}`)).status).toBe(404);
    for (let i = 0; i < FAILING; i++) expect((await fetch(`${base}/api/v1/test/boom`)).status).toBe(500);
    await prometheus.waitFor('sum(api_requests_total{endpoint="/api/v1/test/boom"})', (s) => s[0]?.value === FAILING);
  });
  afterAll(async () => {
    await prometheus?.stop();
    await app?.close();
    await database?.drop();
  });

  it('sees a request rate for the predict endpoint', async () => {
    const [rate] = await prometheus.query('sum(rate(api_requests_total{endpoint="/api/v1/predict"}[1m]))');
    expect(rate?.value).toBeGreaterThan(0);
    const [total] = await prometheus.query('sum(api_requests_total{endpoint="/api/v1/predict"})');
    expect(total?.value).toBe(GOOD + INVALID);
  });

  it('computes a p95 latency from the histogram within the bucket range', async () => {
    const [p95] = await prometheus.query(
      'histogram_quantile(0.95, sum by (le) (rate(api_request_duration_seconds_bucket{endpoint="/api/v1/predict"}[1m])))',
    );
    expect(p95?.value).toBeGreaterThan(0);
    expect(p95?.value).toBeLessThanOrEqual(5);
  });

  it('counts errors by status class: validation and unmatched as 4xx, the failing route as 5xx', async () => {
    const samples = await prometheus.query(
      'sum by (class) (label_replace(api_errors_total, "class", "${1}xx", "status_code", "(.).."))',
    );
    const byClass: Record<string, number> = Object.fromEntries(samples.map((s) => [s.metric.class ?? '', s.value]));
    expect(byClass).toEqual({ '4xx': INVALID + UNMATCHED, '5xx': FAILING });
    const [internal] = await prometheus.query('sum(api_errors_total{error_type="INTERNAL", status_code="500"})');
    expect(internal?.value).toBe(FAILING);
  });

  it('reads model_predictions_total by label and confidence band', async () => {
    const samples = await prometheus.query('sum by (predicted_label) (model_predictions_total{model_version="1.0.0"})');
    const total = samples.reduce((sum, s) => sum + s.value, 0);
    expect(total).toBe(GOOD);
    expect(samples.map((s) => s.metric.predicted_label).sort()).toEqual(['0', '1']);
    const [hitRate] = await prometheus.query('model_cache_hit_rate');
    // 30 requests over 20 company-days: 10 repeats.
    expect(hitRate?.value).toBeCloseTo(10 / 30, 6);
  });

  it('evaluates the project rules over the live series (recording rules and the memory ratio join)', async () => {
    const [rate] = await prometheus.waitFor('job:api_requests:rate5m{job="vcp-api"}', (s) => (s[0]?.value ?? 0) > 0);
    expect(rate?.value).toBeGreaterThan(0);
    const [memory] = await prometheus.waitFor('job:process_memory_utilisation:ratio', (s) => s.length === 1);
    expect(memory?.value).toBeGreaterThan(0);
    expect(memory?.value).toBeLessThan(1);
    const [io] = await prometheus.query('disk_read_bytes_total{job="vcp-api"}');
    expect(io?.metric.source).toMatch(/^(storage|syscalls)$/);
  });
});
