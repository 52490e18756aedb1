/**
 * Email over SMTP through nodemailer, with a text and an HTML part.
 *
 * Dedup: SMTP has no idempotency key. The Message-ID is derived from the dedup key, so a resend carries the same
 * id and mail systems that drop duplicate Message-IDs (many do, but no standard requires it) show it once;
 * X-VCP-Dedup-Key lets a mail rule do the same. As for Slack, the caller's sent-delivery row in Postgres is what
 * really stops a second send, and a crash between the server's 250 and that write still sends twice.
 */
import { createHash } from 'node:crypto';
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import type SMTPTransport from 'nodemailer/lib/smtp-transport/index.js';
import { ChannelDeliveryError, redactSecrets } from '../errors.js';
import { alertHeadline, renderAlertHtml, renderAlertText } from '../format.js';
import type { AlertChannel, AlertMessage, DeliveryReceipt } from '../types.js';

export interface EmailConfig {
  readonly host: string;
  readonly port: number;
  /** true: TLS from the first byte (port 465). false: plain, upgraded with STARTTLS when the server offers it. */
  readonly secure: boolean;
  readonly user?: string;
  readonly password?: string;
  readonly from: string;
  readonly to: readonly string[];
  /** Upper bound for connecting and for the greeting; the whole send may take up to three times this. */
  readonly timeoutMs?: number;
}

const DEFAULT_SMTP_TIMEOUT_MS = 10_000;
const FALLBACK_MESSAGE_ID_DOMAIN = 'vcp-monitor.local';

function senderDomain(from: string): string {
  const m = /@([A-Za-z0-9.-]+)>?\s*$/.exec(from);
  return m?.[1] ?? FALLBACK_MESSAGE_ID_DOMAIN;
}

/**
 * The same dedup key always gives the same Message-ID. The key is hashed because it contains `:` and `#`,
 * which a Message-ID's left part may not hold.
 */
export function messageIdFor(dedupKey: string, from: string): string {
  const digest = createHash('sha256').update(dedupKey).digest('hex').slice(0, 32);
  return `<vcp-alert-${digest}@${senderDomain(from)}>`;
}

// nodemailer's own codes for failures before or around the SMTP dialogue that a later attempt may not meet.
const TRANSIENT_CODES = new Set([
  'ECONNECTION',
  'ETIMEDOUT',
  'ESOCKET',
  'EDNS',
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'ENOTFOUND',
]);

const HINTS: Readonly<Record<string, string>> = {
  ETLS: 'TLS could not be set up (no STARTTLS offered, or the certificate was refused) and a login requires it',
  EAUTH: 'the server refused the login (check SMTP_USER and SMTP_PASSWORD)',
  EENVELOPE: 'the server refused the sender or every recipient',
  ECONNREFUSED: 'connection refused',
  ETIMEDOUT: 'the server did not answer in time',
};

function deliveryError(err: unknown, secrets: readonly (string | undefined)[]): ChannelDeliveryError {
  const e = (typeof err === 'object' && err !== null ? err : {}) as {
    code?: unknown;
    responseCode?: unknown;
    response?: unknown;
    originalCode?: unknown;
  };
  // nodemailer files a refused connection under ESOCKET and keeps the socket's own code in originalCode.
  const code = typeof e.originalCode === 'string' ? e.originalCode : typeof e.code === 'string' ? e.code : 'EUNKNOWN';
  const replyCode = typeof e.responseCode === 'number' ? e.responseCode : null;
  // An SMTP 4xx reply is a temporary refusal by definition (RFC 5321 4.2.1); 5xx is permanent.
  const retryable = replyCode !== null ? replyCode >= 400 && replyCode < 500 : TRANSIENT_CODES.has(code);
  // The server's reply line is quoted (it says which mailbox or policy refused); nodemailer's own message is not,
  // because it can carry the host and login name.
  const reply = typeof e.response === 'string' ? redactSecrets(e.response.replace(/\s+/g, ' '), secrets) : '';
  const answer =
    replyCode !== null ? `SMTP ${replyCode}${reply ? `: ${reply.slice(0, 200)}` : ''}` : `SMTP error ${code}`;
  const hint = HINTS[code];
  const what = hint ? (replyCode !== null ? `${hint}; ${answer}` : hint) : answer;
  return new ChannelDeliveryError('email', what, { retryable, status: replyCode, code });
}

export class EmailChannel implements AlertChannel {
  readonly name = 'email' as const;
  readonly #config: EmailConfig;
  readonly #transport: Transporter<SMTPTransport.SentMessageInfo>;

  constructor(config: EmailConfig) {
    this.#config = config;
    const timeout = config.timeoutMs ?? DEFAULT_SMTP_TIMEOUT_MS;
    const auth = config.user !== undefined ? { user: config.user, pass: config.password ?? '' } : undefined;
    this.#transport = nodemailer.createTransport({
      host: config.host,
      port: config.port,
      secure: config.secure,
      ...(auth ? { auth } : {}),
      // A password must not cross the network in clear: without implicit TLS, insist on STARTTLS when logging in.
      requireTLS: auth !== undefined && !config.secure,
      connectionTimeout: timeout,
      greetingTimeout: timeout,
      socketTimeout: timeout * 3,
    });
  }

  async send(alert: AlertMessage): Promise<DeliveryReceipt> {
    const messageId = messageIdFor(alert.dedupKey, this.#config.from);
    let info: SMTPTransport.SentMessageInfo;
    try {
      info = await this.#transport.sendMail({
        from: this.#config.from,
        to: [...this.#config.to],
        subject: alertHeadline(alert),
        text: renderAlertText(alert),
        html: renderAlertHtml(alert),
        messageId,
        // The alert's own time, so a resent message is byte-for-byte the same apart from transport headers.
        ...(Number.isNaN(Date.parse(alert.createdAt)) ? {} : { date: new Date(alert.createdAt) }),
        headers: { 'X-VCP-Dedup-Key': alert.dedupKey, 'X-VCP-Severity': alert.severity },
      });
    } catch (err) {
      throw deliveryError(err, [this.#config.password, this.#config.user]);
    }
    // Some recipients accepted, some refused: the message went out, so this is a success with a warning rather
    // than an error that would resend it to the ones who already have it.
    const refused = info.rejected.map((r: string | { address: string }) => (typeof r === 'string' ? r : r.address));
    return {
      channel: 'email',
      providerId: info.messageId || messageId,
      ...(refused.length > 0 ? { warnings: [`SMTP server refused recipients: ${refused.join(', ')}`] } : {}),
    };
  }

  close(): void {
    this.#transport.close();
  }
}
