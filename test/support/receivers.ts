/**
 * Real local receivers for the alert channels: an SMTP server and an HTTP recorder on 127.0.0.1, on ports
 * the OS picks. Tests talk to them over real sockets, so the adapters' wire format and error handling are
 * what gets tested, not a mock's idea of them.
 */
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo, type Socket } from 'node:net';
import { SMTPServer, type SMTPServerAddress } from 'smtp-server';

const HOST = '127.0.0.1';

// --- SMTP ---------------------------------------------------------------------------------------------------------

export interface MimePart {
  /** Lower-cased media type without parameters, e.g. `text/plain`. */
  readonly contentType: string;
  /** Decoded from its transfer encoding (base64, quoted-printable) as UTF-8. */
  readonly body: string;
}

export interface ReceivedMail {
  readonly raw: string;
  /** What the client said in MAIL FROM and RCPT TO, which is who really receives it. */
  readonly envelope: { readonly from: string | null; readonly to: readonly string[] };
  /** Header names lower-cased, folded lines joined; a repeated header keeps every value. */
  readonly headers: ReadonlyMap<string, readonly string[]>;
  readonly messageId: string | undefined;
  /** RFC 2047 encoded words decoded. */
  readonly subject: string | undefined;
  /** Addresses from the To header. */
  readonly to: readonly string[];
  /** Leaf parts in order; a single-part message gives one. */
  readonly parts: readonly MimePart[];
  readonly text: string | undefined;
  readonly html: string | undefined;
  /** Date.now() when the receiver had the whole message (set by startSmtpReceiver, absent from parseMail). */
  readonly receivedAt?: number;
}

export interface SmtpReceiver {
  readonly host: string;
  readonly port: number;
  readonly messages: ReceivedMail[];
  close(): Promise<void>;
}

export interface SmtpReceiverOptions {
  /** Answer RCPT TO for this address with the given SMTP reply code (e.g. 550 permanent, 450 temporary). */
  readonly refuseRecipient?: (address: string) => number | undefined;
  /**
   * Hold the reply to the message's final dot this long, after recording it: the sender has delivered the mail
   * but has not heard so. `count` is 1 for the first message.
   */
  readonly replyDelayMs?: (count: number) => number;
}

function splitHeaderBlock(entity: string): { headerText: string; body: string } {
  const at = entity.search(/\r?\n\r?\n/);
  if (at < 0) return { headerText: entity, body: '' };
  const sep = /\r?\n\r?\n/.exec(entity.slice(at));
  return { headerText: entity.slice(0, at), body: entity.slice(at + (sep?.[0].length ?? 2)) };
}

function parseHeaders(headerText: string): Map<string, string[]> {
  const headers = new Map<string, string[]>();
  const unfolded = headerText.replace(/\r?\n[ \t]+/g, ' ');
  for (const line of unfolded.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    const list = headers.get(name) ?? [];
    list.push(line.slice(colon + 1).trim());
    headers.set(name, list);
  }
  return headers;
}

function first(headers: ReadonlyMap<string, readonly string[]>, name: string): string | undefined {
  return headers.get(name)?.[0];
}

function decodeQuotedPrintableBytes(text: string, underscoreIsSpace: boolean): Buffer {
  const src = underscoreIsSpace ? text.replace(/_/g, ' ') : text.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < src.length; i++) {
    const c = src[i] ?? '';
    const hex = src.slice(i + 1, i + 3);
    if (c === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

function decodeEncodedWords(value: string): string {
  // Whitespace between two adjacent encoded words is not part of the text (RFC 2047 section 6.2).
  return value
    .replace(/(\?=)\s+(=\?)/g, '$1$2')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_m, _charset: string, enc: string, data: string) =>
      enc.toUpperCase() === 'B'
        ? Buffer.from(data, 'base64').toString('utf8')
        : decodeQuotedPrintableBytes(data, true).toString('utf8'),
    );
}

