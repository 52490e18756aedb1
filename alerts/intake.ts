/**
 * Alertmanager's webhook (payload version 4) as alert findings. Pure: no clock, no I/O; the caller passes the
 * payload it received and turns the findings into alerts with buildAlert.
 *
 * A firing alert becomes a finding with source `api`, its `severity` label upper-cased as the level and its
 * alertname as the subject, so two different Prometheus alerts of one day never share a dedup key. A resolved
 * alert becomes the dedup key of the stored alert it closes.
 */
import { dedupKeyFor, type AlertFinding } from './policy.js';
import type { AlertLink } from './types.js';

export class AlertmanagerPayloadError extends Error {
  override readonly name = 'AlertmanagerPayloadError';
  constructor(
    /** Where in the body the fault is, the way a person reads JSON: `body.alerts[2].labels.severity`. */
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

export interface AlertmanagerAlert {
  readonly status: 'firing' | 'resolved';
  readonly labels: Readonly<Record<string, string>>;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAt: string;
  readonly endsAt: string;
  readonly fingerprint: string;
  readonly generatorURL: string;
}

export interface AlertmanagerPayload {
  readonly version: string;
  readonly groupKey: string;
  readonly status: 'firing' | 'resolved';
  readonly receiver: string;
  readonly alerts: readonly AlertmanagerAlert[];
}

export interface ResolvedAlert {
  readonly dedupKey: string;
  readonly alertname: string;
  /** Alertmanager's endsAt: when Prometheus saw the condition clear. */
  readonly endsAt: string;
}

export interface AlertmanagerIntake {
  readonly firing: readonly AlertFinding[];
  readonly resolved: readonly ResolvedAlert[];
}

export const ALERTMANAGER_PAYLOAD_VERSION = '4';
const SEVERITIES = ['info', 'warning', 'critical'] as const;

/** Asia/Kolkata is UTC+05:30 all year (no daylight saving), so a fixed offset gives the IST day exactly. */
const IST_OFFSET_MS = 330 * 60_000;

export function istDayOf(timestamp: string): string {
  return new Date(Date.parse(timestamp) + IST_OFFSET_MS).toISOString().slice(0, 10);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === undefined) return 'missing';
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'string' ? JSON.stringify(value) : `a ${typeof value}`;
}

function requireString(obj: Record<string, unknown>, key: string, at: string, allowEmpty = false): string {
  const value = obj[key];
  if (typeof value !== 'string' || (!allowEmpty && value.trim() === '')) {
    throw new AlertmanagerPayloadError(
      `${at}.${key}`,
      `${at}.${key} must be a non-empty string, got ${describe(value)}`,
    );
  }
  return value;
}

function requireStatus(obj: Record<string, unknown>, at: string): 'firing' | 'resolved' {
  const value = obj.status;
  if (value !== 'firing' && value !== 'resolved') {
    throw new AlertmanagerPayloadError(
      `${at}.status`,
      `${at}.status must be "firing" or "resolved", got ${describe(value)}`,
    );
  }
  return value;
}

function stringMap(obj: Record<string, unknown>, key: string, at: string): Record<string, string> {
  const value = obj[key] ?? {};
  if (!isObject(value)) {
    throw new AlertmanagerPayloadError(
      `${at}.${key}`,
      `${at}.${key} must be an object of strings, got ${describe(value)}`,
    );
  }
  for (const [name, v] of Object.entries(value)) {
    if (typeof v !== 'string') {
      throw new AlertmanagerPayloadError(
        `${at}.${key}.${name}`,
        `${at}.${key}.${name} must be a string, got ${describe(v)}`,
      );
    }
  }
  return value as Record<string, string>;
}

function requireTimestamp(obj: Record<string, unknown>, key: string, at: string): string {
  const value = requireString(obj, key, at);
  if (Number.isNaN(Date.parse(value))) {
    throw new AlertmanagerPayloadError(`${at}.${key}`, `${at}.${key} is "${value}", not an RFC 3339 timestamp`);
  }
  return value;
}

function parseAlert(raw: unknown, at: string): AlertmanagerAlert {
  if (!isObject(raw)) throw new AlertmanagerPayloadError(at, `${at} must be an object, got ${describe(raw)}`);
  const status = requireStatus(raw, at);
  const labels = stringMap(raw, 'labels', at);
  if (!labels.alertname?.trim()) {
    throw new AlertmanagerPayloadError(`${at}.labels.alertname`, `${at}.labels.alertname is missing or empty`);
  }
  const severity = labels.severity?.trim().toLowerCase();
  if (!severity || !(SEVERITIES as readonly string[]).includes(severity)) {
    throw new AlertmanagerPayloadError(
      `${at}.labels.severity`,
      `${at}.labels.severity is ${describe(labels.severity)}, expected one of ${SEVERITIES.join(', ')} ` +
        '(set it on the Prometheus rule)',
    );
  }
  return {
    status,
    labels,
    annotations: stringMap(raw, 'annotations', at),
    startsAt: requireTimestamp(raw, 'startsAt', at),
    // Alertmanager sends the zero time "0001-01-01T00:00:00Z" for a firing alert; it still parses.
    endsAt: typeof raw.endsAt === 'string' ? raw.endsAt : '',
    fingerprint: typeof raw.fingerprint === 'string' ? raw.fingerprint : '',
    generatorURL: typeof raw.generatorURL === 'string' ? raw.generatorURL : '',
  };
}

/** Checks the shape Alertmanager sends; the error names the first bad field. */
export function parseAlertmanagerPayload(body: unknown): AlertmanagerPayload {
  if (!isObject(body)) throw new AlertmanagerPayloadError('body', `body must be a JSON object, got ${describe(body)}`);
  const version = body.version;
  if (version !== ALERTMANAGER_PAYLOAD_VERSION) {
    throw new AlertmanagerPayloadError(
      'body.version',
      `body.version is ${describe(version)}; this intake reads Alertmanager webhook version "${ALERTMANAGER_PAYLOAD_VERSION}"`,
    );
  }
  const alerts = body.alerts;
  if (!Array.isArray(alerts)) {
    throw new AlertmanagerPayloadError('body.alerts', `body.alerts must be an array, got ${describe(alerts)}`);
  }
  return {
    version,
    groupKey: requireString(body, 'groupKey', 'body', true),
    status: requireStatus(body, 'body'),
    receiver: requireString(body, 'receiver', 'body', true),
    alerts: alerts.map((a, i) => parseAlert(a, `body.alerts[${i}]`)),
  };
}

/** Labels other than the two that already shape the alert, as `key=value` lines for the body. */
function labelLines(labels: Readonly<Record<string, string>>): string[] {
  return Object.entries(labels)
    .filter(([k]) => k !== 'alertname' && k !== 'severity')
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}=${v}`);
}

function findingFor(alert: AlertmanagerAlert): AlertFinding {
  const alertname = (alert.labels.alertname ?? '').trim();
  const level = (alert.labels.severity ?? '').trim().toUpperCase();
  const summary = alert.annotations.summary?.trim() || alertname;
  const description = alert.annotations.description?.trim() ?? '';
  const links: AlertLink[] = alert.generatorURL.trim() ? [{ label: 'Prometheus', url: alert.generatorURL }] : [];
  const runbook = alert.annotations.runbook_url?.trim();
  if (runbook) links.push({ label: 'Runbook', url: runbook });
  return {
    source: 'api',
    level,
    date: istDayOf(alert.startsAt),
    subject: alertname,
    title: `${alertname}: ${summary}`,
    summary,
    body: [description, `started ${alert.startsAt}`, ...labelLines(alert.labels)].filter((l) => l !== '').join('\n'),
    links,
  };
}

/**
 * Splits a parsed payload into findings to store and deliver, and keys of stored alerts to resolve. A firing and
 * a resolved alert of the same key in one payload cannot happen in Alertmanager (one state per alert per group),
 * so the two lists are read independently.
 */
export function intakeAlertmanager(payload: AlertmanagerPayload): AlertmanagerIntake {
  const firing: AlertFinding[] = [];
  const resolved: ResolvedAlert[] = [];
  for (const alert of payload.alerts) {
    const finding = findingFor(alert);
    if (alert.status === 'firing') firing.push(finding);
    else resolved.push({ dedupKey: dedupKeyFor(finding), alertname: finding.subject ?? '', endsAt: alert.endsAt });
  }
  return { firing, resolved };
}
