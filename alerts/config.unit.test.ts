import { describe, expect, it } from 'vitest';
import { createChannels } from './channels/index.js';
import { AlertConfigError, readAlertChannelConfig, readEscalationPolicy } from './config.js';
import { DEFAULT_ESCALATION_POLICY, EscalationPolicyError } from './policy.js';

const SLACK_URL = 'https://hooks.slack.com/services/T0/B0/w3bh00kS3cr3t';
const PASSWORD = 'smtp-pa55-S3cr3t';
const ROUTING_KEY = 'pdR0ut1ngK3yS3cr3t';

function configError(env: NodeJS.ProcessEnv): AlertConfigError {
  try {
    readAlertChannelConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(AlertConfigError);
    return err as AlertConfigError;
  }
  throw new Error('expected a configuration error');
}

describe('readAlertChannelConfig', () => {
  it('configures no channel from an empty environment, and createChannels then builds none', () => {
    const config = readAlertChannelConfig({ SLACK_WEBHOOK_URL: '', SMTP_HOST: '' });
    expect(config).toEqual({});
    expect(createChannels(config).size).toBe(0);
  });

  it('reads every channel from a full environment', () => {
    const config = readAlertChannelConfig({
      SLACK_WEBHOOK_URL: SLACK_URL,
      SMTP_HOST: 'smtp.example.com',
      SMTP_PORT: '465',
      SMTP_USER: 'alerts',
      SMTP_PASSWORD: PASSWORD,
      ALERT_EMAIL_FROM: 'VCP Monitor <alerts@example.com>',
      ALERT_EMAIL_TO: 'oncall@example.com, quant@example.com,',
      PAGERDUTY_ROUTING_KEY: ROUTING_KEY,
    });
    expect(config).toEqual({
      slack: { webhookUrl: SLACK_URL },
      email: {
        host: 'smtp.example.com',
        port: 465,
        secure: true,
        user: 'alerts',
        password: PASSWORD,
        from: 'VCP Monitor <alerts@example.com>',
        to: ['oncall@example.com', 'quant@example.com'],
      },
      pagerduty: { routingKey: ROUTING_KEY, endpoint: 'https://events.pagerduty.com' },
    });
    expect([...createChannels(config).keys()]).toEqual(['slack', 'email', 'pagerduty']);
  });

  it('leaves out exactly the channels that are not configured', () => {
    const channels = createChannels(readAlertChannelConfig({ PAGERDUTY_ROUTING_KEY: ROUTING_KEY }));
    expect([...channels.keys()]).toEqual(['pagerduty']);
    expect(channels.get('pagerduty')?.name).toBe('pagerduty');
  });

  it('defaults SMTP to port 587 with STARTTLS, and strips /v2/enqueue from a PagerDuty URL', () => {
    const config = readAlertChannelConfig({
      SMTP_HOST: 'localhost',
      ALERT_EMAIL_FROM: 'a@example.com',
      ALERT_EMAIL_TO: 'b@example.com',
      PAGERDUTY_ROUTING_KEY: ROUTING_KEY,
      PAGERDUTY_EVENTS_URL: 'http://127.0.0.1:9999/v2/enqueue',
    });
    expect(config.email).toMatchObject({ port: 587, secure: false });
    expect(config.email?.user).toBeUndefined();
    expect(config.pagerduty?.endpoint).toBe('http://127.0.0.1:9999');
  });

  const bad: [string, NodeJS.ProcessEnv, string, string][] = [
    [
      'a Slack URL that is not a URL',
      { SLACK_WEBHOOK_URL: 'hooks.slack.com/services/T0/B0/w3bh00kS3cr3t' },
      'SLACK_WEBHOOK_URL',
      'SLACK_WEBHOOK_URL is not a valid URL (value not shown)',
    ],
    [
      'a non-numeric SMTP port',
      { SMTP_HOST: 'h', SMTP_PORT: '25x', ALERT_EMAIL_FROM: 'a@b.c', ALERT_EMAIL_TO: 'x@y.z' },
      'SMTP_PORT',
      'SMTP_PORT is "25x", expected a port number',
    ],
    [
      'SMTP_SECURE that is not a boolean',
      { SMTP_HOST: 'h', SMTP_SECURE: 'maybe', ALERT_EMAIL_FROM: 'a@b.c', ALERT_EMAIL_TO: 'x@y.z' },
      'SMTP_SECURE',
      'SMTP_SECURE is "maybe", expected true or false',
    ],
    [
      'a password without a user',
      { SMTP_HOST: 'h', SMTP_PASSWORD: PASSWORD, ALERT_EMAIL_FROM: 'a@b.c', ALERT_EMAIL_TO: 'x@y.z' },
      'SMTP_USER',
      'SMTP_USER is missing',
    ],
    [
      'no sender',
      { SMTP_HOST: 'h', ALERT_EMAIL_TO: 'x@y.z' },
      'ALERT_EMAIL_FROM',
      'ALERT_EMAIL_FROM is required when SMTP_HOST is set',
    ],
    [
      'no recipients',
      { SMTP_HOST: 'h', ALERT_EMAIL_FROM: 'a@b.c', ALERT_EMAIL_TO: ' , ' },
      'ALERT_EMAIL_TO',
      'ALERT_EMAIL_TO needs at least one address',
    ],
    [
      'a recipient list with a semicolon',
      { SMTP_HOST: 'h', ALERT_EMAIL_FROM: 'a@b.c', ALERT_EMAIL_TO: 'x@y.z;p@q.r' },
      'ALERT_EMAIL_TO',
      'ALERT_EMAIL_TO contains "x@y.z;p@q.r"',
    ],
    [
      'email settings without SMTP_HOST',
      { ALERT_EMAIL_TO: 'x@y.z', SMTP_PASSWORD: PASSWORD },
      'SMTP_HOST',
      'SMTP_PASSWORD is set but SMTP_HOST is not',
    ],
    [
      'a routing key with a space',
      { PAGERDUTY_ROUTING_KEY: `${ROUTING_KEY} x` },
      'PAGERDUTY_ROUTING_KEY',
      'PAGERDUTY_ROUTING_KEY contains whitespace (value not shown)',
    ],
    [
      'a PagerDuty URL without a routing key',
      { PAGERDUTY_EVENTS_URL: 'https://events.pagerduty.com' },
      'PAGERDUTY_ROUTING_KEY',
      'PAGERDUTY_EVENTS_URL is set but PAGERDUTY_ROUTING_KEY is not',
    ],
    [
      'a PagerDuty URL of another scheme',
      { PAGERDUTY_ROUTING_KEY: ROUTING_KEY, PAGERDUTY_EVENTS_URL: 'ftp://x' },
      'PAGERDUTY_EVENTS_URL',
      'PAGERDUTY_EVENTS_URL must be an http(s) URL, not ftp:',
    ],
  ];
  for (const [what, env, variable, message] of bad) {
    it(`rejects ${what}, naming ${variable} and showing no secret`, () => {
      const err = configError(env);
      expect(err.variable).toBe(variable);
      expect(err.message).toContain(message);
      for (const secret of ['w3bh00kS3cr3t', PASSWORD, ROUTING_KEY]) expect(err.message).not.toContain(secret);
    });
  }
});

describe('readEscalationPolicy', () => {
  it('uses the default policy when ALERT_POLICY_JSON is unset', () => {
    expect(readEscalationPolicy({})).toBe(DEFAULT_ESCALATION_POLICY);
  });

  it('names ALERT_POLICY_JSON and the bad key in its error', () => {
    expect(() => readEscalationPolicy({ ALERT_POLICY_JSON: '{"routes":{"log":{"FATAL":["pagerduty"]}}}' })).toThrow(
      new EscalationPolicyError(
        'routes.log.FATAL',
        'ALERT_POLICY_JSON: unknown key "routes.log.FATAL" (expected one of ERROR, CRITICAL)',
      ),
    );
  });
});