function decodeBody(body: string, transferEncoding: string | undefined): string {
  const enc = (transferEncoding ?? '7bit').toLowerCase();
  if (enc === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8');
  if (enc === 'quoted-printable') return decodeQuotedPrintableBytes(body, false).toString('utf8');
  return body;
}

function leafParts(headers: ReadonlyMap<string, readonly string[]>, body: string): MimePart[] {
  const contentType = first(headers, 'content-type') ?? 'text/plain';
  const mediaType = (contentType.split(';')[0] ?? '').trim().toLowerCase();
  if (!mediaType.startsWith('multipart/')) {
    return [{ contentType: mediaType, body: decodeBody(body, first(headers, 'content-transfer-encoding')) }];
  }
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  if (!boundary) return [];
  const parts: MimePart[] = [];
  const sections = body.split(`--${boundary}`);
  // sections[0] is the preamble; the section starting with "--" follows the closing delimiter.
  for (const section of sections.slice(1)) {
    if (section.startsWith('--')) break;
    const { headerText, body: partBody } = splitHeaderBlock(section.replace(/^\r?\n/, ''));
    parts.push(...leafParts(parseHeaders(headerText), partBody.replace(/\r?\n$/, '')));
  }
  return parts;
}

export function parseMail(raw: string, envelope: ReceivedMail['envelope']): ReceivedMail {
  const { headerText, body } = splitHeaderBlock(raw);
  const headers = parseHeaders(headerText);
  const parts = leafParts(headers, body);
  const subject = first(headers, 'subject');
  const toHeader = first(headers, 'to') ?? '';
  return {
    raw,
    envelope,
    headers,
    messageId: first(headers, 'message-id'),
    subject: subject === undefined ? undefined : decodeEncodedWords(subject),
    to: [...toHeader.matchAll(/[^\s<>,"]+@[^\s<>,"]+/g)].map((m) => m[0]),
    parts,
    text: parts.find((p) => p.contentType === 'text/plain')?.body,
    html: parts.find((p) => p.contentType === 'text/html')?.body,
  };
}

/** An SMTP server with no authentication and no TLS, for 127.0.0.1 only. */
export async function startSmtpReceiver(options: SmtpReceiverOptions = {}): Promise<SmtpReceiver> {
  const messages: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['AUTH', 'STARTTLS'],
    logger: false,
    onRcptTo(address: SMTPServerAddress, _session, callback) {
      const code = options.refuseRecipient?.(address.address);
      if (code === undefined) {
        callback();
        return;
      }
      const err = new Error(`mailbox ${address.address} refused by the test receiver`) as Error & {
        responseCode: number;
      };
      err.responseCode = code;
      callback(err);
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const mailFrom = session.envelope.mailFrom;
        messages.push({
          ...parseMail(Buffer.concat(chunks).toString('utf8'), {
            from: mailFrom ? mailFrom.address : null,
            to: session.envelope.rcptTo.map((r) => r.address),
          }),
          receivedAt: Date.now(),
        });
        const delay = options.replyDelayMs?.(messages.length) ?? 0;
        if (delay > 0) setTimeout(() => callback(), delay).unref();
        else callback();
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve());
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    host: HOST,
    port,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

// --- HTTP ---------------------------------------------------------------------------------------------------------

export interface RecordedRequest {
  readonly method: string;
  /** Path and query, exactly as sent. */
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  /** The body as sent, byte for byte (decoded as UTF-8). */
  readonly body: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: unknown;
  /** Date.now() when the whole body had arrived. */
  readonly receivedAt: number;
}

export interface HttpReply {
  readonly status: number;
  /** Wait this long before answering, to make a client time out. */
  readonly delayMs?: number;
  readonly body?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** `count` is 1 for the first request the recorder sees. */
export type HttpResponder = (req: IncomingMessage, body: string, count: number) => HttpReply;

export interface HttpRecorder {
  /** `http://127.0.0.1:<port>`, no trailing slash. */
  readonly url: string;
  readonly requests: RecordedRequest[];
  close(): Promise<void>;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

export async function startHttpRecorder(options: { readonly respond?: HttpResponder } = {}): Promise<HttpRecorder> {
  const requests: RecordedRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const respond: HttpResponder = options.respond ?? (() => ({ status: 200, body: 'ok' }));

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      requests.push({
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body,
        json: parseJson(body),
        receivedAt: Date.now(),
      });
      const reply = respond(req, body, requests.length);
      const answer = (): void => {
        if (res.destroyed) return;
        res.writeHead(reply.status, { 'content-type': 'text/plain; charset=utf-8', ...reply.headers });
        res.end(reply.body ?? (reply.status < 300 ? 'ok' : 'error'));
      };
      if (!reply.delayMs) {
        answer();
        return;
      }
      const timer = setTimeout(() => {
        timers.delete(timer);
        answer();
      }, reply.delayMs);
      timers.add(timer);
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${HOST}:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        server.close(() => resolve());
        // A delayed answer keeps its socket open; without this, close() would wait for it.
        server.closeAllConnections();
      }),
  };
}

/** Answers `failStatus` to the first `failures` requests, then `okStatus`. */
export function succeedAfter(failures: number, okStatus = 200, failStatus = 500): HttpResponder {
  return (_req, _body, count) => ({ status: count <= failures ? failStatus : okStatus });
}

/**
 * A port on 127.0.0.1 where nothing listens, for connection-refused tests: the OS hands out a free port, which
 * is released at once. Another process could take it in the few milliseconds before the test connects; on a
 * test machine that race is rare enough to accept, and it would show as a wrong-error failure, not a pass.
 */
export async function refusedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** A TCP server that accepts connections and never says a word: an SMTP greeting (or any answer) never comes. */
export async function startSilentServer(): Promise<{ readonly port: number; close(): Promise<void> }> {
  const sockets = new Set<Socket>();
  const server = createNetServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, HOST, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
