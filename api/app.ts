/**
 * buildApp: the prediction API as a Fastify instance, without listening (tests use inject, server.ts listens).
 * Request metrics, trace ids and access logging are hooks on the root instance so that every plugin's routes,
 * including other engineers' added through `plugins`, are measured the same way.
 */
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { Registry } from 'prom-client';
import type { Database } from '../db/client.js';
import { componentLogger, type AppLogger } from '../logging/logger.js';
// logging/ (trace ids, request lines, audit lines): see docs/logging.md.
import { loggingPlugin, withTraceId } from '../logging/fastify-plugin.js';
import type { ApiConfig } from './config.js';
import type { ApiContext, ApiPlugin } from './context.js';
import { API_ERRORS, ApiError, describeViolation, type ApiErrorCode, type SchemaViolation } from './errors.js';
import { createApiMetrics, type ApiMetrics } from './metrics.js';
import { RegistryModelStore, type ActiveModel, type ModelSource } from './model-store.js';
import { PredictionCache } from './prediction-cache.js';
import { healthRoutes, metricsRoutes } from './routes/health.js';
import { modelRoutes } from './routes/models.js';
import { predictRoutes } from './routes/predict.js';

declare module 'fastify' {
  interface FastifyRequest {
    traceId: string;
    /** Set by the error handler so the metrics hook can label the error by its code. */
    apiErrorCode: ApiErrorCode | undefined;
  }
  interface FastifyInstance {
    reloadActiveModel(): Promise<ActiveModel | null>;
  }
}

export interface AppDeps {
  readonly db: Database;
  readonly config: ApiConfig;
  readonly log?: AppLogger;
  /** Defaults to a new Registry; never prom-client's global one, so apps in one process do not collide. */
  readonly registry?: Registry;
  /** Defaults to the registry-backed store; the benchmark passes a fixed model. */
  readonly models?: ModelSource;
  /** Metrics, trace ids and access logs; off only for the overhead benchmark's baseline. Default true. */
  readonly instrumentation?: boolean | { readonly metrics: boolean; readonly logging: boolean };
  /** Other engineers' route plugins (rollback, alert intake, dashboard), registered after the built-in routes. */
  readonly plugins?: readonly ApiPlugin[];
}

/** Unmatched requests share one label value, so scanners probing random paths cannot explode the series count. */
export const UNMATCHED_ENDPOINT = 'unmatched';

/** Scrapes and probes arrive every few seconds; at info they would drown the access log. */
const QUIET_ENDPOINTS = new Set(['/metrics', '/healthz']);

// logging: trace ids (incoming traceparent / X-Request-Id, else a UUID) come from logging/fastify-plugin.ts.

function codeForStatus(status: number): ApiErrorCode {
  if (status === 401) return 'UNAUTHORIZED';
  if (status === 403) return 'FORBIDDEN';
  if (status === 404) return 'NOT_FOUND';
  if (status === 405) return 'METHOD_NOT_ALLOWED';
  if (status === 409) return 'CONFLICT';
  if (status === 413) return 'PAYLOAD_TOO_LARGE';
  if (status === 415) return 'UNSUPPORTED_MEDIA_TYPE';
  return status < 500 ? 'VALIDATION_FAILED' : 'INTERNAL';
}

/** Any thrown error as a coded ApiError; Fastify's own errors keep their meaning, anything unknown is INTERNAL. */
export function toApiError(error: unknown, request: FastifyRequest, bodyLimitBytes: number): ApiError {
  if (error instanceof ApiError) return error;
  const e = error as Partial<FastifyError> & { validation?: SchemaViolation[]; validationContext?: string };
  if (Array.isArray(e.validation)) return describeViolation(e.validationContext ?? 'body', e.validation);
  if (e.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
    const length = request.headers['content-length'];
    const size = length ? `${length} bytes` : 'larger than the limit';
    return new ApiError('PAYLOAD_TOO_LARGE', `request body is ${size}; the limit is ${bodyLimitBytes} bytes`);
  }
  if (e.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
    return new ApiError(
      'UNSUPPORTED_MEDIA_TYPE',
      `content type ${request.headers['content-type']} is not accepted; send application/json`,
    );
  }
  if (
    e.code === 'FST_ERR_CTP_EMPTY_JSON_BODY' ||
    e.code === 'FST_ERR_CTP_INVALID_JSON_BODY' ||
    error instanceof SyntaxError
  ) {
    return new ApiError('INVALID_JSON', `request body is not valid JSON: ${e.message ?? 'parse error'}`, 'body');
  }
  const status = typeof e.statusCode === 'number' ? e.statusCode : 500;
  if (status >= 400 && status < 500) return new ApiError(codeForStatus(status), e.message ?? 'bad request');
  return new ApiError('INTERNAL', 'internal error; error.trace_id finds it in the logs');
}

