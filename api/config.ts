/**
 * The prediction API's own settings, parsed and validated once per process with defaults. The shared settings
 * (database, data directory) come from config/index.ts.
 */
import { ConfigError } from '../config/index.js';
import { DEFAULT_SLOW_REQUEST_MS } from '../logging/request-sampling.js';

export interface ApiConfig {
  readonly host: string;
  readonly port: number;
  /** Largest request body accepted, in bytes; larger bodies get 413 PAYLOAD_TOO_LARGE. */
  readonly bodyLimitBytes: number;
  /** Most companies in one `{ predictions: [...] }` batch; more get 413 BATCH_TOO_LARGE. */
  readonly maxBatchSize: number;
  /**
   * Write served predictions to the `predictions` table. Off by default: the daily batch job is what writes
   * predictions of record, and a second writer would race it on the (version, scrip, day) key.
   */
  readonly persistPredictions: boolean;
  /** How often, at most, the registry is asked whether the active model version changed. */
  readonly modelRefreshMs: number;
  /** How long the model-quality gauges reuse one read of Postgres. */
  readonly qualityCacheMs: number;
  /** Entries in the company-day prediction cache. */
  readonly predictionCacheSize: number;
  /** Memory the process may use; the memory alert compares RSS against it. Absent: cgroup limit, then host RAM. */
  readonly memoryLimitBytes?: number;
  /**
   * Fraction (0 to 1) of successful, fast requests whose request line is written; errors and slow requests always
   * are. 1 by default: every request. Below 1 the written lines carry `sample_rate`, so counts can be re-weighted.
   */
  readonly requestLogSampleRate: number;
  /** A request at least this slow always gets its request line, whatever the sample rate (the p95 alert's 150 ms). */
  readonly slowRequestMs: number;
}

export const DEFAULT_API_CONFIG: ApiConfig = {
  host: '127.0.0.1',
  port: 8080,
  bodyLimitBytes: 1_048_576,
  maxBatchSize: 500,
  persistPredictions: false,
  modelRefreshMs: 5_000,
  qualityCacheMs: 15_000,
  predictionCacheSize: 10_000,
  requestLogSampleRate: 1,
  slowRequestMs: DEFAULT_SLOW_REQUEST_MS,
};

type Env = Readonly<Record<string, string | undefined>>;

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `must be an integer from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function fraction(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < 0 || value > 1) {
    throw new ConfigError(name, `must be a number from 0 to 1, got "${raw}"`);
  }
  return value;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.trim().toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

export function readApiConfig(env: Env = process.env): ApiConfig {
  const d = DEFAULT_API_CONFIG;
  const memoryLimit = integer(env, 'API_MEMORY_LIMIT_BYTES', 0, 0, Number.MAX_SAFE_INTEGER);
  return {
    host: env.API_HOST?.trim() || d.host,
    port: integer(env, 'API_PORT', d.port, 0, 65_535),
    bodyLimitBytes: integer(env, 'API_BODY_LIMIT_BYTES', d.bodyLimitBytes, 1_024, 104_857_600),
    maxBatchSize: integer(env, 'API_MAX_BATCH_SIZE', d.maxBatchSize, 1, 100_000),
    persistPredictions: flag(env, 'API_PERSIST_PREDICTIONS', d.persistPredictions),
    modelRefreshMs: integer(env, 'API_MODEL_REFRESH_MS', d.modelRefreshMs, 0, 3_600_000),
    qualityCacheMs: integer(env, 'API_QUALITY_CACHE_MS', d.qualityCacheMs, 0, 3_600_000),
    predictionCacheSize: integer(env, 'API_PREDICTION_CACHE_SIZE', d.predictionCacheSize, 0, 10_000_000),
    ...(memoryLimit > 0 ? { memoryLimitBytes: memoryLimit } : {}),
    requestLogSampleRate: fraction(env, 'API_REQUEST_LOG_SAMPLE_RATE', d.requestLogSampleRate),
    slowRequestMs: integer(env, 'API_SLOW_REQUEST_MS', d.slowRequestMs, 0, 3_600_000),
  };
}
