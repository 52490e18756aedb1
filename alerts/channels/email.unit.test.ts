import { afterEach, describe, expect, it } from 'vitest';
import { refusedPort, startSilentServer, startSmtpReceiver, type SmtpReceiver } from '../../test/support/receivers.js';
import { ChannelDeliveryError } from '../errors.js';
import { buildAlert } from '../policy.js';
import type { AlertMessage } from '../types.js';
import { EmailChannel, messageIdFor, type EmailConfig } from './email.js';

const SMTP_PASSWORD = 'sm7p-Pa55w0rd-secret';

function sampleAlert(): AlertMessage {
  const alert = buildAlert(
    {
      source: 'degradation',
      level: 'SEVERE',
      date: '2025-11-14',
      modelVersion: '1.1.0',
      title: 'Model 1.1.0 F1 down 31% on the 7-day window',
      summary: 'F1 0.41 against a baseline of 0.59 <script>alert(1)</script>',
      body: 'window  f1    baseline\n7d      0.41  0.59',
      links: [{ label: 'Performance report', url: 'https://vcp.example.com/reports/performance_2025-11-14.txt' }],
    },
    '2025-11-14T13:05:00.000Z',
  );
  if (!alert) throw new Error('expected an alert');
  return alert;
}

const channels: EmailChannel[] = [];
let receiver: SmtpReceiver | undefined;
afterEach(async () => {
  for (const c of channels.splice(0)) c.close();
  await receiver?.close();
  receiver = undefined;
});

function emailChannel(config: Partial<EmailConfig> & Pick<EmailConfig, 'port'>): EmailChannel {
  const channel = new EmailChannel({
    host: '127.0.0.1',
    secure: false,
    from: 'VCP Monitor <alerts@vcp.example.com>',
    to: ['ml-oncall@vcp.example.com', 'quant-team@vcp.example.com'],
    timeoutMs: 2_000,
    ...config,
  });
  channels.push(channel);
  return channel;
}

async function failure(promise: Promise<unknown>): Promise<ChannelDeliveryError> {
  try {
    await promise;
  } catch (err) {
    expect(err).toBeInstanceOf(ChannelDeliveryError);
    return err as ChannelDeliveryError;
  }
  throw new Error('expected the send to fail');
}

describe('EmailChannel against a real SMTP receiver', () => {
  it('delivers one message with text and HTML parts to every recipient under a deterministic Message-ID', async () => {
    receiver = await startSmtpReceiver();
    const alert = sampleAlert();
    const receipt = await emailChannel({ port: receiver.port }).send(alert);

    const expectedId = messageIdFor(alert.dedupKey, 'alerts@vcp.example.com');
    expect(expectedId).toMatch(/^<vcp-alert-[0-9a-f]{32}@vcp\.example\.com>$/);
    expect(receipt).toEqual({ channel: 'email', providerId: expectedId });

    expect(receiver.messages).toHaveLength(1);
    const mail = receiver.messages[0];
    expect(mail?.envelope).toEqual({
      from: 'alerts@vcp.example.com',
      to: ['ml-oncall@vcp.example.com', 'quant-team@vcp.example.com'],
    });
    expect(mail?.to).toEqual(['ml-oncall@vcp.example.com', 'quant-team@vcp.example.com']);
    expect(mail?.messageId).toBe(expectedId);
    expect(mail?.subject).toBe('[CRITICAL] Model 1.1.0 F1 down 31% on the 7-day window');
    expect(mail?.headers.get('x-vcp-dedup-key')).toEqual(['degradation:SEVERE:2025-11-14:1.1.0']);
    expect(mail?.headers.get('x-vcp-severity')).toEqual(['critical']);
    expect(mail?.headers.get('date')?.[0]).toBe('Fri, 14 Nov 2025 13:05:00 +0000');

    expect(mail?.parts.map((p) => p.contentType)).toEqual(['text/plain', 'text/html']);
    expect(mail?.text).toContain('Model version: 1.1.0');
    expect(mail?.text).toContain('7d      0.41  0.59');
    expect(mail?.text).toContain('<script>alert(1)</script>');
    expect(mail?.html).toContain('F1 0.41 against a baseline of 0.59 &lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail?.html).not.toContain('<script>');
    expect(mail?.html).toContain('<a href="https://vcp.example.com/reports/performance_2025-11-14.txt">');
  });

  it('sends a resend of the same alert under the same Message-ID, and another alert under another', async () => {
    receiver = await startSmtpReceiver();
    const channel = emailChannel({ port: receiver.port });
    const alert = sampleAlert();
    await channel.send(alert);
    await channel.send(alert);
    await channel.send({ ...alert, dedupKey: 'degradation:SEVERE:2025-11-15:1.1.0' });
    const ids = receiver.messages.map((m) => m.messageId);
    expect(ids[0]).toBe(ids[1]);
    expect(ids[2]).not.toBe(ids[0]);
  });

  it('succeeds with a warning when the server refuses some recipients but not all', async () => {
    receiver = await startSmtpReceiver({ refuseRecipient: (a) => (a.startsWith('quant') ? 550 : undefined) });
    const receipt = await emailChannel({ port: receiver.port }).send(sampleAlert());
    expect(receipt.warnings).toEqual(['SMTP server refused recipients: quant-team@vcp.example.com']);
    expect(receiver.messages[0]?.envelope.to).toEqual(['ml-oncall@vcp.example.com']);
  });

  it('fails non-retryably when every recipient is refused with a 5xx, and retryably on a 4xx', async () => {
    receiver = await startSmtpReceiver({ refuseRecipient: (a) => (a.startsWith('ml') ? 550 : 450) });
    const one = emailChannel({ port: receiver.port, to: ['ml-oncall@vcp.example.com'] });
    const permanent = await failure(one.send(sampleAlert()));
    expect(permanent).toMatchObject({ channel: 'email', retryable: false, status: 550 });
    const two = emailChannel({ port: receiver.port, to: ['quant-team@vcp.example.com'] });
    const temporary = await failure(two.send(sampleAlert()));
    expect(temporary).toMatchObject({ channel: 'email', retryable: true, status: 450 });
    expect(receiver.messages).toHaveLength(0);
  });

  it('reports a refused connection as retryable without the password in the message', async () => {
    const channel = emailChannel({ port: await refusedPort(), user: 'alerts', password: SMTP_PASSWORD });
    const err = await failure(channel.send(sampleAlert()));
    expect(err).toMatchObject({ channel: 'email', retryable: true, status: null, code: 'ECONNREFUSED' });
    expect(err.message).toBe('email delivery failed: connection refused (retryable)');
    expect(err.message).not.toContain(SMTP_PASSWORD);
  });

  it('gives up with a retryable timeout when the server accepts the connection but never greets', async () => {
    const silent = await startSilentServer();
    try {
      const started = performance.now();
      const err = await failure(emailChannel({ port: silent.port, timeoutMs: 300 }).send(sampleAlert()));
      expect(err).toMatchObject({ channel: 'email', retryable: true, status: null, code: 'ETIMEDOUT' });
      expect(performance.now() - started).toBeLessThan(3_000);
    } finally {
      await silent.close();
    }
  });

  it('refuses to log in without TLS, so the password never crosses the network in clear', async () => {
    receiver = await startSmtpReceiver();
    const channel = emailChannel({ port: receiver.port, user: 'alerts', password: SMTP_PASSWORD });
    const err = await failure(channel.send(sampleAlert()));
    expect(err.retryable).toBe(false);
    expect(err.message).not.toContain(SMTP_PASSWORD);
    expect(receiver.messages).toHaveLength(0);
  });
});