function installInstrumentation(app: FastifyInstance, metrics: ApiMetrics): void {
  app.addHook('onResponse', (request: FastifyRequest, reply: FastifyReply, done) => {
    const endpoint = request.routeOptions.url ?? UNMATCHED_ENDPOINT;
    const statusCode = reply.statusCode;
    const labels = { endpoint, method: request.method, status_code: String(statusCode) };
    const seconds = reply.elapsedTime / 1000;
    metrics.requestDuration.observe(labels, seconds);
    metrics.requests.inc(labels);
    if (statusCode >= 400) {
      const errorType = request.apiErrorCode ?? (statusCode >= 500 ? 'server_error' : 'client_error');
      metrics.errors.inc({ endpoint, error_type: errorType, status_code: String(statusCode) });
    }
    done();
  });
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const { db, config } = deps;
  const parts =
    typeof deps.instrumentation === 'object'
      ? deps.instrumentation
      : { metrics: deps.instrumentation ?? true, logging: deps.instrumentation ?? true };
  const log = deps.log ?? componentLogger('api');
  const cache = new PredictionCache(config.predictionCacheSize);
  const models =
    deps.models ??
    new RegistryModelStore(
      db,
      config.modelRefreshMs,
      (from, to) => {
        cache.clear();
        log.info({ from_version: from, to_version: to }, 'active model version changed');
      },
      (err) => log.warning({ err }, 'active model check failed; serving the loaded version'),
    );
  let servedVersion: string | null = null;
  const metrics = parts.metrics
    ? createApiMetrics(deps.registry ?? new Registry(), {
        db,
        log,
        qualityCacheMs: config.qualityCacheMs,
        ...(config.memoryLimitBytes === undefined ? {} : { memoryLimitBytes: config.memoryLimitBytes }),
        cacheHitRate: () => cache.hitRate(),
        activeModelVersion: () => servedVersion,
      })
    : undefined;
  const trackedModels: ModelSource = {
    current: async () => {
      const model = await models.current();
      servedVersion = model.version;
      return model;
    },
    reload: async () => {
      const model = await models.reload();
      servedVersion = model?.version ?? null;
      return model;
    },
  };

  const app = Fastify({ logger: false, bodyLimit: config.bodyLimitBytes });
  app.decorateRequest('traceId', '');
  app.decorateRequest('apiErrorCode', undefined);
  app.decorate('reloadActiveModel', () => trackedModels.reload());
  // --- logging (owned by logging/): trace id per request (traceparent / X-Request-Id / UUID) in the async context and
  // the X-Request-Id and traceparent response headers, one request line, one audit.log line per prediction served.
  if (parts.logging) {
    void app.register(loggingPlugin, {
      log,
      auditRoutes: ['/api/v1/predict'],
      quietRoutes: [...QUIET_ENDPOINTS],
      requestLineSampleRate: config.requestLogSampleRate,
      slowRequestMs: config.slowRequestMs,
    });
  }
  // --- end logging
  if (metrics) installInstrumentation(app, metrics);

  app.setErrorHandler((error, request, reply) => {
    const apiError = toApiError(error, request, config.bodyLimitBytes);
    request.apiErrorCode = apiError.code;
    if (API_ERRORS[apiError.code].type === 'server_error' && !(error instanceof ApiError)) {
      log.error({ err: error, method: request.method, url: request.url }, 'unhandled error in route');
    }
    return reply.status(apiError.status).send(withTraceId(apiError.toBody(), request.traceId)); // logging: error.trace_id
  });
  app.setNotFoundHandler((request, reply) => {
    const apiError = new ApiError('NOT_FOUND', `no route for ${request.method} ${request.url.split('?')[0]}`);
    request.apiErrorCode = apiError.code;
    return reply.status(apiError.status).send(withTraceId(apiError.toBody(), request.traceId)); // logging: error.trace_id
  });

  const context: ApiContext = {
    db,
    config,
    log,
    models: trackedModels,
    cache,
    metrics,
    reloadActiveModel: () => trackedModels.reload(),
  };
  for (const plugin of [predictRoutes, modelRoutes, healthRoutes, metricsRoutes, ...(deps.plugins ?? [])]) {
    void app.register(plugin, context);
  }
  return app;
}
