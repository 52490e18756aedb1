/** The trace id of the work in progress, carried through async calls without passing it by hand. */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, randomUUID } from 'node:crypto';

interface TraceContext {
  readonly traceId: string;
}

const storage = new AsyncLocalStorage<TraceContext>();

export function runWithTraceId<T>(traceId: string, fn: () => T): T {
  return storage.run({ traceId }, fn);
}

export function currentTraceId(): string | undefined {
  return storage.getStore()?.traceId;
}

/** A fresh trace id for work that arrives without one: a random UUID. */
export function newTraceId(): string {
  return randomUUID();
}

const TRACEPARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ALL_ZERO_TRACE = '0'.repeat(32);
/** Free-form ids are accepted only in a shape that cannot inject anything into a log line or a header. */
const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** The trace-id part of a W3C traceparent header, or undefined when the header is absent or malformed. */
export function traceIdFromTraceparent(header: string | undefined): string | undefined {
  const m = header ? TRACEPARENT.exec(header.trim().toLowerCase()) : null;
  // Version ff is forbidden and an all-zero trace id is invalid (W3C Trace Context, section 3.2).
  if (!m || m[1] === 'ff' || m[2] === ALL_ZERO_TRACE) return undefined;
  return m[2];
}

type HeaderValue = string | string[] | undefined;

function single(value: HeaderValue): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}

/**
 * The trace id a caller sent: the W3C traceparent's trace id first (what other services log), then
 * X-Request-Id, then the older X-Trace-Id. Undefined when none is usable, and the caller makes a new one.
 */
export function traceIdFromHeaders(headers: Readonly<Record<string, HeaderValue>>): string | undefined {
  const fromParent = traceIdFromTraceparent(single(headers.traceparent));
  if (fromParent) return fromParent;
  for (const name of ['x-request-id', 'x-trace-id']) {
    const value = single(headers[name])?.trim();
    if (value && REQUEST_ID.test(value)) return value;
  }
  return undefined;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const HEX_32 = /^[0-9a-f]{32}$/;

/** The 32 hex digits a trace id stands for in a traceparent: itself for a UUID or 32-hex id, else its hash. */
function traceHex(traceId: string): string {
  const id = traceId.toLowerCase();
  // Slicing out the dashes: this runs for every request, and a regex replace cost several times more.
  const hex = UUID.test(id)
    ? id.slice(0, 8) + id.slice(9, 13) + id.slice(14, 18) + id.slice(19, 23) + id.slice(24)
    : HEX_32.test(id)
      ? id
      : undefined;
  return hex !== undefined && hex !== ALL_ZERO_TRACE
    ? hex
    : createHash('sha256').update(traceId).digest('hex').slice(0, 32);
}

/**
 * A traceparent header for a response or an outgoing call. A UUID or 32-hex id is used as the trace id itself; a
 * free-form X-Request-Id is hashed to 32 hex, so the header stays valid and the same id always maps the same way.
 */
export function traceparentFor(traceId: string): string {
  // randomUUID draws from a pooled entropy buffer; randomBytes(8) per request cost a syscall-sized share of the
  // request in the overhead benchmark. A v4 UUID's first 12 and last 12 hex digits are all random bits.
  const parent = randomUUID();
  return `00-${traceHex(traceId)}-${parent.slice(0, 8)}${parent.slice(9, 13)}${parent.slice(24, 28)}-01`;
}
