/**
 * Secrets never reach a log line. Two layers: pino `redact` paths for keys whose name says they hold a secret
 * (cheap, compiled once), and a scrubber for secrets hidden inside free text, which no key name reveals: a
 * password in a connection URL, a Slack webhook URL, a bearer token quoted in an error message.
 */

export const REDACTED = '[redacted]';

/** Key names (compared case-insensitively, ignoring `_` and `-`) whose values are always secrets. */
const SECRET_KEY_NAMES = [
  'password',
  'passwd',
  'pass',
  'secret',
  'token',
  'accesstoken',
  'refreshtoken',
  'apikey',
  'xapikey',
  'authorization',
  'proxyauthorization',
  'cookie',
  'setcookie',
  'webhookurl',
  'webhook',
  'routingkey',
  'integrationkey',
  'databaseurl',
  'privatekey',
  'clientsecret',
];
const SECRET_KEYS = new Set(SECRET_KEY_NAMES);

/** Log field names repeat endlessly, so the normalised lookup is memoised (bounded: field names are code, not data). */
const secretKeyCache = new Map<string, boolean>();

export function isSecretKey(key: string): boolean {
  let secret = secretKeyCache.get(key);
  if (secret === undefined) {
    secret = SECRET_KEYS.has(key.toLowerCase().replace(/[-_]/g, ''));
    if (secretKeyCache.size < 10_000) secretKeyCache.set(key, secret);
  }
  return secret;
}

/** The spellings that appear in this code base and its configuration, for pino's path-based redaction. */
const REDACT_KEY_SPELLINGS = [
  'password',
  'secret',
  'token',
  'accessToken',
  'apiKey',
  'api_key',
  'authorization',
  'Authorization',
  'cookie',
  'webhookUrl',
  'webhook_url',
  'routingKey',
  'routing_key',
  'databaseUrl',
  'DATABASE_URL',
  'clientSecret',
];

/**
 * Static paths only: fast-redact compiles them to direct property checks, whereas each wildcard path walks every
 * key of the object on every line (measured: 50 wildcard paths cost ~44 µs a line, 4x the rest of the line's
 * work). Secrets deeper down, or under other spellings, are caught by `scrubValue`'s key check, at any depth.
 */
export function redactPaths(): string[] {
  const paths: string[] = [];
  for (const key of REDACT_KEY_SPELLINGS) {
    paths.push(/^[A-Za-z_$][\w$]*$/.test(key) ? `context.${key}` : `context["${key}"]`);
  }
  for (const header of ['.authorization', '.cookie', '["x-api-key"]']) {
    paths.push(`context.headers${header}`, `context.req.headers${header}`);
  }
  return paths;
}

const URL_USERINFO = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@:]*):([^\s/@]*)@/gi;
const SLACK_WEBHOOK = /(https?:\/\/hooks\.slack\.com\/)(services|workflows|triggers)\/[^\s"'<>]+/gi;
const BEARER = /\b(Bearer|Basic|ApiKey|Token)\s+[A-Za-z0-9._~+/=-]{8,}/g;
const SECRET_QUERY = /([?&](?:token|access_token|api_key|apikey|key|password|secret|signature|sig)=)[^&\s"'#]+/gi;
/** Cheap pre-check so that the common line with no secret-looking text costs one regex test per string. */
const MAYBE_SECRET = /:\/\/|hooks\.slack|bearer|basic |apikey|token|[?&][a-z_]*(?:key|password|secret|sig)/i;

/** Replaces secrets embedded in free text, keeping enough (scheme, host, user) for the line to stay useful. */
export function scrubText(text: string): string {
  if (!MAYBE_SECRET.test(text)) return text;
  return text
    .replace(URL_USERINFO, (_m, scheme: string, user: string) => `${scheme}${user}:${REDACTED}@`)
    .replace(SLACK_WEBHOOK, (_m, host: string, kind: string) => `${host}${kind}/${REDACTED}`)
    .replace(BEARER, (_m, scheme: string) => `${scheme} ${REDACTED}`)
    .replace(SECRET_QUERY, (_m, prefix: string) => `${prefix}${REDACTED}`);
}

const MAX_DEPTH = 8;

/** An Error as the JSON the logs carry: pino's own shape (type, message, stack) plus its code and cause. */
export function serializeError(err: Error, depth = 0): Record<string, unknown> {
  const out: Record<string, unknown> = {
    type: err.constructor?.name && err.constructor.name !== 'Object' ? err.constructor.name : err.name,
    message: scrubText(err.message),
    stack: err.stack ? scrubText(err.stack) : undefined,
  };
  for (const [key, value] of Object.entries(err)) {
    if (key in out) continue;
    out[key] = isSecretKey(key) ? REDACTED : scrubValue(value, depth + 1);
  }
  if (err.cause !== undefined && depth < MAX_DEPTH) {
    out.cause = err.cause instanceof Error ? serializeError(err.cause, depth + 1) : scrubValue(err.cause, depth + 1);
  }
  return out;
}

/**
 * Returns the value with secret keys redacted and free-text secrets scrubbed at any depth. The input is never
 * modified: an unchanged branch is returned as is, a changed one is copied.
 */
export function scrubValue(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return scrubText(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return serializeError(value, depth);
  if (depth >= MAX_DEPTH) return '[depth limit]';
  if (value instanceof Date || Buffer.isBuffer(value)) return value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    for (let i = 0; i < value.length; i++) {
      const next = scrubValue(value[i], depth + 1);
      if (next !== value[i]) {
        copy ??= value.slice();
        copy[i] = next;
      }
    }
    return copy ?? value;
  }
  let copy: Record<string, unknown> | undefined;
  const source = value as Record<string, unknown>;
  for (const key of Object.keys(source)) {
    const current = source[key];
    // A boolean or number under a secret-sounding key (`pass: true` in a test result) is not a secret.
    const secret =
      isSecretKey(key) && (typeof current === 'string' || (typeof current === 'object' && current !== null));
    const next = secret ? REDACTED : scrubValue(current, depth + 1);
    if (next !== current) {
      copy ??= { ...source };
      copy[key] = next;
    }
  }
  return copy ?? value;
}
