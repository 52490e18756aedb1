import { afterEach, describe, expect, it } from 'vitest';
import { refusedPort, startHttpRecorder, succeedAfter, type HttpRecorder } from '../../test/support/receivers.js';
import { ChannelDeliveryError } from '../errors.js';
import { buildAlert } from '../policy.js';
import type { AlertMessage } from '../types.js';
import { SlackChannel } from './slack.js';

const WEBHOOK_PATH = '/services/T0TEST/B0TEST/s3cr3tW3bh00kT0ken';

function sampleAlert(): AlertMessage {
  const alert = buildAlert(
    {
      source: 'drift',
      level: 'HIGH',
      date: '2025-11-14',
      modelVersion: '1.1.0',
      title: 'Feature drift HIGH for model 1.1.0',
      summary: '4 of 25 features drifted: volume_ratio_20d <- & > the baseline',
      body: 'full report',
      links: [
        { label: 'Drift report', url: 'https://vcp.example.com/reports/drift_2025-11-14.txt' },
        { label: 'Report file', url: 'reports/drift_2025-11-14.txt' },
      ],
    },
    '2025-11-14T13:05:00.000Z',
  );
  if (!alert) throw new Error('expected an alert');
  return alert;
}

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

function expectNoSecret(err: Error, webhookUrl: string): void {
  expect(err.message).not.toContain(webhookUrl);
  expect(err.message).not.toContain('s3cr3tW3bh00kT0ken');
  expect(String(err.stack)).not.toContain('s3cr3tW3bh00kT0ken');
}

