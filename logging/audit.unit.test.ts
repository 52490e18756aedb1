import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createAuditLogger, type AuditedPrediction } from './audit.js';
import { predictionsInPayload, withTraceId } from './fastify-plugin.js';
import { runWithTraceId } from './trace-context.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vcp-audit-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const prediction = (i: number): AuditedPrediction => ({
  bse_code: 500000 + i,
  prediction_date: '2026-03-14',
  predicted_label: (i % 2) as 0 | 1,
  probability: i / 1000,
  model_version: '1.4.0',
});

function allAuditLines(): Record<string, unknown>[] {
  const text = fs
    .readdirSync(dir)
    .sort()
    .map((name) => {
      const raw = fs.readFileSync(path.join(dir, name));
      return name.endsWith('.gz') ? gunzipSync(raw).toString('utf8') : raw.toString('utf8');
    })
    .join('');
  return text
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

describe('audit logger', () => {
  it('writes exactly N lines for a batch of N, in order, even when the batch crosses the size limit', async () => {
    const audit = createAuditLogger({ dir, now: () => Date.parse('2026-03-14T09:00:00Z'), maxBytes: 10 * 1024 });
    const n = 250;
    const written = runWithTraceId('trace-batch', () =>
      audit.recordPredictions(
        Array.from({ length: n }, (_, i) => prediction(i)),
        { userId: 'analyst-7' },
      ),
    );
    await audit.close();
    expect(written).toBe(n);
    expect(fs.readdirSync(dir).some((name) => /^audit-2026-03-14\.\d+\.log\.gz$/.test(name))).toBe(true);
    const lines = allAuditLines();
    expect(lines).toHaveLength(n);
    expect(lines.map((l) => l.bse_code)).toEqual(Array.from({ length: n }, (_, i) => 500000 + i));
    expect(lines[1]).toEqual({
      timestamp: '2026-03-14T09:00:00.000Z',
      bse_code: 500001,
      prediction_date: '2026-03-14',
      predicted_label: 1,
      probability: 0.001,
      model_version: '1.4.0',
      user_id: 'analyst-7',
      trace_id: 'trace-batch',
    });
  });
});

describe('predict payloads and error bodies', () => {
  it('finds the predictions of a single or a batch answer and ignores anything else', () => {
    expect(predictionsInPayload(prediction(1))).toHaveLength(1);
    expect(predictionsInPayload({ model_version: '1.4.0', predictions: [prediction(1), prediction(2)] })).toHaveLength(
      2,
    );
    expect(predictionsInPayload({ error: { code: 'NOT_FOUND' } })).toEqual([]);
    expect(predictionsInPayload('text')).toEqual([]);
  });

  it('adds error.trace_id, null outside a trace', () => {
    const body = { error: { code: 'INTERNAL', message: 'internal error' } };
    expect(runWithTraceId('t-9', () => withTraceId(body))).toEqual({ error: { ...body.error, trace_id: 't-9' } });
    expect(withTraceId(body).error.trace_id).toBeNull();
  });
});
