import { afterEach, describe, expect, it } from 'vitest';
import {
  closeLogging,
  componentLogger,
  configureLogging,
  flushLogs,
  hotLineWriter,
  onCritical,
  parseLevel,
  type CriticalLogEvent,
} from './logger.js';
import { runWithTraceId, traceIdFromHeaders, traceparentFor } from './trace-context.js';

type Line = Record<string, unknown> & { context: Record<string, unknown> };

async function capture(level?: string): Promise<Line[]> {
  const lines: Line[] = [];
  await configureLogging({
    stdout: false,
    ...(level ? { level } : {}),
    streams: [{ write: (l: string) => lines.push(JSON.parse(l) as Line) }],
  });
  return lines;
}

afterEach(async () => {
  await closeLogging();
});

describe('log line format', () => {
  it('writes timestamp, level, logger, message, context and trace_id on every line', async () => {
    const lines = await capture();
    componentLogger('drift').info({ feature: 'rsi_14', psi: 0.31 }, 'feature drifting');
    const [line] = lines;
    expect(Object.keys(line!).sort()).toEqual(['context', 'level', 'logger', 'message', 'timestamp', 'trace_id']);
    expect(line).toMatchObject({
      level: 'INFO',
      logger: 'drift',
      message: 'feature drifting',
      context: { feature: 'rsi_14', psi: 0.31 },
      trace_id: null,
    });
    expect(line!.timestamp).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
  });

  it('puts child bindings under context and keeps one logger field when a component logger makes a child', async () => {
    const lines = await capture();
    componentLogger('temporal', { workflowId: 'daily-2026-03-14' })
      .child({ logger: 'activity', attempt: 2 })
      .info('step');
    expect(lines[0]).toMatchObject({ logger: 'activity', context: { workflowId: 'daily-2026-03-14', attempt: 2 } });
    expect(Object.keys(lines[0]!.context)).not.toContain('logger');
  });

  it('carries the trace id of the async work in progress into every line', async () => {
    const lines = await capture();
    const log = componentLogger('api');
    await runWithTraceId('trace-abc-123', async () => {
      log.info('start');
      await new Promise((r) => setTimeout(r, 5));
      log.info('after a timer');
    });
    log.info('outside');
    expect(lines.map((l) => l.trace_id)).toEqual(['trace-abc-123', 'trace-abc-123', null]);
  });

  it('puts errors under err with type, message and stack', async () => {
    const lines = await capture();
    class FeedUnavailableError extends Error {}
    componentLogger('ground-truth').error(
      { err: new FeedUnavailableError('BhavCopy 404'), date: '2026-03-14' },
      'fetch failed',
    );
    expect(lines[0]).toMatchObject({ level: 'ERROR', err: { type: 'FeedUnavailableError', message: 'BhavCopy 404' } });
    expect(String((lines[0]!.err as { stack: string }).stack)).toMatch(/BhavCopy 404\n\s+at .*logger\.unit\.test\.ts/);
    expect(lines[0]!.context).toEqual({ date: '2026-03-14' });
  });
});

describe('hot lines', () => {
  it('writes the same line a logger call writes, bound fields first, and honours the level', async () => {
    const lines = await capture();
    const log = componentLogger('http', { replica: 'api-2' });
    const write = hotLineWriter(log, 'request completed');
    const fields = { method: 'POST', route: '/api/v1/predict', status_code: 200, duration_ms: 1.25, cached: false };
    runWithTraceId('trace-77', () => log.info(fields, 'request completed'));
    write('info', fields, 'trace-77');
    write('debug', fields, 'trace-77');
    write('error', { route: 'say "hi"\n' }, null);
    expect(lines).toHaveLength(3);
    const [slow, hot, failed] = lines;
    expect({ ...hot, timestamp: 'x' }).toEqual({ ...slow, timestamp: 'x' });
    expect(Object.keys(hot!)).toEqual(Object.keys(slow!));
    expect(hot!.context).toEqual({ replica: 'api-2', ...fields });
    expect(failed).toMatchObject({
      level: 'ERROR',
      trace_id: null,
      context: { replica: 'api-2', route: 'say "hi"\n' },
    });
  });
});