describe('SlackChannel against a real HTTP recorder', () => {
  it('POSTs the exact Block Kit payload with a text fallback to the webhook path', async () => {
    recorder = await startHttpRecorder();
    const receipt = await new SlackChannel({ webhookUrl: recorder.url + WEBHOOK_PATH }).send(sampleAlert());

    expect(receipt).toEqual({ channel: 'slack', providerId: null });
    expect(recorder.requests).toHaveLength(1);
    const req = recorder.requests[0];
    expect(req?.method).toBe('POST');
    expect(req?.path).toBe(WEBHOOK_PATH);
    expect(req?.headers['content-type']).toBe('application/json');
    expect(req?.json).toEqual({
      text:
        ':warning: [WARNING] Feature drift HIGH for model 1.1.0: ' +
        '4 of 25 features drifted: volume_ratio_20d &lt;- &amp; &gt; the baseline',
      blocks: [
        {
          type: 'header',
          text: { type: 'plain_text', text: ':warning: Feature drift HIGH for model 1.1.0', emoji: true },
        },
        {
          type: 'section',
          text: { type: 'mrkdwn', text: '4 of 25 features drifted: volume_ratio_20d &lt;- &amp; &gt; the baseline' },
        },
        {
          type: 'section',
          fields: [
            { type: 'mrkdwn', text: '*Source*\ndrift' },
            { type: 'mrkdwn', text: '*Level*\nHIGH' },
            { type: 'mrkdwn', text: '*Date*\n2025-11-14' },
            { type: 'mrkdwn', text: '*Model version*\n1.1.0' },
          ],
        },
        {
          type: 'actions',
          elements: [
            {
              type: 'button',
              text: { type: 'plain_text', text: 'Drift report', emoji: true },
              url: 'https://vcp.example.com/reports/drift_2025-11-14.txt',
              action_id: 'link-0',
            },
          ],
        },
        {
          type: 'context',
          elements: [
            { type: 'mrkdwn', text: 'Report file: reports/drift_2025-11-14.txt' },
            { type: 'mrkdwn', text: 'Dedup key drift:HIGH:2025-11-14:1.1.0 · raised 2025-11-14T13:05:00.000Z' },
          ],
        },
      ],
    });
  });

  it('cuts an over-long title to the 150-character header limit instead of having Slack refuse it', async () => {
    recorder = await startHttpRecorder();
    await new SlackChannel({ webhookUrl: recorder.url + WEBHOOK_PATH }).send({
      ...sampleAlert(),
      title: 'x'.repeat(400),
    });
    const header = (recorder.requests[0]?.json as { blocks: { text: { text: string } }[] }).blocks[0]?.text.text;
    expect(header?.length).toBe(150);
    expect(header?.endsWith('…')).toBe(true);
  });

  it('turns HTTP 500 into a retryable error naming the status, and succeeds once the server recovers', async () => {
    recorder = await startHttpRecorder({ respond: succeedAfter(1) });
    const url = recorder.url + WEBHOOK_PATH;
    const channel = new SlackChannel({ webhookUrl: url });
    const err = await failure(channel.send(sampleAlert()));
    expect(err).toMatchObject({ channel: 'slack', retryable: true, status: 500, code: 'HTTP_500' });
    expect(err.message).toBe('slack delivery failed: HTTP 500: error (retryable)');
    expectNoSecret(err, url);
    await expect(channel.send(sampleAlert())).resolves.toEqual({ channel: 'slack', providerId: null });
    expect(recorder.requests).toHaveLength(2);
  });

  it('treats 429 as retryable', async () => {
    recorder = await startHttpRecorder({ respond: () => ({ status: 429, body: 'rate_limited' }) });
    const err = await failure(new SlackChannel({ webhookUrl: recorder.url + WEBHOOK_PATH }).send(sampleAlert()));
    expect(err).toMatchObject({ retryable: true, status: 429 });
  });

  it("turns HTTP 400 and 404 (a revoked webhook) into non-retryable errors quoting Slack's reason", async () => {
    recorder = await startHttpRecorder({
      respond: (_req, _body, n) =>
        n === 1 ? { status: 400, body: 'invalid_blocks' } : { status: 404, body: 'no_service' },
    });
    const url = recorder.url + WEBHOOK_PATH;
    const channel = new SlackChannel({ webhookUrl: url });
    const bad = await failure(channel.send(sampleAlert()));
    expect(bad).toMatchObject({ retryable: false, status: 400 });
    expect(bad.message).toBe('slack delivery failed: HTTP 400: invalid_blocks (not retryable)');
    const revoked = await failure(channel.send(sampleAlert()));
    expect(revoked).toMatchObject({ retryable: false, status: 404 });
    expectNoSecret(bad, url);
    expectNoSecret(revoked, url);
  });

  it('scrubs the webhook token from an answer that echoes it', async () => {
    recorder = await startHttpRecorder({ respond: (req) => ({ status: 403, body: `forbidden for ${req.url ?? ''}` }) });
    const url = recorder.url + WEBHOOK_PATH;
    const err = await failure(new SlackChannel({ webhookUrl: url }).send(sampleAlert()));
    expect(err.message).toBe('slack delivery failed: HTTP 403: forbidden for [redacted] (not retryable)');
  });

  it('gives up after the timeout with a retryable error when the server does not answer', async () => {
    recorder = await startHttpRecorder({ respond: () => ({ status: 200, delayMs: 5_000 }) });
    const url = recorder.url + WEBHOOK_PATH;
    const started = performance.now();
    const err = await failure(new SlackChannel({ webhookUrl: url, timeoutMs: 200 }).send(sampleAlert()));
    const elapsed = performance.now() - started;
    expect(err).toMatchObject({ retryable: true, status: null, code: 'ETIMEDOUT' });
    expect(err.message).toBe('slack delivery failed: no answer within 200 ms (retryable)');
    expect(elapsed).toBeLessThan(2_000);
    expectNoSecret(err, url);
  });

  it('reports a refused connection as retryable', async () => {
    const url = `http://127.0.0.1:${await refusedPort()}${WEBHOOK_PATH}`;
    const err = await failure(new SlackChannel({ webhookUrl: url }).send(sampleAlert()));
    expect(err).toMatchObject({ retryable: true, status: null, code: 'ECONNREFUSED' });
    expect(err.message).toBe('slack delivery failed: connection refused (retryable)');
    expectNoSecret(err, url);
  });

  it('does not follow a redirect to another host', async () => {
    const target = await startHttpRecorder();
    recorder = await startHttpRecorder({ respond: () => ({ status: 307, headers: { location: target.url + '/x' } }) });
    try {
      const err = await failure(new SlackChannel({ webhookUrl: recorder.url + WEBHOOK_PATH }).send(sampleAlert()));
      expect(err).toMatchObject({ retryable: false, status: 307 });
      expect(target.requests).toHaveLength(0);
    } finally {
      await target.close();
    }
  });
});
