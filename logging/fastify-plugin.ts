/**
 * Trace ids and request logging for a Fastify app. Registered once on the root instance (it skips encapsulation),
 * before the routes, it gives every request a trace id (the caller's traceparent or X-Request-Id, else a UUID),
 * runs the request's work inside that trace context, answers with X-Request-Id and traceparent headers, writes one
 * line per request (method, route, status, duration), and writes the audit line for each prediction served.
 */
import type { FastifyInstance, FastifyPluginCallback, FastifyRequest, preSerializationHookHandler } from 'fastify';
import type { AuditedPrediction, AuditLogger } from './audit.js';
import { activeAuditLogger, componentLogger, hotLineWriter, type AppLogger } from './logger.js';
import { DEFAULT_SLOW_REQUEST_MS, RequestLineSampler } from './request-sampling.js';
import { currentTraceId, newTraceId, runWithTraceId, traceIdFromHeaders, traceparentFor } from './trace-context.js';

declare module 'fastify' {
  interface FastifyRequest {
    traceId: string;
  }
}

export interface LoggingPluginOptions {
  /** The request-line logger; default `componentLogger('http')`. */
  readonly log?: AppLogger;
  /** Default: the audit logger `configureLogging` made, looked up per request so late configuration works. */
  readonly audit?: AuditLogger;
  /** Route patterns (as registered, e.g. `/api/v1/predict`) whose 2xx answers hold predictions to audit. */
  readonly auditRoutes?: readonly string[];
  /** Routes polled by machines (`/metrics`, `/healthz`) whose request lines are DEBUG rather than INFO. */
  readonly quietRoutes?: readonly string[];
  /** The authenticated caller, for the audit trail; default: none known. */
  readonly userIdOf?: (request: FastifyRequest) => string | undefined;
  /**
   * Share of successful requests faster than `slowRequestMs` whose request line is written; default 1 (all). The
   * audit lines are never sampled: they are the record of what was served, and these lines are diagnostics.
   */
  readonly requestLineSampleRate?: number;
  /** Default `DEFAULT_SLOW_REQUEST_MS` (150 ms, the p95 latency alert's threshold). */
  readonly slowRequestMs?: number;
}

export const TRACE_HEADERS = { requestId: 'x-request-id', traceparent: 'traceparent' } as const;

/** The predictions in a predict answer, single (`{ bse_code, ... }`) or batch (`{ predictions: [...] }`). */
export function predictionsInPayload(payload: unknown): AuditedPrediction[] {
  if (payload === null || typeof payload !== 'object') return [];
  const items: unknown[] = Array.isArray((payload as { predictions?: unknown }).predictions)
    ? (payload as { predictions: unknown[] }).predictions
    : [payload];
  return items.filter(isAuditedPrediction);
}

function isAuditedPrediction(item: unknown): item is AuditedPrediction {
  if (item === null || typeof item !== 'object') return false;
  const p = item as Record<string, unknown>;
  return (
    typeof p.bse_code === 'number' &&
    typeof p.prediction_date === 'string' &&
    (p.predicted_label === 0 || p.predicted_label === 1) &&
    typeof p.probability === 'number' &&
    typeof p.model_version === 'string'
  );
}

/**
 * The error body with `error.trace_id` added: the API's error handler (and not-found handler) call this so a
 * client can quote the id and an operator can find every line of that request.
 */
export function withTraceId<B extends { readonly error: object }>(
  body: B,
  traceId: string | undefined = currentTraceId(),
): B & { readonly error: { readonly trace_id: string | null } } {
  return { ...body, error: { ...body.error, trace_id: traceId ?? null } };
}

const plugin: FastifyPluginCallback<LoggingPluginOptions> = (app: FastifyInstance, options, done) => {
  const log = options.log ?? componentLogger('http');
  const auditRoutes = new Set(options.auditRoutes ?? []);
  const quietRoutes = new Set(options.quietRoutes ?? []);
  const userIdOf = options.userIdOf ?? (() => undefined);
  if (!app.hasRequestDecorator('traceId')) app.decorateRequest('traceId', '');

  app.addHook('onRequest', (request, reply, next) => {
    const traceId = traceIdFromHeaders(request.headers) ?? newTraceId();
    request.traceId = traceId;
    void reply.header(TRACE_HEADERS.requestId, traceId);
    void reply.header(TRACE_HEADERS.traceparent, traceparentFor(traceId));
    runWithTraceId(traceId, next);
  });

  // No re-entry after body parsing is needed: Fastify runs the body parser's callback in an AsyncResource made
  // inside this context, so validation, the handler and later hooks stay in the request's trace (a test posts a
  // body over a real socket to hold this).

  // Attached to the audited routes only, as they are registered, so no other route pays for the check.
  const auditHook: preSerializationHookHandler<unknown> = (request, reply, payload, next) => {
    const audit = reply.statusCode < 300 ? (options.audit ?? activeAuditLogger()) : undefined;
    const predictions = audit ? predictionsInPayload(payload) : [];
    if (audit && predictions.length > 0) {
      audit.recordPredictions(predictions, { userId: userIdOf(request), traceId: request.traceId });
    }
    next(null, payload);
  };
  app.addHook('onRoute', (route) => {
    if (!auditRoutes.has(route.url)) return;
    const existing = route.preSerialization;
    route.preSerialization =
      existing === undefined ? [auditHook] : [...(Array.isArray(existing) ? existing : [existing]), auditHook];
  });

  const completed = hotLineWriter(log, 'request completed');
  const failed = hotLineWriter(log, 'request failed');
  const sampler = new RequestLineSampler(
    options.requestLineSampleRate ?? 1,
    options.slowRequestMs ?? DEFAULT_SLOW_REQUEST_MS,
  );
  app.addHook('onResponse', (request, reply, next) => {
    const status = reply.statusCode;
    const elapsedMs = reply.elapsedTime;
    const decision = sampler.decide(status, elapsedMs);
    if (decision === 'skip') return next();
    const route = request.routeOptions.url ?? 'unmatched';
    const fields: Record<string, string | number> = {
      method: request.method,
      route,
      status_code: status,
      duration_ms: Math.round(elapsedMs * 1000) / 1000,
    };
    // A sampled line stands for 1/rate requests; counting requests from the logs needs that weight.
    if (decision === 'sampled') fields.sample_rate = sampler.rate;
    if (status >= 500) failed('error', fields, request.traceId);
    else completed(quietRoutes.has(route) ? 'debug' : 'info', fields, request.traceId);
    next();
  });

  done();
};

// Fastify's documented marker for a plugin whose hooks apply to the parent (root) instance, as fastify-plugin sets.
Object.assign(plugin, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: 'vcp-logging' });

export const loggingPlugin = plugin;
