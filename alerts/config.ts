/**
 * Reads the channel settings and the escalation policy from the environment, once per process. An unset
 * channel is not an error (it is left out and the caller logs it); a half-configured one is, because it is
 * almost always a typo that would otherwise silently drop every alert for that channel.
 */
import type { AlertChannelConfig } from './channels/index.js';
import { DEFAULT_PAGERDUTY_EVENTS_URL } from './channels/pagerduty.js';
import type { EmailConfig } from './channels/email.js';
import { DEFAULT_ESCALATION_POLICY, parseEscalationPolicy, type EscalationPolicy } from './policy.js';

export class AlertConfigError extends Error {
  override readonly name = 'AlertConfigError';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(message);
  }
}

/** Docker Compose and many shells pass `FOO=` for "not set". */
function read(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/** Checks an http(s) URL without ever quoting it: for Slack the URL is the credential. */
function httpUrl(name: string, value: string): string {
  if (!URL.canParse(value)) throw new AlertConfigError(name, `${name} is not a valid URL (value not shown)`);
  const protocol = new URL(value).protocol;
  if (protocol !== 'https:' && protocol !== 'http:') {
    throw new AlertConfigError(name, `${name} must be an http(s) URL, not ${protocol} (value not shown)`);
  }
  return value;
}

function parseBoolean(name: string, value: string): boolean {
  const v = value.toLowerCase();
  if (['true', '1', 'yes'].includes(v)) return true;
  if (['false', '0', 'no'].includes(v)) return false;
  throw new AlertConfigError(name, `${name} is "${value}", expected true or false`);
}

function parsePort(name: string, value: string): number {
  const port = Number(value);
  if (!/^\d+$/.test(value) || port < 1 || port > 65535) {
    throw new AlertConfigError(name, `${name} is "${value}", expected a port number from 1 to 65535`);
  }
  return port;
}

function checkAddress(name: string, address: string): string {
  // Deliberately loose: the SMTP server is the judge; this catches a stray separator or a missing @.
  if (!/^[^\s@<>,;]+@[^\s@<>,;]+$/.test(address.replace(/^.*<(.+)>\s*$/, '$1'))) {
    throw new AlertConfigError(name, `${name} contains "${address}", which is not an email address`);
  }
  return address;
}

const EMAIL_VARIABLES = [
  'SMTP_PORT',
  'SMTP_SECURE',
  'SMTP_USER',
  'SMTP_PASSWORD',
  'ALERT_EMAIL_FROM',
  'ALERT_EMAIL_TO',
];

function readEmail(env: NodeJS.ProcessEnv): EmailConfig | undefined {
  const host = read(env, 'SMTP_HOST');
  if (host === undefined) {
    const stray = EMAIL_VARIABLES.find((name) => read(env, name) !== undefined);
    if (stray) {
      throw new AlertConfigError('SMTP_HOST', `${stray} is set but SMTP_HOST is not: set SMTP_HOST or unset ${stray}`);
    }
    return undefined;
  }
  const secureRaw = read(env, 'SMTP_SECURE');
  const portRaw = read(env, 'SMTP_PORT');
  const secureSetting = secureRaw !== undefined ? parseBoolean('SMTP_SECURE', secureRaw) : undefined;
  // Port 465 speaks TLS from the first byte; 587 starts plain and upgrades with STARTTLS.
  const port = portRaw !== undefined ? parsePort('SMTP_PORT', portRaw) : secureSetting ? 465 : 587;
  const secure = secureSetting ?? port === 465;

  const user = read(env, 'SMTP_USER');
  const password = read(env, 'SMTP_PASSWORD');
  if ((user === undefined) !== (password === undefined)) {
    const missing = user === undefined ? 'SMTP_USER' : 'SMTP_PASSWORD';
    throw new AlertConfigError(
      missing,
      `${missing} is missing: SMTP_USER and SMTP_PASSWORD are set together or not at all`,
    );
  }

  const from = read(env, 'ALERT_EMAIL_FROM');
  if (from === undefined)
    throw new AlertConfigError('ALERT_EMAIL_FROM', 'ALERT_EMAIL_FROM is required when SMTP_HOST is set');
  checkAddress('ALERT_EMAIL_FROM', from);

  const toRaw = read(env, 'ALERT_EMAIL_TO');
  const to = (toRaw ?? '')
    .split(',')
    .map((a) => a.trim())
    .filter((a) => a !== '');
  if (to.length === 0) {
    throw new AlertConfigError(
      'ALERT_EMAIL_TO',
      'ALERT_EMAIL_TO needs at least one address (comma-separated) when SMTP_HOST is set',
    );
  }
  to.forEach((a) => checkAddress('ALERT_EMAIL_TO', a));

  return { host, port, secure, ...(user !== undefined ? { user, password } : {}), from, to };
}

export function readAlertChannelConfig(env: NodeJS.ProcessEnv): AlertChannelConfig {
  const config: { -readonly [K in keyof AlertChannelConfig]: AlertChannelConfig[K] } = {};

  const webhookUrl = read(env, 'SLACK_WEBHOOK_URL');
  if (webhookUrl !== undefined) config.slack = { webhookUrl: httpUrl('SLACK_WEBHOOK_URL', webhookUrl) };

  const email = readEmail(env);
  if (email) config.email = email;

  const routingKey = read(env, 'PAGERDUTY_ROUTING_KEY');
  const eventsUrl = read(env, 'PAGERDUTY_EVENTS_URL');
  if (routingKey !== undefined) {
    if (/\s/.test(routingKey)) {
      throw new AlertConfigError(
        'PAGERDUTY_ROUTING_KEY',
        'PAGERDUTY_ROUTING_KEY contains whitespace (value not shown)',
      );
    }
    // Accept the full enqueue URL too, since that is what PagerDuty's documentation shows.
    const endpoint = httpUrl('PAGERDUTY_EVENTS_URL', eventsUrl ?? DEFAULT_PAGERDUTY_EVENTS_URL)
      .replace(/\/+$/, '')
      .replace(/\/v2\/enqueue$/, '');
    config.pagerduty = { routingKey, endpoint };
  } else if (eventsUrl !== undefined) {
    throw new AlertConfigError(
      'PAGERDUTY_ROUTING_KEY',
      'PAGERDUTY_EVENTS_URL is set but PAGERDUTY_ROUTING_KEY is not: set the routing key or unset the URL',
    );
  }
  return config;
}

/** The policy from ALERT_POLICY_JSON laid over the default, or the default when the variable is unset. */
export function readEscalationPolicy(env: NodeJS.ProcessEnv): EscalationPolicy {
  const json = read(env, 'ALERT_POLICY_JSON');
  return json === undefined ? DEFAULT_ESCALATION_POLICY : parseEscalationPolicy(json, 'ALERT_POLICY_JSON');
}
