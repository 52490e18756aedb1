/**
 * Slack incoming webhook. The webhook URL is the credential: whoever holds it can post to the channel, so it
 * appears in no log line and no error message.
 *
 * Dedup: Slack webhooks accept no idempotency key, so Slack itself will post the same alert twice if asked twice.
 * The caller prevents that by recording the delivery as sent in Postgres (unique on dedup key and channel) before
 * the activity completes, and never sending a delivery already recorded as sent. The window that remains is a
 * crash or timeout between Slack's HTTP 200 and that write: the activity is then retried and the message is
 * posted a second time. Nothing on Slack's side can close that window.
 */
import { alertFields, alertHeadline, escapeSlackText, isWebLink, truncate } from '../format.js';
import type { AlertChannel, AlertMessage, AlertSeverity, DeliveryReceipt } from '../types.js';
import { DEFAULT_HTTP_TIMEOUT_MS, postJson } from './http.js';

export interface SlackConfig {
  readonly webhookUrl: string;
  readonly timeoutMs?: number;
}

const SEVERITY_EMOJI: Record<AlertSeverity, string> = {
  info: ':information_source:',
  warning: ':warning:',
  critical: ':rotating_light:',
};

// Block Kit limits: a header's text 150 characters, a section's text 3000, a field 2000, a button label 75,
// a button URL 3000, 25 elements in an actions block, 10 in a context block. Past them Slack answers 400
// invalid_blocks, which is permanent, so the alert would never arrive: cut instead.
const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const FIELD_MAX = 2000;
const BUTTON_LABEL_MAX = 75;
const BUTTON_URL_MAX = 3000;
const MAX_BUTTONS = 5;
const CONTEXT_MAX = 10;

/** Escapes for mrkdwn, then cuts; a cut must not leave half an entity such as `&am` behind. */
function mrkdwn(text: string, max: number): string {
  const escaped = escapeSlackText(text);
  if (escaped.length <= max) return escaped;
  return truncate(escaped, max).replace(/&[a-z]{0,3}…$/, '…');
}

type SlackText = { type: 'plain_text'; text: string; emoji: true } | { type: 'mrkdwn'; text: string };
export type SlackBlock =
  | { type: 'header'; text: SlackText }
  | { type: 'section'; text?: SlackText; fields?: SlackText[] }
  | { type: 'actions'; elements: { type: 'button'; text: SlackText; url: string; action_id: string }[] }
  | { type: 'context'; elements: SlackText[] };

export interface SlackPayload {
  readonly text: string;
  readonly blocks: SlackBlock[];
}

export function buildSlackPayload(alert: AlertMessage): SlackPayload {
  const emoji = SEVERITY_EMOJI[alert.severity];
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: truncate(`${emoji} ${alert.title}`, HEADER_MAX), emoji: true },
    },
    { type: 'section', text: { type: 'mrkdwn', text: mrkdwn(alert.summary || alert.title, SECTION_MAX) } },
    {
      type: 'section',
      fields: alertFields(alert).map((f) => ({ type: 'mrkdwn', text: mrkdwn(`*${f.label}*\n${f.value}`, FIELD_MAX) })),
    },
  ];

  // A button needs an http(s) URL or Slack rejects the whole message; other links (report paths) go in context.
  const webLinks = alert.links.filter((l) => isWebLink(l) && l.url.length <= BUTTON_URL_MAX).slice(0, MAX_BUTTONS);
  if (webLinks.length > 0) {
    blocks.push({
      type: 'actions',
      elements: webLinks.map((link, i) => ({
        type: 'button',
        text: { type: 'plain_text', text: truncate(link.label || link.url, BUTTON_LABEL_MAX), emoji: true },
        url: link.url,
        action_id: `link-${i}`,
      })),
    });
  }
  const otherLinks = alert.links.filter((l) => !webLinks.includes(l));
  const context: SlackText[] = otherLinks
    .slice(0, CONTEXT_MAX - 1)
    .map((l) => ({ type: 'mrkdwn', text: mrkdwn(`${l.label}: ${l.url}`, FIELD_MAX) }));
  context.push({ type: 'mrkdwn', text: mrkdwn(`Dedup key ${alert.dedupKey} · raised ${alert.createdAt}`, FIELD_MAX) });
  blocks.push({ type: 'context', elements: context });

  // `text` is what notifications, screen readers and clients without Block Kit show; Slack reads it as mrkdwn.
  const text = mrkdwn(`${emoji} ${alertHeadline(alert)}: ${alert.summary}`, SECTION_MAX);
  return { text, blocks };
}

/** The token part of a webhook URL (`/services/T.../B.../secret`), scrubbed from quoted answers too. */
function webhookPath(url: string): string | undefined {
  return URL.canParse(url) ? new URL(url).pathname : undefined;
}

export class SlackChannel implements AlertChannel {
  readonly name = 'slack' as const;
  readonly #config: SlackConfig;

  constructor(config: SlackConfig) {
    this.#config = config;
  }

  async send(alert: AlertMessage): Promise<DeliveryReceipt> {
    await postJson('slack', this.#config.webhookUrl, buildSlackPayload(alert), {
      timeoutMs: this.#config.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS,
      secrets: [this.#config.webhookUrl, webhookPath(this.#config.webhookUrl)],
    });
    // Slack answers a bare "ok" and no message id.
    return { channel: 'slack', providerId: null };
  }
}
