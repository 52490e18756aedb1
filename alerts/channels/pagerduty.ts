/**
 * PagerDuty Events API v2. Unlike Slack, PagerDuty deduplicates on its side: a trigger with a dedup_key that
 * already has an open incident is folded into it, so a retried send pages nobody twice.
 */
import { truncate } from '../format.js';
import type { AlertChannel, AlertMessage, AlertSeverity, DeliveryReceipt } from '../types.js';
import { DEFAULT_HTTP_TIMEOUT_MS, postJson } from './http.js';

export const DEFAULT_PAGERDUTY_EVENTS_URL = 'https://events.pagerduty.com';

export interface PagerDutyConfig {
  /** The integration (routing) key of the service; a credential. */
  readonly routingKey: string;
  /** Base URL without /v2/enqueue. */
  readonly endpoint: string;
  readonly timeoutMs?: number;
}

type PagerDutySeverity = 'critical' | 'error' | 'warning' | 'info';

const SEVERITY: Record<AlertSeverity, PagerDutySeverity> = { info: 'info', warning: 'warning', critical: 'critical' };

const SUMMARY_MAX = 1024;
/** The whole event may be 512 KB; the report body is the only large part, so it alone is cut. */
const BODY_MAX = 16_000;

export interface PagerDutyTriggerEvent {
  readonly routing_key: string;
  readonly event_action: 'trigger';
  readonly dedup_key: string;
  readonly payload: {
    readonly summary: string;
    readonly source: string;
    readonly severity: PagerDutySeverity;
    readonly timestamp: string;
    readonly component?: string;
    readonly group: string;
    readonly class: string;
    readonly custom_details: Readonly<Record<string, string>>;
  };
  readonly links: readonly { readonly href: string; readonly text: string }[];
  readonly client: string;
}

export interface PagerDutyResolveEvent {
  readonly routing_key: string;
  readonly event_action: 'resolve';
  readonly dedup_key: string;
}

export function buildPagerDutyTrigger(alert: AlertMessage, routingKey: string): PagerDutyTriggerEvent {
  const details: Record<string, string> = {
    level: alert.level,
    date: alert.date,
    model_version: alert.modelVersion ?? '-',
    summary: alert.summary,
    body: truncate(alert.body, BODY_MAX),
    raised_at: alert.createdAt,
  };
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: alert.dedupKey,
    payload: {
      summary: truncate(`${alert.title}: ${alert.summary}`.replace(/\s+/g, ' ').trim(), SUMMARY_MAX),
      source: `vcp-monitor/${alert.source}`,
      severity: SEVERITY[alert.severity],
      timestamp: alert.createdAt,
      ...(alert.modelVersion ? { component: `model ${alert.modelVersion}` } : {}),
      group: alert.source,
      class: alert.level,
      custom_details: details,
    },
    links: alert.links.map((l) => ({ href: l.url, text: l.label })),
    client: 'vcp-monitor',
  };
}

function enqueueUrl(endpoint: string): string {
  return `${endpoint.replace(/\/+$/, '')}/v2/enqueue`;
}

/** PagerDuty echoes the dedup key it filed the event under; fall back to ours if the answer is not JSON. */
function dedupKeyFromAnswer(text: string, fallback: string): string {
  try {
    const parsed = JSON.parse(text) as { dedup_key?: unknown };
    return typeof parsed.dedup_key === 'string' ? parsed.dedup_key : fallback;
  } catch {
    return fallback;
  }
}

// PagerDuty answers 202 Accepted; any 2xx is taken as accepted so that a proxy answering 200 does not turn a
// delivered page into a retry loop.
async function enqueue(config: PagerDutyConfig, event: PagerDutyTriggerEvent | PagerDutyResolveEvent): Promise<string> {
  const { text } = await postJson('pagerduty', enqueueUrl(config.endpoint), event, {
    timeoutMs: config.timeoutMs ?? DEFAULT_HTTP_TIMEOUT_MS,
    secrets: [config.routingKey],
  });
  return dedupKeyFromAnswer(text, event.dedup_key);
}

/** Closes the incident opened under a dedup key, e.g. when drift is back to normal or a rollback is done. */
export async function resolvePagerDutyAlert(config: PagerDutyConfig, dedupKey: string): Promise<DeliveryReceipt> {
  const providerId = await enqueue(config, {
    routing_key: config.routingKey,
    event_action: 'resolve',
    dedup_key: dedupKey,
  });
  return { channel: 'pagerduty', providerId };
}

export class PagerDutyChannel implements AlertChannel {
  readonly name = 'pagerduty' as const;
  readonly #config: PagerDutyConfig;

  constructor(config: PagerDutyConfig) {
    this.#config = config;
  }

  async send(alert: AlertMessage): Promise<DeliveryReceipt> {
    const providerId = await enqueue(this.#config, buildPagerDutyTrigger(alert, this.#config.routingKey));
    return { channel: 'pagerduty', providerId };
  }

  resolve(dedupKey: string): Promise<DeliveryReceipt> {
    return resolvePagerDutyAlert(this.#config, dedupKey);
  }
}