describe('levels', () => {
  it('accepts DEBUG, INFO, WARNING, ERROR, CRITICAL and the WARN/FATAL aliases, and rejects others by name', () => {
    expect(['DEBUG', 'info', 'Warning', 'ERROR', 'critical', 'warn', 'FATAL'].map(parseLevel)).toEqual([
      'debug',
      'info',
      'warning',
      'error',
      'critical',
      'warning',
      'critical',
    ]);
    expect(() => parseLevel('verbose')).toThrow('LOG_LEVEL: unknown level "verbose"');
  });

  it('drops lines below the configured minimum and writes CRITICAL as a level above ERROR', async () => {
    const lines = await capture('ERROR');
    const log = componentLogger('worker');
    log.debug('d');
    log.info('i');
    log.warning('w');
    log.error('e');
    log.critical('c');
    expect(lines.map((l) => l.level)).toEqual(['ERROR', 'CRITICAL']);
  });

  it('defaults to INFO', async () => {
    const saved = process.env.LOG_LEVEL;
    delete process.env.LOG_LEVEL;
    try {
      const lines = await capture();
      componentLogger('x').debug('hidden');
      componentLogger('x').info('shown');
      expect(lines.map((l) => l.message)).toEqual(['shown']);
    } finally {
      if (saved !== undefined) process.env.LOG_LEVEL = saved;
    }
  });
});

describe('redaction', () => {
  it('redacts secret keys at any depth and secrets inside messages, context strings and errors', async () => {
    const lines = await capture();
    const log = componentLogger('alerts', { routingKey: 'R0UT1NGKEY' });
    log.warning(
      {
        headers: { authorization: 'Bearer abc.def.ghi', accept: 'application/json' },
        config: { slack: { webhookUrl: 'https://hooks.slack.com/services/T000/B000/XXXX' } },
        deep: { a: { b: { c: { password: 'p4ss', apiKey: 'k3y' } } } },
        databaseUrl: 'postgres://vcp:s3cret@db:5432/vcp',
        note: 'posting to https://hooks.slack.com/services/T111/B222/YYYY failed',
        dsn: 'postgres://vcp:s3cret@db:5432/vcp',
        passed: true,
      },
      'request with Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig to postgres://vcp:s3cret@db/vcp',
    );
    log.error({ err: new Error('connect failed for postgres://vcp:s3cret@db/vcp') }, 'db error');
    const text = JSON.stringify(lines);
    for (const secret of ['R0UT1NGKEY', 'abc.def.ghi', 'T000/B000', 'p4ss', 'k3y', 's3cret', 'T111/B222', 'eyJhbGci']) {
      expect(text).not.toContain(secret);
    }
    const context = lines[0]!.context as Record<string, Record<string, unknown>>;
    expect(context.headers).toEqual({ authorization: '[redacted]', accept: 'application/json' });
    expect(context.dsn).toBe('postgres://vcp:[redacted]@db:5432/vcp');
    expect(context.passed).toBe(true);
    expect(lines[0]!.message).toBe('request with Bearer [redacted] to postgres://vcp:[redacted]@db/vcp');
  });

  it('leaves the caller’s own objects untouched', async () => {
    await capture();
    const fields = { nested: { token: 'keep-me-in-memory' } };
    componentLogger('x').info(fields, 'm');
    expect(fields.nested.token).toBe('keep-me-in-memory');
  });
});

describe('onCritical', () => {
  it('hands each CRITICAL line, parsed and redacted, to the listeners after the log call returns', async () => {
    await capture();
    const seen: CriticalLogEvent[] = [];
    const off = onCritical((event) => {
      seen.push(event);
    });
    await runWithTraceId('t-1', async () => {
      componentLogger('worker').critical({ err: new Error('pool exhausted'), password: 'x' }, 'database unreachable');
      componentLogger('worker').error('not critical');
      expect(seen).toHaveLength(0);
      await flushLogs();
    });
    off();
    componentLogger('worker').critical('after unsubscribe');
    await flushLogs();
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({
      level: 'CRITICAL',
      logger: 'worker',
      message: 'database unreachable',
      trace_id: 't-1',
      err: { message: 'pool exhausted' },
      context: { password: '[redacted]' },
    });
  });
});

describe('trace ids from headers', () => {
  it('prefers the traceparent trace id, then X-Request-Id, and rejects malformed values', () => {
    const parent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    expect(traceIdFromHeaders({ traceparent: parent, 'x-request-id': 'req-1' })).toBe(
      '4bf92f3577b34da6a3ce929d0e0e4736',
    );
    expect(
      traceIdFromHeaders({
        traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01',
        'x-request-id': 'req-1',
      }),
    ).toBe('req-1');
    expect(traceIdFromHeaders({ 'x-request-id': 'bad id\n{"level":"CRITICAL"}' })).toBeUndefined();
    expect(traceIdFromHeaders({})).toBeUndefined();
  });

  it('builds a valid traceparent whose trace id is the UUID without dashes, or a stable hash of a free-form id', () => {
    const uuid = '2f1c7e0a-9b8d-4c3e-a1f2-0123456789ab';
    expect(traceparentFor(uuid)).toMatch(/^00-2f1c7e0a9b8d4c3ea1f20123456789ab-[0-9a-f]{16}-01$/);
    const a = traceparentFor('req-1').split('-')[1];
    expect(a).toMatch(/^[0-9a-f]{32}$/);
    expect(traceparentFor('req-1').split('-')[1]).toBe(a);
  });
});
