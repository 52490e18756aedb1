/**
 * The real API (buildApp) with the logging plugin, writing real files: the tests read app.log, errors.log and
 * audit.log back and check the fields, one trace id across a request's lines and its error body, and the split.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../api/app.js';
import { DEFAULT_API_CONFIG } from '../api/config.js';
import type { ApiPlugin } from '../api/context.js';
import type { ModelSource } from '../api/model-store.js';
import { handMadeModel, predictionItem } from '../api/test-fixtures.js';
import { closeLogging, componentLogger, configureLogging, flushLogs } from '../logging/logger.js';
import { createTestDatabase, type TestDatabase } from './support/database.js';

type Line = Record<string, unknown> & { level: string; context: Record<string, unknown> };

const model = handMadeModel('1.4.0');
const fixedModel: ModelSource = { current: () => Promise.resolve(model), reload: () => Promise.resolve(model) };

/** Routes that log from inside the handler, across an await, and fail, as other engineers' plugins will. */
// eslint-disable-next-line @typescript-eslint/require-await -- ApiPlugin is an async plugin type; this one registers synchronously.
const probeRoutes: ApiPlugin = async (app) => {
  const log = componentLogger('probe');
  app.post('/test/work', async (request) => {
    log.info({ step: 'start' }, 'probe work started');
    await new Promise((r) => setTimeout(r, 5));
    log.info({ step: 'end', body: request.body }, 'probe work finished');
    return { ok: true };
  });
  app.get('/test/slow', async () => {
    await new Promise((r) => setTimeout(r, 60));
    return { ok: true };
  });
  app.get('/test/boom', async () => {
    log.warning('about to fail');
    await Promise.resolve();
    throw new TypeError('cannot read feature vector of undefined');
  });
};

let db: TestDatabase;
let dir: string;
let app: FastifyInstance;

function readLines(name: string): Line[] {
  const file = path.join(dir, name);
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Line);
}

beforeAll(async () => {
  db = await createTestDatabase('logging_api');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcp-logs-api-'));
  await configureLogging({ dir, stdout: false, level: 'INFO' });
  app = buildApp({ db: db.handle.db, config: DEFAULT_API_CONFIG, models: fixedModel, plugins: [probeRoutes] });
  await app.ready();
});

