import type { ChannelName } from './types.js';

/**
 * A channel refused or failed to take an alert. `retryable` separates a transient fault (5xx, 429, a timeout,
 * a refused connection) from a permanent one (a revoked webhook, a bad request) that no retry can fix; the
 * activity turns the latter into a non-retryable Temporal failure and the policy's fallback takes over.
 * The message names the channel and the status only: never the webhook URL, routing key or SMTP password.
 */
export class ChannelDeliveryError extends Error {
  override readonly name = 'ChannelDeliveryError';
  readonly channel: ChannelName;
  readonly retryable: boolean;
  /** HTTP status or SMTP reply code where the provider answered; null when it never did. */
  readonly status: number | null;
  /** A short machine code: ETIMEDOUT, ECONNREFUSED, EAUTH, HTTP_500... */
  readonly code: string;

  constructor(
    channel: ChannelName,
    message: string,
    details: { readonly retryable: boolean; readonly status: number | null; readonly code: string },
  ) {
    super(`${channel} delivery failed: ${message} (${details.retryable ? 'retryable' : 'not retryable'})`);
    this.channel = channel;
    this.retryable = details.retryable;
    this.status = details.status;
    this.code = details.code;
  }
}

/** Replaces every occurrence of a secret in text taken from a provider's answer, before it reaches a message. */
export function redactSecrets(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join('[redacted]');
  }
  return out;
}
