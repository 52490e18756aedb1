import { describe, expect, it } from 'vitest';
import { readLoggingConfig } from './config.js';
import { isSecretKey, scrubText, scrubValue } from './redact.js';

describe('scrubText', () => {
  it('keeps scheme, user and host of a connection URL but not its password', () => {
    expect(scrubText('connecting to postgresql://vcp:p%40ss@db.internal:5432/vcp?sslmode=require')).toBe(
      'connecting to postgresql://vcp:[redacted]@db.internal:5432/vcp?sslmode=require',
    );
  });

  it('removes the secret path of Slack webhook URLs and bearer, basic and api-key credentials', () => {
    expect(scrubText('POST https://hooks.slack.com/services/T0AAA/B0BBB/abcDEF123 answered 404')).toBe(
      'POST https://hooks.slack.com/services/[redacted] answered 404',
    );
    expect(scrubText('authorization: Bearer eyJhbGciOiJIUzI1NiJ9.e30.sig')).toBe('authorization: Bearer [redacted]');
    expect(scrubText('Basic dXNlcjpwYXNzd29yZA==')).toBe('Basic [redacted]');
    expect(scrubText('GET /x?api_key=abcdef123&day=2026-03-14')).toBe('GET /x?api_key=[redacted]&day=2026-03-14');
  });

  it('leaves ordinary text alone, including the word token and short words after Bearer', () => {
    for (const text of ['feature rsi_14 drifting, PSI 0.31', 'token bucket refilled', 'Bearer of bad news']) {
      expect(scrubText(text)).toBe(text);
    }
  });
});

describe('scrubValue', () => {
  it('recognises secret keys whatever their case or separator', () => {
    for (const key of [
      'password',
      'PASSWORD',
      'routing_key',
      'routingKey',
      'Webhook-Url',
      'DATABASE_URL',
      'x_api_key'.slice(2),
    ]) {
      expect(isSecretKey(key)).toBe(true);
    }
    expect(isSecretKey('psi')).toBe(false);
  });

  it('redacts inside arrays and nested objects, turns nested errors into type/message/stack, copies only what changed', () => {
    const unchanged = { feature: 'roe', values: [1, 2, 3] };
    const input = { unchanged, list: [{ token: 'abc' }, 'ok'], failure: new RangeError('psi out of range') };
    const out = scrubValue(input) as Record<string, unknown>;
    expect(out.unchanged).toBe(unchanged);
    expect(out.list).toEqual([{ token: '[redacted]' }, 'ok']);
    expect(out.failure).toMatchObject({ type: 'RangeError', message: 'psi out of range' });
    expect((input.list[0] as { token: string }).token).toBe('abc');
  });
});

describe('readLoggingConfig', () => {
  it('defaults to INFO, ./logs, 100 MB files, 30 days (audit 90) and no shipping', () => {
    const config = readLoggingConfig({});
    expect(config).toMatchObject({
      level: 'INFO',
      stdout: true,
      maxFileBytes: 104_857_600,
      retentionDays: 30,
      auditRetentionDays: 90,
    });
    expect(config.dir).toMatch(/\/logs$/);
    expect(config.elasticsearch).toBeUndefined();
  });

  it('reads LOG_DIR, LOG_FILES=false and ELASTICSEARCH_URL, and names a bad value', () => {
    expect(readLoggingConfig({ LOG_DIR: '/app/logs' }).dir).toBe('/app/logs');
    expect(readLoggingConfig({ LOG_FILES: 'false' }).dir).toBeUndefined();
    expect(readLoggingConfig({ ELASTICSEARCH_URL: 'http://es:9200' }).elasticsearch).toMatchObject({
      url: 'http://es:9200',
    });
    expect(() => readLoggingConfig({ LOG_MAX_FILE_BYTES: '10KB' })).toThrow(
      'LOG_MAX_FILE_BYTES: must be a positive integer, got "10KB"',
    );
    expect(() => readLoggingConfig({ ELASTICSEARCH_URL: 'es:9200' })).toThrow('ELASTICSEARCH_URL');
  });
});
