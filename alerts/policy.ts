/**
 * The escalation policy: which channels hear about which finding, and where a failing channel falls back to.
 * Pure: no clock, no env, no I/O. The caller passes `createdAt` and reads ALERT_POLICY_JSON itself.
 */
import type { AlertLink, AlertMessage, AlertSeverity, AlertSource, ChannelName } from './types.js';

export const CHANNEL_NAMES = ['slack', 'email', 'pagerduty'] as const satisfies readonly ChannelName[];
export const ALERT_SOURCES = [
  'drift',
  'degradation',
  'rollback',
  'api',
  'log',
] as const satisfies readonly AlertSource[];

/**
 * Every level a source may raise and the severity it carries on every channel. Levels without a route are
 * still alerts (recorded, shown on the dashboard) but reach no channel: "log only".
 * `api` levels are Alertmanager's `severity` label, upper-cased.
 */
export const ALERT_LEVELS = {
  drift: { LOW: 'info', MODERATE: 'warning', HIGH: 'warning', CRITICAL: 'critical' },
  degradation: { MINOR: 'info', MODERATE: 'warning', SEVERE: 'critical' },
  rollback: { REQUESTED: 'warning', REMINDER: 'warning' },
  api: { INFO: 'info', WARNING: 'warning', CRITICAL: 'critical' },
  log: { ERROR: 'warning', CRITICAL: 'critical' },
} as const satisfies { readonly [S in AlertSource]: Readonly<Record<string, AlertSeverity>> };

/** A level meaning "nothing found": buildAlert answers null for it rather than raising an alert. */
const NO_FINDING_LEVEL = 'NONE';

export type RouteTable = { readonly [S in AlertSource]: Readonly<Record<string, readonly ChannelName[]>> };

export interface EscalationPolicy {
  readonly routes: RouteTable;
  /** Channels tried instead of one that keeps failing; the caller records that it fell back. */
  readonly fallbacks: Readonly<Record<ChannelName, readonly ChannelName[]>>;
  /** Failed attempts of a retryable kind after which the caller gives up on a channel and uses its fallbacks. */
  readonly fallbackAfterFailures: number;
}

export const DEFAULT_ESCALATION_POLICY: EscalationPolicy = {
  routes: {
    drift: { MODERATE: ['slack'], HIGH: ['email', 'slack'], CRITICAL: ['pagerduty', 'slack', 'email'] },
    degradation: { MODERATE: ['slack'], SEVERE: ['email', 'slack'] },
    rollback: { REQUESTED: ['email', 'slack'], REMINDER: ['email', 'slack'] },
    api: { WARNING: ['slack'], CRITICAL: ['pagerduty', 'slack'] },
    log: { CRITICAL: ['pagerduty'] },
  },
  fallbacks: { slack: ['email'], email: ['slack'], pagerduty: ['email', 'slack'] },
  fallbackAfterFailures: 3,
};

/** What a monitoring stage found, before it becomes an alert. */
export interface AlertFinding {
  readonly source: AlertSource;
  readonly level: string;
  /** ISO day (YYYY-MM-DD) the finding is about: the monitoring date, not the wall clock. */
  readonly date: string;
  readonly modelVersion?: string;
  /**
   * Separates distinct findings of one source, level and day, e.g. the Alertmanager alertname: without it
   * two different critical Prometheus alerts on one day would share one dedup key and the second would be dropped.
   */
  readonly subject?: string;
  readonly title: string;
  readonly summary: string;
  readonly body: string;
  readonly links: readonly AlertLink[];
}

export class AlertFindingError extends Error {
  override readonly name = 'AlertFindingError';
}

export class EscalationPolicyError extends Error {
  override readonly name = 'EscalationPolicyError';
  constructor(
    /** Dotted path of the offending key, e.g. `routes.drift.HIGHER`. */
    readonly key: string,
    message: string,
  ) {
    super(message);
  }
}

/** PagerDuty rejects a dedup_key longer than 255 characters, and the key also serves as a Temporal workflow id. */
const MAX_DEDUP_KEY_LENGTH = 255;

function isIsoDay(value: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const t = new Date(Date.UTC(y, mo - 1, d));
  return t.getUTCFullYear() === y && t.getUTCMonth() === mo - 1 && t.getUTCDate() === d;
}

function isSource(value: string): value is AlertSource {
  return (ALERT_SOURCES as readonly string[]).includes(value);
}

