import { describe, expect, it } from 'vitest';
import {
  ALERT_LEVELS,
  ALERT_SOURCES,
  AlertFindingError,
  buildAlert,
  channelsFor,
  DEFAULT_ESCALATION_POLICY,
  EscalationPolicyError,
  fallbacksFor,
  parseEscalationPolicy,
  shouldFallBack,
  type AlertFinding,
} from './policy.js';
import type { AlertSource, ChannelName } from './types.js';

const CREATED_AT = '2025-11-14T13:05:00.000Z';

function finding(overrides: Partial<AlertFinding> = {}): AlertFinding {
  return {
    source: 'drift',
    level: 'HIGH',
    date: '2025-11-14',
    modelVersion: '1.1.0',
    title: 'Feature drift HIGH for model 1.1.0',
    summary: '4 of 25 features drifted',
    body: 'feature  ks  psi\n...',
    links: [{ label: 'Drift report', url: 'https://vcp.example.com/reports/drift_2025-11-14.txt' }],
    ...overrides,
  };
}

function build(overrides: Partial<AlertFinding> = {}) {
  const alert = buildAlert(finding(overrides), CREATED_AT);
  if (!alert) throw new Error('expected an alert');
  return alert;
}

describe('the default escalation policy table', () => {
  const table: [AlertSource, string, ChannelName[]][] = [
    ['drift', 'LOW', []],
    ['drift', 'MODERATE', ['slack']],
    ['drift', 'HIGH', ['email', 'slack']],
    ['drift', 'CRITICAL', ['pagerduty', 'slack', 'email']],
    ['degradation', 'MINOR', []],
    ['degradation', 'MODERATE', ['slack']],
    ['degradation', 'SEVERE', ['email', 'slack']],
    ['rollback', 'REQUESTED', ['email', 'slack']],
    ['rollback', 'REMINDER', ['email', 'slack']],
    ['api', 'INFO', []],
    ['api', 'WARNING', ['slack']],
    ['api', 'CRITICAL', ['pagerduty', 'slack']],
    ['log', 'ERROR', []],
    ['log', 'CRITICAL', ['pagerduty']],
  ];

  for (const [source, level, channels] of table) {
    it(`routes ${source} ${level} to ${channels.length ? channels.join(' + ') : 'no channel (log only)'}`, () => {
      expect(channelsFor(build({ source, level }))).toEqual(channels);
    });
  }

  it('covers every level of every source, so no level is routed by accident', () => {
    const listed = table.map(([s, l]) => `${s}:${l}`).sort();
    const known = ALERT_SOURCES.flatMap((s) => Object.keys(ALERT_LEVELS[s]).map((l) => `${s}:${l}`)).sort();
    expect(listed).toEqual(known);
  });

  it('reads Alertmanager lower-case severities the same as upper-case levels', () => {
    expect(channelsFor({ source: 'api', level: 'critical' })).toEqual(['pagerduty', 'slack']);
    expect(build({ source: 'api', level: 'warning' }).level).toBe('WARNING');
  });

  it('falls back slack -> email, email -> slack, pagerduty -> email + slack', () => {
    expect(fallbacksFor('slack')).toEqual(['email']);
    expect(fallbacksFor('email')).toEqual(['slack']);
    expect(fallbacksFor('pagerduty')).toEqual(['email', 'slack']);
  });

  it('falls back at once on a permanent refusal and after three retryable failures otherwise', () => {
    expect(shouldFallBack({ failures: 1, retryable: false })).toBe(true);
    expect(shouldFallBack({ failures: 2, retryable: true })).toBe(false);
    expect(shouldFallBack({ failures: 3, retryable: true })).toBe(true);
  });
});

