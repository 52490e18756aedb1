/**
 * Elasticsearch shipping against a real local HTTP receiver standing in for the cluster: the bulk request's wire
 * format, the daily index, the bounded buffer that drops oldest lines, and the last flush on close.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { ElasticsearchShipper } from '../logging/elasticsearch.js';
import { closeLogging, componentLogger, configureLogging } from '../logging/logger.js';
import { startHttpRecorder, type HttpRecorder } from './support/receivers.js';

const receivers: HttpRecorder[] = [];
afterEach(async () => {
  await closeLogging();
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function recorder(status = 200): Promise<HttpRecorder> {
  const r = await startHttpRecorder({ respond: () => ({ status, body: '{"took":1,"errors":false,"items":[]}' }) });
  receivers.push(r);
  return r;
}

/** The documents of a bulk body: action lines and sources alternate. */
function bulkPairs(body: string): { index: string; doc: Record<string, unknown> }[] {
  const lines = body.split('\n');
  expect(lines.at(-1)).toBe(''); // NDJSON bulk bodies must end with a newline
  const pairs: { index: string; doc: Record<string, unknown> }[] = [];
  for (let i = 0; i + 1 < lines.length - 1; i += 2) {
    const action = JSON.parse(lines[i]!) as { index: { _index: string } };
    pairs.push({ index: action.index._index, doc: JSON.parse(lines[i + 1]!) as Record<string, unknown> });
  }
  return pairs;
}

describe('Elasticsearch shipping', () => {
  it('sends the logger’s lines to _bulk as NDJSON into vcp-monitor-logs-YYYY.MM.DD on close', async () => {
    const es = await recorder();
    let now = Date.parse('2026-03-14T23:59:59.500Z');
    await configureLogging({
      stdout: false,
      elasticsearch: { url: `http://elastic:changeme@${es.url.slice(7)}` },
      now: () => now,
    });
    const log = componentLogger('worker');
    log.info({ date: '2026-03-14' }, 'drift run started');
    now = Date.parse('2026-03-15T00:00:00.100Z');
    log.error({ err: new Error('psi failed') }, 'drift run failed');
    expect(es.requests).toHaveLength(0); // nothing is sent on the log call's path
    await closeLogging();

    expect(es.requests).toHaveLength(1);
    const request = es.requests[0]!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/_bulk');
    expect(request.headers['content-type']).toBe('application/x-ndjson');
    expect(request.headers.authorization).toBe(`Basic ${Buffer.from('elastic:changeme').toString('base64')}`);
    const pairs = bulkPairs(request.body);
    expect(pairs.map((p) => [p.index, p.doc.message])).toEqual([
      ['vcp-monitor-logs-2026.03.14', 'drift run started'],
      ['vcp-monitor-logs-2026.03.15', 'drift run failed'],
    ]);
    expect(pairs[1]!.doc).toMatchObject({
      level: 'ERROR',
      logger: 'worker',
      err: { type: 'Error', message: 'psi failed' },
    });
  });

  it('keeps at most the buffer bound while the cluster is down, dropping and counting the oldest lines', async () => {
    const down = await recorder(503);
    const errors: unknown[] = [];
    const shipper = new ElasticsearchShipper({ url: down.url, maxBufferedLines: 5, onError: (e) => errors.push(e) });
    for (let i = 0; i < 8; i++) shipper.write(`{"timestamp":"2026-03-14T10:00:00.000Z","n":${i}}\n`);
    expect(shipper.stats()).toMatchObject({ buffered: 5, dropped: 3 });

    await shipper.flush();
    expect(down.requests).toHaveLength(1);
    expect(errors).toHaveLength(1);
    // The failed batch goes back in front; new lines then push the oldest out again.
    shipper.write('{"timestamp":"2026-03-14T10:00:01.000Z","n":8}');
    expect(shipper.stats()).toMatchObject({ buffered: 5, dropped: 4, failedRequests: 1, shipped: 0 });
    await shipper.close();
    const kept = bulkPairs(down.requests[1]!.body).map((p) => p.doc.n);
    expect(kept).toEqual([4, 5, 6, 7, 8]);
  });

  it('counts documents the cluster rejects inside a 200 bulk answer as dropped', async () => {
    const partial = await startHttpRecorder({
      respond: () => ({
        status: 200,
        body: JSON.stringify({ errors: true, items: [{ index: { status: 201 } }, { index: { status: 400 } }] }),
      }),
    });
    receivers.push(partial);
    const shipper = new ElasticsearchShipper({ url: partial.url });
    shipper.write('{"timestamp":"2026-03-14T10:00:00.000Z","n":1}');
    shipper.write('{"timestamp":"2026-03-14T10:00:00.000Z","n":2}');
    await shipper.close();
    expect(shipper.stats()).toMatchObject({ shipped: 1, dropped: 1, buffered: 0 });
  });
});