function isChannel(value: unknown): value is ChannelName {
  return typeof value === 'string' && (CHANNEL_NAMES as readonly string[]).includes(value);
}

function knownLevels(source: AlertSource): string[] {
  return Object.keys(ALERT_LEVELS[source]);
}

export function severityFor(source: AlertSource, level: string): AlertSeverity | undefined {
  const levels: Readonly<Record<string, AlertSeverity>> = ALERT_LEVELS[source];
  return levels[level];
}

/**
 * One key per source, level and day (and model version, and subject, where given), so a retried activity or a
 * re-run day finds the alert it already raised. Free-text parts are percent-encoded so that a version or an
 * alertname containing `:` cannot make two different findings collide.
 */
export function dedupKeyFor(
  finding: Pick<AlertFinding, 'source' | 'level' | 'date' | 'modelVersion' | 'subject'>,
): string {
  let key = `${finding.source}:${finding.level.toUpperCase()}:${finding.date}`;
  if (finding.modelVersion) key += `:${encodeURIComponent(finding.modelVersion)}`;
  if (finding.subject) key += `#${encodeURIComponent(finding.subject)}`;
  return key;
}

/** Turns a finding into an alert, or null when its level says nothing was found. Throws on a malformed finding. */
export function buildAlert(finding: AlertFinding, createdAt: string): AlertMessage | null {
  const { source } = finding;
  if (!isSource(source)) {
    throw new AlertFindingError(`alert finding: source "${String(source)}" is not one of ${ALERT_SOURCES.join(', ')}`);
  }
  const level = finding.level.trim().toUpperCase();
  if (level === NO_FINDING_LEVEL) return null;
  const severity = severityFor(source, level);
  if (!severity) {
    throw new AlertFindingError(
      `alert finding: level "${finding.level}" is not a ${source} level (known: ${knownLevels(source).join(', ')})`,
    );
  }
  if (!isIsoDay(finding.date)) {
    throw new AlertFindingError(
      `alert finding ${source} ${level}: date "${finding.date}" is not an ISO day YYYY-MM-DD`,
    );
  }
  if (Number.isNaN(Date.parse(createdAt))) {
    throw new AlertFindingError(`alert finding ${source} ${level}: createdAt "${createdAt}" is not an ISO timestamp`);
  }
  if (finding.title.trim() === '') {
    throw new AlertFindingError(`alert finding ${source} ${level} ${finding.date}: the title is empty`);
  }
  finding.links.forEach((link, i) => {
    if (link.url.trim() === '') {
      throw new AlertFindingError(`alert finding ${source} ${level} ${finding.date}: links[${i}] has an empty url`);
    }
  });

  const dedupKey = dedupKeyFor({ ...finding, level });
  if (dedupKey.length > MAX_DEDUP_KEY_LENGTH) {
    throw new AlertFindingError(
      `alert finding ${source} ${level} ${finding.date}: dedup key is ${dedupKey.length} characters, ` +
        `over the ${MAX_DEDUP_KEY_LENGTH} PagerDuty accepts; shorten the model version or subject`,
    );
  }
  return {
    dedupKey,
    source,
    level,
    severity,
    title: finding.title,
    summary: finding.summary,
    body: finding.body,
    links: finding.links,
    createdAt,
    date: finding.date,
    ...(finding.modelVersion ? { modelVersion: finding.modelVersion } : {}),
  };
}

function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

/** The channels an alert goes to, in the order to try them; empty means log only. */
export function channelsFor(
  alert: Pick<AlertMessage, 'source' | 'level'>,
  policy: EscalationPolicy = DEFAULT_ESCALATION_POLICY,
): ChannelName[] {
  const routes: Readonly<Record<string, readonly ChannelName[]>> | undefined = policy.routes[alert.source];
  return unique(routes?.[alert.level.toUpperCase()] ?? []);
}

export function fallbacksFor(
  channel: ChannelName,
  policy: EscalationPolicy = DEFAULT_ESCALATION_POLICY,
): ChannelName[] {
  return unique(policy.fallbacks[channel]).filter((c) => c !== channel);
}

/**
 * Whether the caller should stop retrying a channel and use its fallbacks. A permanent refusal (a revoked
 * webhook, a 400) falls back at once: retrying it cannot succeed.
 */
export function shouldFallBack(
  attempt: { readonly failures: number; readonly retryable: boolean },
  policy: EscalationPolicy = DEFAULT_ESCALATION_POLICY,
): boolean {
  return !attempt.retryable || attempt.failures >= policy.fallbackAfterFailures;
}