describe('buildAlert', () => {
  it('builds the dedup key from source, level, day and model version', () => {
    expect(build().dedupKey).toBe('drift:HIGH:2025-11-14:1.1.0');
    expect(build({ modelVersion: undefined }).dedupKey).toBe('drift:HIGH:2025-11-14');
  });

  it('gives the same key for the same finding whatever its text, and a different key for any other finding', () => {
    const a = build();
    expect(build({ title: 'other words', summary: 'rerun', links: [] }).dedupKey).toBe(a.dedupKey);
    const others = [
      build({ level: 'CRITICAL' }),
      build({ date: '2025-11-15' }),
      build({ modelVersion: '1.2.0' }),
      build({ source: 'degradation', level: 'MODERATE' }),
      build({ subject: 'HighErrorRate' }),
    ].map((x) => x.dedupKey);
    expect(new Set([a.dedupKey, ...others]).size).toBe(6);
  });

  it('keeps two Alertmanager alerts of one day apart by subject, and a colon in it cannot forge another key', () => {
    const latency = build({ source: 'api', level: 'critical', modelVersion: undefined, subject: 'LatencyHigh' });
    const errors = build({ source: 'api', level: 'critical', modelVersion: undefined, subject: 'job:errors:rate' });
    expect(latency.dedupKey).toBe('api:CRITICAL:2025-11-14#LatencyHigh');
    expect(errors.dedupKey).toBe('api:CRITICAL:2025-11-14#job%3Aerrors%3Arate');
    expect(build({ modelVersion: '1.1.0:x' }).dedupKey).not.toBe(build({ modelVersion: '1.1.0' }).dedupKey + ':x');
  });

  it('maps levels to severities: drift CRITICAL and degradation SEVERE are critical, MODERATE is a warning', () => {
    expect(build({ level: 'CRITICAL' }).severity).toBe('critical');
    expect(build({ level: 'MODERATE' }).severity).toBe('warning');
    expect(build({ source: 'degradation', level: 'SEVERE' }).severity).toBe('critical');
    expect(build({ source: 'degradation', level: 'MINOR' }).severity).toBe('info');
  });

  it('carries createdAt, date and model version through unchanged', () => {
    const a = build();
    expect(a).toMatchObject({ createdAt: CREATED_AT, date: '2025-11-14', modelVersion: '1.1.0' });
  });

  it('returns null for a NONE level: nothing was found', () => {
    expect(buildAlert(finding({ level: 'NONE' }), CREATED_AT)).toBeNull();
  });

  it('rejects an unknown level, naming the source and the levels it knows', () => {
    expect(() => build({ level: 'SEVERE' })).toThrow(AlertFindingError);
    expect(() => build({ level: 'SEVERE' })).toThrow(
      'level "SEVERE" is not a drift level (known: LOW, MODERATE, HIGH, CRITICAL)',
    );
  });

  it('rejects a date that is not a real ISO day, and a createdAt that is not a timestamp', () => {
    expect(() => build({ date: '2025-02-30' })).toThrow('date "2025-02-30" is not an ISO day');
    expect(() => build({ date: '14/11/2025' })).toThrow(AlertFindingError);
    expect(() => buildAlert(finding(), 'yesterday')).toThrow('createdAt "yesterday" is not an ISO timestamp');
  });

  it('rejects a dedup key longer than PagerDuty accepts', () => {
    expect(() => build({ subject: 'x'.repeat(300) })).toThrow(/over the 255 PagerDuty accepts/);
  });
});

describe('parseEscalationPolicy', () => {
  it('overlays only the named entries on the default policy', () => {
    const policy = parseEscalationPolicy(
      '{"routes":{"drift":{"HIGH":["slack"]}},"fallbacks":{"slack":["pagerduty"]},"fallbackAfterFailures":5}',
    );
    expect(channelsFor({ source: 'drift', level: 'HIGH' }, policy)).toEqual(['slack']);
    expect(channelsFor({ source: 'drift', level: 'CRITICAL' }, policy)).toEqual(['pagerduty', 'slack', 'email']);
    expect(fallbacksFor('slack', policy)).toEqual(['pagerduty']);
    expect(fallbacksFor('email', policy)).toEqual(['slack']);
    expect(policy.fallbackAfterFailures).toBe(5);
    expect(DEFAULT_ESCALATION_POLICY.routes.drift.HIGH).toEqual(['email', 'slack']);
  });

  it('lets a log-only level be given a channel and a routed level be silenced', () => {
    const policy = parseEscalationPolicy('{"routes":{"degradation":{"MINOR":["slack"],"MODERATE":[]}}}');
    expect(channelsFor({ source: 'degradation', level: 'MINOR' }, policy)).toEqual(['slack']);
    expect(channelsFor({ source: 'degradation', level: 'MODERATE' }, policy)).toEqual([]);
  });

  const bad: [string, string, string][] = [
    ['{"routes":', '', 'ALERT_POLICY_JSON is not valid JSON'],
    ['[]', '', 'ALERT_POLICY_JSON must be a JSON object'],
    ['{"rutes":{}}', 'rutes', 'unknown key "rutes"'],
    ['{"routes":{"dirft":{}}}', 'routes.dirft', 'unknown key "routes.dirft"'],
    ['{"routes":{"drift":{"HIGHER":["slack"]}}}', 'routes.drift.HIGHER', 'unknown key "routes.drift.HIGHER"'],
    ['{"routes":{"drift":{"HIGH":"slack"}}}', 'routes.drift.HIGH', 'routes.drift.HIGH must be a list of channels'],
    ['{"routes":{"drift":{"HIGH":["slack","sms"]}}}', 'routes.drift.HIGH[1]', 'routes.drift.HIGH[1] is "sms"'],
    ['{"fallbacks":{"email":["email"]}}', 'fallbacks.email', 'fallbacks.email lists email itself'],
    ['{"fallbackAfterFailures":0}', 'fallbackAfterFailures', 'fallbackAfterFailures is 0'],
  ];
  for (const [json, key, message] of bad) {
    it(`rejects ${json} naming ${key || 'the variable'}`, () => {
      let caught: unknown;
      try {
        parseEscalationPolicy(json);
      } catch (err) {
        caught = err;
      }
      expect(caught).toBeInstanceOf(EscalationPolicyError);
      expect((caught as EscalationPolicyError).key).toBe(key);
      expect((caught as Error).message).toContain(message);
    });
  }
});
