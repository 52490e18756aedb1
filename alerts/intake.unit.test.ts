import { describe, expect, it } from 'vitest';
import { AlertmanagerPayloadError, intakeAlertmanager, istDayOf, parseAlertmanagerPayload } from './intake.js';
import { buildAlert } from './policy.js';

function payload(status: 'firing' | 'resolved', labels: Record<string, string>, startsAt = '2025-11-14T18:29:59Z') {
  return {
    version: '4',
    groupKey: '{}:{alertname="X"}',
    status,
    receiver: 'vcp-alert-intake',
    alerts: [
      {
        status,
        labels,
        annotations: { summary: 'p95 high' },
        startsAt,
        endsAt: '0001-01-01T00:00:00Z',
        generatorURL: 'http://prom/graph',
        fingerprint: 'f',
      },
    ],
  };
}

describe('Alertmanager intake', () => {
  it('dates an alert by its start in Asia/Kolkata, which is 5:30 ahead of UTC', () => {
    expect(istDayOf('2025-11-14T18:29:59Z')).toBe('2025-11-14');
    expect(istDayOf('2025-11-14T18:30:00Z')).toBe('2025-11-15');
  });

  it('turns a firing alert into an api finding with the upper-cased severity as level and the alertname as subject', () => {
    const { firing } = intakeAlertmanager(
      parseAlertmanagerPayload(payload('firing', { alertname: 'VcpApiDown', severity: 'critical' })),
    );
    expect(firing).toHaveLength(1);
    expect(firing[0]).toMatchObject({ source: 'api', level: 'CRITICAL', subject: 'VcpApiDown', date: '2025-11-14' });
    expect(firing[0]?.links).toEqual([{ label: 'Prometheus', url: 'http://prom/graph' }]);
    expect(buildAlert(firing[0]!, '2025-11-14T18:30:00Z')?.dedupKey).toBe('api:CRITICAL:2025-11-14#VcpApiDown');
  });

  it('gives a resolved alert the dedup key its firing alert was stored under', () => {
    const labels = { alertname: 'VcpApiDown', severity: 'critical' };
    const fired = intakeAlertmanager(parseAlertmanagerPayload(payload('firing', labels))).firing[0]!;
    const { resolved } = intakeAlertmanager(parseAlertmanagerPayload(payload('resolved', labels)));
    expect(resolved.map((r) => r.dedupKey)).toEqual([buildAlert(fired, '2025-11-14T18:30:00Z')!.dedupKey]);
  });

  it('names the bad field of a malformed payload', () => {
    const bad = (body: unknown) => {
      try {
        parseAlertmanagerPayload(body);
      } catch (err) {
        return err instanceof AlertmanagerPayloadError ? err.field : 'other error';
      }
      return 'accepted';
    };
    expect(bad(null)).toBe('body');
    expect(bad({ ...payload('firing', { alertname: 'A', severity: 'critical' }), version: 4 })).toBe('body.version');
    expect(bad(payload('firing', { alertname: 'A' }))).toBe('body.alerts[0].labels.severity');
    expect(bad(payload('firing', { alertname: 'A', severity: 'critical' }, 'soon'))).toBe('body.alerts[0].startsAt');
    expect(bad({ ...payload('firing', { alertname: 'A', severity: 'critical' }), status: 'pending' })).toBe(
      'body.status',
    );
  });
});
