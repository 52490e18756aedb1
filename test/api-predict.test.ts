import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../api/app.js';
import { DEFAULT_API_CONFIG } from '../api/config.js';
import type { ApiPlugin } from '../api/context.js';
import { predictionItem, seedModelVersion, silentLogger } from '../api/test-fixtures.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

const DAY = '2025-11-14';

/** The value of one series in Prometheus text output, or undefined when absent. */
function sample(text: string, name: string, labels: Record<string, string> = {}): number | undefined {
  for (const line of text.split('\n')) {
    if (!line.startsWith(name)) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})? (\S+)$/.exec(line);
    if (!match || match[1] !== name) continue;
    const body = match[2] ?? '';
    if (Object.entries(labels).every(([k, v]) => body.includes(`${k}="${v}"`))) return Number(match[3]);
  }
  return undefined;
}

const echoPlugin: ApiPlugin = (app) => {
  app.get('/api/v1/things/:id', (request) => Promise.resolve({ id: (request.params as { id: string }).id }));
  return Promise.resolve();
};

describe('prediction API', () => {
  let database: TestDatabase;
  let app: FastifyInstance;

  beforeAll(async () => {
    database = await createTestDatabase('api_predict');
    await seedModelVersion(database.handle.db, '1.0.0');
    app = buildApp({
      db: database.handle.db,
      config: { ...DEFAULT_API_CONFIG, bodyLimitBytes: 64 * 1024, maxBatchSize: 20, modelRefreshMs: 60_000 },
      log: silentLogger(),
      plugins: [echoPlugin],
    });
    await app.ready();
  });
  afterAll(async () => {
    await app?.close();
    await database?.drop();
  });

  const metrics = async () => (await app.inject({ method: 'GET', url: '/metrics' })).body;

  it('scores one company with probability, label, confidence band and the active model version', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/predict',
      payload: predictionItem(500001, DAY, { earnings_surprise_pct: 2, volume_ratio_30d: 1 }),
    });
    expect(res.statusCode).toBe(200);
    const body = res.json<Record<string, unknown>>();
    // eta = -1 + 1.5 * 2 + 0.8 * 1 = 2.8
    expect(body.probability).toBeCloseTo(1 / (1 + Math.exp(-2.8)), 12);
    expect(body).toMatchObject({ predicted_label: 1, confidence: 'high', model_version: '1.0.0', threshold: 0.3 });
    // The trace id comes from logging/fastify-plugin.ts and is echoed for the caller to quote.
    expect(res.headers['x-request-id']).toEqual(expect.any(String));
  });

  it('scores a batch in order and imputes null features, counting each as a feature extraction failure', async () => {
    const items = [0, 1, 2].map((i) => predictionItem(500100 + i, DAY, { earnings_surprise_pct: i - 1 }));
    items[2]!.rsi_14 = null;
    const res = await app.inject({ method: 'POST', url: '/api/v1/predict', payload: { predictions: items } });
    expect(res.statusCode).toBe(200);
    const body = res.json<{
      model_version: string;
      predictions: { bse_code: number; predicted_label: number; imputed_features: string[] }[];
    }>();
    expect(body.model_version).toBe('1.0.0');
    expect(body.predictions.map((p) => p.bse_code)).toEqual([500100, 500101, 500102]);
    expect(body.predictions.map((p) => p.predicted_label)).toEqual([0, 0, 1]);
    expect(body.predictions[2]!.imputed_features).toEqual(['rsi_14']);
    expect(sample(await metrics(), 'feature_extraction_failures_total', { feature: 'rsi_14', reason: 'missing' })).toBe(
      1,
    );
  });

  it('names the offending field of a batch item in a coded 400', async () => {
    const items = [0, 1, 2, 3].map((i) => predictionItem(500200 + i, DAY));
    (items[3] as Record<string, unknown>).rsi_14 = 'high';
    const res = await app.inject({ method: 'POST', url: '/api/v1/predict', payload: { predictions: items } });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({
      error: {
        code: 'VALIDATION_FAILED',
        message: 'body.predictions[3].rsi_14 must be number or null',
        field: 'body.predictions[3].rsi_14',
      },
    });
  });

  it('rejects a missing feature key, a bad date and a non-integer bse_code with the field named', async () => {
    const missing = predictionItem(500001, DAY);
    delete missing.roe;
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [missing, 'body.roe', /body\.roe is required/],
      [
        { ...predictionItem(500001, DAY), prediction_date: '14/11/2025' },
        'body.prediction_date',
        /must match format "date"/,
      ],
      [{ ...predictionItem(500001, DAY), bse_code: 5.5 }, 'body.bse_code', /body\.bse_code must be integer/],
    ];
    for (const [payload, field, message] of cases) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/predict', payload });
      expect(res.statusCode).toBe(400);
      const error = res.json<{ error: { code: string; message: string; field: string } }>().error;
      expect(error.field).toBe(field);
      expect(error.message).toMatch(message);
    }
  });

  it('answers malformed JSON with INVALID_JSON rather than a stack trace', async () => {
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/predict',
      headers: { 'content-type': 'application/json' },
      payload: '{"bse_code": 5',
    });
    expect(res.statusCode).toBe(400);
    expect(res.json<{ error: { code: string } }>().error.code).toBe('INVALID_JSON');
  });

  it('refuses an oversize body with 413 PAYLOAD_TOO_LARGE and a batch over the limit with 413 BATCH_TOO_LARGE', async () => {
    const huge = { predictions: Array.from({ length: 200 }, (_, i) => predictionItem(500000 + i, DAY)) };
    const tooBig = await app.inject({ method: 'POST', url: '/api/v1/predict', payload: huge });
    expect(tooBig.statusCode).toBe(413);
    expect(tooBig.json<{ error: { code: string; message: string } }>().error).toMatchObject({
      code: 'PAYLOAD_TOO_LARGE',
      message: expect.stringMatching(/the limit is 65536 bytes/) as unknown,
    });

    const overBatch = { predictions: Array.from({ length: 21 }, (_, i) => predictionItem(500000 + i, DAY)) };
    const res = await app.inject({ method: 'POST', url: '/api/v1/predict', payload: overBatch });
    expect(res.statusCode).toBe(413);
    expect(res.json()).toMatchObject({
      error: {
        code: 'BATCH_TOO_LARGE',
        message: 'body.predictions holds 21 items; the limit is 20 per request',
        field: 'body.predictions',
      },
    });
  });

  it('returns the active model metadata from the registry', async () => {
    const res = await app.inject({ method: 'GET', url: '/api/v1/models' });
    expect(res.statusCode).toBe(200);
    const active = res.json<{ active: Record<string, unknown> & { top_feature_importances: { feature: string }[] } }>()
      .active;
    expect(active).toMatchObject({
      version: '1.0.0',
      model_type: 'logistic_regression',
      training_date: '2025-10-01',
      test_metrics: { f1: 0.42, precision: 0.38, recall: 0.47, roc_auc: 0.81 },
    });
    expect(active.top_feature_importances[0]?.feature).toBe('earnings_surprise_pct');
    expect(active.top_feature_importances.length).toBeLessThanOrEqual(10);
  });

  it('raises model_cache_hit_rate when the same company-day is requested again', async () => {
    const item = predictionItem(599999, DAY, { roe: 0.3 });
    await app.inject({ method: 'POST', url: '/api/v1/predict', payload: item });
    const before = sample(await metrics(), 'model_cache_hit_rate')!;
    const hitsBefore = sample(await metrics(), 'model_cache_lookups_total', { result: 'hit' }) ?? 0;
    for (let i = 0; i < 5; i++) {
      const res = await app.inject({ method: 'POST', url: '/api/v1/predict', payload: item });
      expect(res.json<{ cached: boolean }>().cached).toBe(true);
    }
    const text = await metrics();
    expect(sample(text, 'model_cache_hit_rate')!).toBeGreaterThan(before);
    expect(sample(text, 'model_cache_lookups_total', { result: 'hit' })).toBe(hitsBefore + 5);
  });

  it('labels requests by route pattern, so raw URLs never become series', async () => {
    for (const id of ['a1', 'b2', 'c3']) await app.inject({ method: 'GET', url: `/api/v1/things/${id}?x=${id}` });
    for (const path of ['/wp-login.php', '/x/1', '/x/2']) {
      const res = await app.inject({ method: 'GET', url: path });
      expect(res.statusCode).toBe(404);
      expect(res.json<{ error: { code: string } }>().error.code).toBe('NOT_FOUND');
    }
    const text = await metrics();
    expect(sample(text, 'api_requests_total', { endpoint: '/api/v1/things/:id', status_code: '200' })).toBe(3);
    expect(sample(text, 'api_requests_total', { endpoint: 'unmatched', status_code: '404' })).toBe(3);
    expect(sample(text, 'api_errors_total', { endpoint: 'unmatched', error_type: 'NOT_FOUND' })).toBe(3);
    expect(
      sample(text, 'api_errors_total', {
        endpoint: '/api/v1/predict',
        error_type: 'VALIDATION_FAILED',
        status_code: '400',
      }),
    ).toBeGreaterThan(0);
    expect(text).not.toMatch(/endpoint="\/api\/v1\/things\/a1/);
    expect(text).not.toMatch(/wp-login/);
    expect(
      sample(text, 'api_request_duration_seconds_bucket', { endpoint: '/api/v1/predict', le: '0.01' }),
    ).toBeGreaterThan(0);
  });

  it('switches to a newly activated version when reloadActiveModel is called', async () => {
    await seedModelVersion(database.handle.db, '1.1.0');
    await app.reloadActiveModel();
    const res = await app.inject({ method: 'POST', url: '/api/v1/predict', payload: predictionItem(500001, DAY) });
    expect(res.json<{ model_version: string }>().model_version).toBe('1.1.0');
    expect(sample(await metrics(), 'model_active_info', { model_version: '1.1.0' })).toBe(1);
  });

  it('notices a new active version by itself within the refresh interval, without a reload call', async () => {
    const polling = buildApp({
      db: database.handle.db,
      config: { ...DEFAULT_API_CONFIG, modelRefreshMs: 50 },
      log: silentLogger(),
    });
    try {
      const version = async () =>
        (await polling.inject({ method: 'POST', url: '/api/v1/predict', payload: predictionItem(500002, DAY) })).json<{
          model_version: string;
        }>().model_version;
      expect(await version()).toBe('1.1.0');
      await seedModelVersion(database.handle.db, '1.2.0');
      await new Promise((resolve) => setTimeout(resolve, 80));
      // The request that notices the change is still answered by the loaded model; the check runs beside it.
      await version();
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(await version()).toBe('1.2.0');
    } finally {
      await polling.close();
    }
  });

  it('reports the database reachable on /healthz', async () => {
    const res = await app.inject({ method: 'GET', url: '/healthz' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', database: 'reachable' });
  });
});
