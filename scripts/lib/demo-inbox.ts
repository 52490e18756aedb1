/**
 * Stand-ins for Slack, email and PagerDuty when the demo runs with no channel configured: a real
 * SMTP server and a real webhook receiver on 127.0.0.1, so the alerts the pipeline sends can be
 * read afterwards. Each message is also saved as a file under the inbox directory.
 */
import fs from 'node:fs/promises';
import path from 'node:path';
import type { AlertChannelConfig } from '../../alerts/channels/index.js';
import { startHttpRecorder, startSmtpReceiver } from '../../test/support/receivers.js';

export interface DemoInbox {
  readonly dir: string;
  readonly channelConfig: AlertChannelConfig;
  summary(): string;
  close(): Promise<void>;
}

export async function startDemoInbox(dir: string): Promise<DemoInbox> {
  await fs.rm(dir, { recursive: true, force: true });
  await fs.mkdir(dir, { recursive: true });
  const smtp = await startSmtpReceiver();
  const http = await startHttpRecorder({
    respond: (req) => ({ status: req.url?.startsWith('/pagerduty') ? 202 : 200 }),
  });
  return {
    dir,
    channelConfig: {
      slack: { webhookUrl: `${http.url}/slack/services/DEMO` },
      email: {
        host: smtp.host,
        port: smtp.port,
        secure: false,
        from: 'vcp-monitor@demo.local',
        to: ['ml-team@demo.local'],
      },
      pagerduty: { routingKey: 'demo-routing-key', endpoint: `${http.url}/pagerduty` },
    },
    summary() {
      const slack = http.requests.filter((r) => r.path.startsWith('/slack')).length;
      const pages = http.requests.filter((r) => r.path.startsWith('/pagerduty')).length;
      return `${smtp.messages.length} emails, ${slack} Slack messages, ${pages} pages`;
    },
    async close() {
      await Promise.all([
        ...smtp.messages.map((m, i) =>
          fs.writeFile(path.join(dir, `email-${String(i + 1).padStart(3, '0')}.eml`), m.raw),
        ),
        ...http.requests.map((r, i) =>
          fs.writeFile(
            path.join(dir, `${r.path.split('/')[1] ?? 'http'}-${String(i + 1).padStart(3, '0')}.json`),
            r.body,
          ),
        ),
      ]);
      await Promise.all([smtp.close(), http.close()]);
    },
  };
}