// --- parsing ALERT_POLICY_JSON -----------------------------------------------------------------------------------

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function parseChannelList(origin: string, key: string, value: unknown): ChannelName[] {
  if (!Array.isArray(value)) {
    throw new EscalationPolicyError(key, `${origin}: ${key} must be a list of channels (${CHANNEL_NAMES.join(', ')})`);
  }
  return value.map((item: unknown, i) => {
    if (!isChannel(item)) {
      throw new EscalationPolicyError(
        `${key}[${i}]`,
        `${origin}: ${key}[${i}] is ${JSON.stringify(item)}, not one of ${CHANNEL_NAMES.join(', ')}`,
      );
    }
    return item;
  });
}

function checkKeys(origin: string, prefix: string, obj: Record<string, unknown>, allowed: readonly string[]): void {
  for (const k of Object.keys(obj)) {
    if (!allowed.includes(k)) {
      const key = prefix ? `${prefix}.${k}` : k;
      throw new EscalationPolicyError(key, `${origin}: unknown key "${key}" (expected one of ${allowed.join(', ')})`);
    }
  }
}

/**
 * Parses a policy overlay: the JSON names only what it changes, and each named source level or channel replaces
 * the base entry whole. `{"routes":{"drift":{"HIGH":["slack"]}}}` keeps every other default.
 */
export function parseEscalationPolicy(
  json: string,
  origin = 'ALERT_POLICY_JSON',
  base: EscalationPolicy = DEFAULT_ESCALATION_POLICY,
): EscalationPolicy {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch (err) {
    throw new EscalationPolicyError('', `${origin} is not valid JSON: ${(err as Error).message}`);
  }
  if (!isPlainObject(raw)) throw new EscalationPolicyError('', `${origin} must be a JSON object`);
  checkKeys(origin, '', raw, ['routes', 'fallbacks', 'fallbackAfterFailures']);

  const routes: Record<AlertSource, Record<string, readonly ChannelName[]>> = {
    drift: { ...base.routes.drift },
    degradation: { ...base.routes.degradation },
    rollback: { ...base.routes.rollback },
    api: { ...base.routes.api },
    log: { ...base.routes.log },
  };
  if (raw.routes !== undefined) {
    if (!isPlainObject(raw.routes)) throw new EscalationPolicyError('routes', `${origin}: routes must be an object`);
    checkKeys(origin, 'routes', raw.routes, ALERT_SOURCES);
    for (const [source, levels] of Object.entries(raw.routes)) {
      if (!isSource(source)) continue;
      if (!isPlainObject(levels)) {
        throw new EscalationPolicyError(`routes.${source}`, `${origin}: routes.${source} must be an object of levels`);
      }
      checkKeys(origin, `routes.${source}`, levels, knownLevels(source));
      for (const [level, channels] of Object.entries(levels)) {
        routes[source][level] = parseChannelList(origin, `routes.${source}.${level}`, channels);
      }
    }
  }

  const fallbacks: Record<ChannelName, readonly ChannelName[]> = { ...base.fallbacks };
  if (raw.fallbacks !== undefined) {
    if (!isPlainObject(raw.fallbacks)) {
      throw new EscalationPolicyError('fallbacks', `${origin}: fallbacks must be an object`);
    }
    checkKeys(origin, 'fallbacks', raw.fallbacks, CHANNEL_NAMES);
    for (const [channel, list] of Object.entries(raw.fallbacks)) {
      if (!isChannel(channel)) continue;
      const parsed = parseChannelList(origin, `fallbacks.${channel}`, list);
      if (parsed.includes(channel)) {
        throw new EscalationPolicyError(
          `fallbacks.${channel}`,
          `${origin}: fallbacks.${channel} lists ${channel} itself; a failing channel cannot be its own fallback`,
        );
      }
      fallbacks[channel] = parsed;
    }
  }

  let fallbackAfterFailures = base.fallbackAfterFailures;
  if (raw.fallbackAfterFailures !== undefined) {
    const n = raw.fallbackAfterFailures;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 1) {
      throw new EscalationPolicyError(
        'fallbackAfterFailures',
        `${origin}: fallbackAfterFailures is ${JSON.stringify(n)}, expected a whole number of at least 1`,
      );
    }
    fallbackAfterFailures = n;
  }

  return { routes, fallbacks, fallbackAfterFailures };
}