afterAll(async () => {
  await app?.close();
  await closeLogging();
  await db?.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('API logging to files', () => {
  it('writes every line of a request with the trace id taken from traceparent, and returns it in headers', async () => {
    const parent = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    const res = await app.inject({
      method: 'POST',
      url: '/test/work',
      headers: { traceparent: parent },
      payload: { a: 1 },
    });
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-request-id']).toBe('0af7651916cd43dd8448eb211c80319c');
    expect(String(res.headers.traceparent)).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
    await flushLogs();

    const mine = readLines('app.log').filter((l) => l.trace_id === '0af7651916cd43dd8448eb211c80319c');
    expect(mine.map((l) => l.message)).toEqual(['probe work started', 'probe work finished', 'request completed']);
    for (const line of mine) {
      expect(Object.keys(line).sort()).toEqual(['context', 'level', 'logger', 'message', 'timestamp', 'trace_id']);
      expect(line.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    }
    const request = mine[2]!;
    expect(request).toMatchObject({
      level: 'INFO',
      context: { method: 'POST', route: '/test/work', status_code: 200 },
    });
    expect(typeof request.context.duration_ms).toBe('number');
  });

  it('keeps the trace id through body parsing over a real socket, for a body that arrives in many chunks', async () => {
    // inject hands Fastify the whole body at once; a socket delivers it in chunks, in the connection's async context.
    const server = buildApp({
      db: db.handle.db,
      config: DEFAULT_API_CONFIG,
      models: fixedModel,
      plugins: [probeRoutes],
    });
    const address = await server.listen({ host: '127.0.0.1', port: 0 });
    try {
      const res = await fetch(`${address}/test/work`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-request-id': 'socket-trace-1' },
        body: JSON.stringify({ padding: 'x'.repeat(300_000) }),
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('x-request-id')).toBe('socket-trace-1');
      await flushLogs();
      const mine = readLines('app.log').filter((l) => l.trace_id === 'socket-trace-1');
      expect(mine.map((l) => l.message)).toEqual(['probe work started', 'probe work finished', 'request completed']);
    } finally {
      await server.close();
    }
  });

  it('puts the trace id of a failing request in its error body, its lines, and errors.log with type and stack', async () => {
    const res = await app.inject({ method: 'GET', url: '/test/boom', headers: { 'x-request-id': 'client-req-77' } });
    expect(res.statusCode).toBe(500);
    expect(res.headers['x-request-id']).toBe('client-req-77');
    expect(res.json()).toMatchObject({ error: { code: 'INTERNAL', trace_id: 'client-req-77' } });
    await flushLogs();

    const appLines = readLines('app.log').filter((l) => l.trace_id === 'client-req-77');
    expect(appLines.map((l) => [l.level, l.message])).toEqual([
      ['WARNING', 'about to fail'],
      ['ERROR', 'unhandled error in route'],
      ['ERROR', 'request failed'],
    ]);
    const errors = readLines('errors.log');
    expect(errors.every((l) => l.level === 'ERROR' || l.level === 'CRITICAL')).toBe(true);
    const failure = errors.find((l) => l.trace_id === 'client-req-77' && l.message === 'unhandled error in route');
    expect(failure?.err).toMatchObject({ type: 'TypeError', message: 'cannot read feature vector of undefined' });
    expect(String((failure?.err as { stack?: string }).stack)).toContain('TypeError: cannot read feature vector');
    expect(failure?.context).toMatchObject({ method: 'GET', url: '/test/boom' });
    expect(errors.some((l) => l.message === 'about to fail')).toBe(false);
  });

  it('gives a request without trace headers a fresh UUID, distinct per request, and 404 bodies carry it too', async () => {
    const a = await app.inject({ method: 'GET', url: '/nowhere' });
    const b = await app.inject({ method: 'GET', url: '/nowhere' });
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
    expect(a.headers['x-request-id']).toMatch(uuid);
    expect(a.headers['x-request-id']).not.toBe(b.headers['x-request-id']);
    expect(a.json()).toMatchObject({ error: { code: 'NOT_FOUND', trace_id: a.headers['x-request-id'] } });
    await flushLogs();
    const line = readLines('app.log').find((l) => l.trace_id === a.headers['x-request-id']);
    expect(line).toMatchObject({ message: 'request completed', context: { route: 'unmatched', status_code: 404 } });
  });

  it('writes exactly one audit line per prediction of a batch, with the request trace id', async () => {
    const n = 37;
    const items = Array.from({ length: n }, (_, i) =>
      predictionItem(500000 + i, '2026-03-14', { earnings_surprise_pct: i / 10 }),
    );
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/predict',
      headers: { 'x-request-id': 'batch-audit-1' },
      payload: { predictions: items },
    });
    expect(res.statusCode).toBe(200);
    const served = res.json<{ predictions: { bse_code: number; probability: number; predicted_label: number }[] }>()
      .predictions;
    await flushLogs();

    const audit = readLines('audit.log').filter((l) => l.trace_id === 'batch-audit-1');
    expect(audit).toHaveLength(n);
    expect(audit.map((l) => l.bse_code)).toEqual(served.map((p) => p.bse_code));
    expect(audit[3]).toEqual({
      timestamp: expect.stringMatching(/Z$/) as unknown,
      bse_code: 500003,
      prediction_date: '2026-03-14',
      predicted_label: served[3]!.predicted_label,
      probability: served[3]!.probability,
      model_version: '1.4.0',
      user_id: null,
      trace_id: 'batch-audit-1',
    });
    // A single-company request audits one line; a rejected batch audits none.
    await app.inject({
      method: 'POST',
      url: '/api/v1/predict',
      headers: { 'x-request-id': 'single-1' },
      payload: items[0],
    });
    const tooBig = Array.from({ length: DEFAULT_API_CONFIG.maxBatchSize + 1 }, () => items[0]);
    const rejected = await app.inject({
      method: 'POST',
      url: '/api/v1/predict',
      headers: { 'x-request-id': 'rejected-1' },
      payload: { predictions: tooBig },
    });
    expect(rejected.statusCode).toBe(413);
    await flushLogs();
    const all = readLines('audit.log');
    expect(all.filter((l) => l.trace_id === 'single-1')).toHaveLength(1);
    expect(all.filter((l) => l.trace_id === 'rejected-1')).toHaveLength(0);
    // The audit trail is its own file: prediction lines never land in app.log.
    expect(readLines('app.log').some((l) => 'bse_code' in l)).toBe(false);
  });

  it('samples request lines of fast successes when asked, but keeps every error, slow request and audit line', async () => {
    const sampled = buildApp({
      db: db.handle.db,
      config: { ...DEFAULT_API_CONFIG, requestLogSampleRate: 0.25, slowRequestMs: 50 },
      models: fixedModel,
      plugins: [probeRoutes],
    });
    await sampled.ready();
    try {
      for (let i = 0; i < 8; i++) {
        const res = await sampled.inject({
          method: 'POST',
          url: '/api/v1/predict',
          headers: { 'x-request-id': `sampled-${i}` },
          payload: predictionItem(510000 + i, '2026-03-16'),
        });
        expect(res.statusCode).toBe(200);
      }
      const bad = await sampled.inject({
        method: 'POST',
        url: '/api/v1/predict',
        headers: { 'x-request-id': 'sampled-bad' },
        payload: { bse_code: 'x' },
      });
      expect(bad.statusCode).toBe(400);
      const slow = await sampled.inject({
        method: 'GET',
        url: '/test/slow',
        headers: { 'x-request-id': 'sampled-slow' },
      });
      expect(slow.statusCode).toBe(200);
      await flushLogs();

      const lines = readLines('app.log').filter((l) => String(l.trace_id).startsWith('sampled-'));
      // A quarter of the eight fast successes, spread evenly from the first; each carries its weight.
      expect(lines.map((l) => [l.trace_id, l.context.sample_rate])).toEqual([
        ['sampled-0', 0.25],
        ['sampled-4', 0.25],
        ['sampled-bad', undefined],
        ['sampled-slow', undefined],
      ]);
      expect(lines[2]).toMatchObject({ message: 'request completed', context: { status_code: 400 } });
      const audited = readLines('audit.log').filter((l) => String(l.trace_id).startsWith('sampled-'));
      expect(audited.map((l) => l.trace_id)).toEqual(Array.from({ length: 8 }, (_, i) => `sampled-${i}`));
    } finally {
      await sampled.close();
    }
  });
});
