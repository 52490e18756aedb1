import { afterEach, describe, expect, it } from 'vitest';
import { refusedPort, startHttpRecorder, type HttpRecorder } from '../../test/support/receivers.js';
import { ChannelDeliveryError } from '../errors.js';
import { buildAlert } from '../policy.js';
import type { AlertMessage } from '../types.js';
import { PagerDutyChannel, resolvePagerDutyAlert } from './pagerduty.js';

const ROUTING_KEY = 'R0UT1NGKEYs3cr3t0000000000000000';

function sampleAlert(): AlertMessage {
  const alert = buildAlert(
    {
      source: 'drift',
      level: 'CRITICAL',
      date: '2025-11-14',
      modelVersion: '1.1.0',
      title: 'Feature drift CRITICAL for model 1.1.0',
      summary: '11 of 25 features drifted',
      body: 'feature table',
      links: [{ label: 'Drift report', url: 'https://vcp.example.com/reports/drift_2025-11-14.txt' }],
    },
    '2025-11-14T13:05:00.000Z',
  );
  if (!alert) throw new Error('expected an alert');
  return alert;
}

const accepted = (dedupKey: string) => ({
  status: 202,
  body: JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: dedupKey }),
});

let recorder: HttpRecorder | undefined;
afterEach(async () => {
  await recorder?.close();
  recorder = undefined;
});

async function failure(promise: Promise<unknown>): Promise<ChannelDeliveryError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ChannelDeliveryError);
    return err as ChannelDeliveryError;
  }
  throw new Error('expected the send to fail');
}

describe('PagerDutyChannel against a real HTTP recorder', () => {
  it('enqueues a trigger event whose dedup_key is exactly the alert dedup key', async () => {
    recorder = await startHttpRecorder({
      respond: (_req, body) => accepted((JSON.parse(body) as { dedup_key: string }).dedup_key),
    });
    const receipt = await new PagerDutyChannel({ routingKey: ROUTING_KEY, endpoint: recorder.url }).send(sampleAlert());

    expect(receipt).toEqual({ channel: 'pagerduty', providerId: 'drift:CRITICAL:2025-11-14:1.1.0' });
    expect(recorder.requests).toHaveLength(1);
    expect(recorder.requests[0]).toMatchObject({ method: 'POST', path: '/v2/enqueue' });
    expect(recorder.requests[0]?.json).toEqual({
      routing_key: ROUTING_KEY,
      event_action: 'trigger',
      dedup_key: 'drift:CRITICAL:2025-11-14:1.1.0',
      payload: {
        summary: 'Feature drift CRITICAL for model 1.1.0: 11 of 25 features drifted',
        source: 'vcp-monitor/drift',
        severity: 'critical',
        timestamp: '2025-11-14T13:05:00.000Z',
        component: 'model 1.1.0',
        group: 'drift',
        class: 'CRITICAL',
        custom_details: {
          level: 'CRITICAL',
          date: '2025-11-14',
          model_version: '1.1.0',
          summary: '11 of 25 features drifted',
          body: 'feature table',
          raised_at: '2025-11-14T13:05:00.000Z',
        },
      },
      links: [{ href: 'https://vcp.example.com/reports/drift_2025-11-14.txt', text: 'Drift report' }],
      client: 'vcp-monitor',
    });
  });

  it("keeps the summary within PagerDuty's 1024 characters", async () => {
    recorder = await startHttpRecorder({ respond: () => accepted('x') });
    await new PagerDutyChannel({ routingKey: ROUTING_KEY, endpoint: recorder.url }).send({
      ...sampleAlert(),
      summary: 'y'.repeat(5_000),
    });
    const summary = (recorder.requests[0]?.json as { payload: { summary: string } }).payload.summary;
    expect(summary).toHaveLength(1024);
  });

  it('resolves an incident by dedup key', async () => {
    recorder = await startHttpRecorder({ respond: () => accepted('drift:CRITICAL:2025-11-14:1.1.0') });
    const config = { routingKey: ROUTING_KEY, endpoint: `${recorder.url}/` };
    const receipt = await resolvePagerDutyAlert(config, 'drift:CRITICAL:2025-11-14:1.1.0');
    expect(receipt).toEqual({ channel: 'pagerduty', providerId: 'drift:CRITICAL:2025-11-14:1.1.0' });
    expect(recorder.requests[0]?.path).toBe('/v2/enqueue');
    expect(recorder.requests[0]?.json).toEqual({
      routing_key: ROUTING_KEY,
      event_action: 'resolve',
      dedup_key: 'drift:CRITICAL:2025-11-14:1.1.0',
    });
  });

  it('treats 400 (an invalid event) as permanent and scrubs a routing key echoed in the answer', async () => {
    recorder = await startHttpRecorder({
      respond: () => ({
        status: 400,
        body: `{"status":"invalid event","errors":["unknown routing_key ${ROUTING_KEY}"]}`,
      }),
    });
    const err = await failure(
      new PagerDutyChannel({ routingKey: ROUTING_KEY, endpoint: recorder.url }).send(sampleAlert()),
    );
    expect(err).toMatchObject({ channel: 'pagerduty', retryable: false, status: 400 });
    expect(err.message).toContain('unknown routing_key [redacted]');
    expect(err.message).not.toContain(ROUTING_KEY);
  });

  it('treats 429 and 500 as retryable', async () => {
    recorder = await startHttpRecorder({ respond: (_r, _b, n) => ({ status: n === 1 ? 429 : 500 }) });
    const channel = new PagerDutyChannel({ routingKey: ROUTING_KEY, endpoint: recorder.url });
    expect(await failure(channel.send(sampleAlert()))).toMatchObject({ retryable: true, status: 429 });
    expect(await failure(channel.send(sampleAlert()))).toMatchObject({ retryable: true, status: 500 });
  });

  it('reports a timeout and a refused connection as retryable without the routing key', async () => {
    recorder = await startHttpRecorder({ respond: () => ({ status: 202, delayMs: 5_000 }) });
    const slow = new PagerDutyChannel({ routingKey: ROUTING_KEY, endpoint: recorder.url, timeoutMs: 200 });
    const timeout = await failure(slow.send(sampleAlert()));
    expect(timeout).toMatchObject({ retryable: true, code: 'ETIMEDOUT' });
    const down = new PagerDutyChannel({ routingKey: ROUTING_KEY, endpoint: `http://127.0.0.1:${await refusedPort()}` });
    const refused = await failure(down.send(sampleAlert()));
    expect(refused).toMatchObject({ retryable: true, code: 'ECONNREFUSED' });
    for (const err of [timeout, refused]) expect(err.message).not.toContain(ROUTING_KEY);
  });
});
