/** The one HTTP call the Slack and PagerDuty adapters make, with the retryable/permanent split in one place. */
import { ChannelDeliveryError, redactSecrets } from '../errors.js';
import type { ChannelName } from '../types.js';

export const DEFAULT_HTTP_TIMEOUT_MS = 10_000;

export interface PostJsonOptions {
  readonly timeoutMs: number;
  /** Values to scrub from any provider text quoted in an error (the URL itself is never quoted). */
  readonly secrets: readonly (string | undefined)[];
}

export interface PostJsonResult {
  readonly status: number;
  readonly text: string;
}

/** Connection-level codes from undici/Node that mean "try again later" rather than "this will never work". */
const TRANSIENT_NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
  'UND_ERR_CLOSED',
]);

function errorCode(err: unknown): string | undefined {
  if (typeof err !== 'object' || err === null) return undefined;
  const { code, cause } = err as { code?: unknown; cause?: unknown };
  if (typeof code === 'string') return code;
  return cause === err ? undefined : errorCode(cause);
}

/**
 * Maps whatever fetch threw to a ChannelDeliveryError. The thrown error's own message is deliberately not
 * reused: undici puts the URL into some of them ("Failed to parse URL from ..."), and for Slack the URL is the
 * secret. The original error is not attached as `cause` for the same reason; the code is kept instead.
 */
function fetchFailure(channel: ChannelName, err: unknown, timeoutMs: number): ChannelDeliveryError {
  const name = err instanceof Error ? err.name : '';
  if (name === 'TimeoutError' || name === 'AbortError') {
    return new ChannelDeliveryError(channel, `no answer within ${timeoutMs} ms`, {
      retryable: true,
      status: null,
      code: 'ETIMEDOUT',
    });
  }
  const code = errorCode(err);
  if (code === 'ECONNREFUSED') {
    return new ChannelDeliveryError(channel, 'connection refused', { retryable: true, status: null, code });
  }
  if (code && TRANSIENT_NETWORK_CODES.has(code)) {
    return new ChannelDeliveryError(channel, `network error ${code}`, { retryable: true, status: null, code });
  }
  if (code === 'ERR_INVALID_URL' || (err instanceof TypeError && /parse URL/i.test(err.message))) {
    return new ChannelDeliveryError(channel, 'the configured URL is not valid', {
      retryable: false,
      status: null,
      code: 'ERR_INVALID_URL',
    });
  }
  // An unknown failure before any answer is treated as transient: a retry costs little, a dropped page a lot.
  return new ChannelDeliveryError(channel, `request failed (${code ?? (name || 'unknown error')})`, {
    retryable: true,
    status: null,
    code: code ?? 'EUNKNOWN',
  });
}

export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 429 || status === 408;
}

/** POSTs JSON and returns the answer when it is 2xx; throws ChannelDeliveryError for anything else. */
export async function postJson(
  channel: ChannelName,
  url: string,
  body: unknown,
  options: PostJsonOptions,
): Promise<PostJsonResult> {
  const signal = AbortSignal.timeout(options.timeoutMs);
  let status: number;
  let text: string;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'vcp-monitor' },
      body: JSON.stringify(body),
      signal,
      // A redirect would re-send the alert to a host nobody configured; treat it as a refusal instead.
      redirect: 'manual',
    });
    status = response.status;
    text = await response.text();
  } catch (err) {
    throw fetchFailure(channel, err, options.timeoutMs);
  }
  if (status >= 200 && status < 300) return { status, text };

  const quoted = redactSecrets(text.replace(/\s+/g, ' ').trim(), options.secrets).slice(0, 200);
  throw new ChannelDeliveryError(channel, `HTTP ${status}${quoted ? `: ${quoted}` : ''}`, {
    retryable: isRetryableStatus(status),
    status,
    code: `HTTP_${status}`,
  });
}
