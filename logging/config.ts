/** Logging settings, read once per process from the environment, with defaults. */
import path from 'node:path';
import { ConfigError } from '../config/index.js';
import { DEFAULT_MAX_FILE_BYTES } from './rotating-file.js';

export interface LoggingConfig {
  /** DEBUG, INFO, WARNING, ERROR or CRITICAL (WARN and FATAL accepted as aliases). */
  readonly level: string;
  readonly stdout: boolean;
  /** Absent: no log files (LOG_FILES=false). */
  readonly dir?: string;
  readonly maxFileBytes: number;
  readonly retentionDays: number;
  readonly auditRetentionDays: number;
  readonly elasticsearch?: { readonly url: string; readonly apiKey?: string; readonly maxBufferedLines: number };
}

type Env = Readonly<Record<string, string | undefined>>;

function optional(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function positiveInt(env: Env, name: string, fallback: number): number {
  const raw = optional(env, name);
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value <= 0) throw new ConfigError(name, `must be a positive integer, got "${raw}"`);
  return value;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = optional(env, name)?.toLowerCase();
  if (raw === undefined) return fallback;
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  throw new ConfigError(name, `must be true or false, got "${raw}"`);
}

export function readLoggingConfig(env: Env = process.env): LoggingConfig {
  const files = flag(env, 'LOG_FILES', true);
  const esUrl = optional(env, 'ELASTICSEARCH_URL');
  if (esUrl && !/^https?:\/\//.test(esUrl))
    throw new ConfigError('ELASTICSEARCH_URL', 'must start with http:// or https://');
  const apiKey = optional(env, 'ELASTICSEARCH_API_KEY');
  return {
    level: optional(env, 'LOG_LEVEL') ?? 'INFO',
    stdout: flag(env, 'LOG_STDOUT', true),
    ...(files ? { dir: path.resolve(optional(env, 'LOG_DIR') ?? 'logs') } : {}),
    maxFileBytes: positiveInt(env, 'LOG_MAX_FILE_BYTES', DEFAULT_MAX_FILE_BYTES),
    retentionDays: positiveInt(env, 'LOG_RETENTION_DAYS', 30),
    auditRetentionDays: positiveInt(env, 'AUDIT_LOG_RETENTION_DAYS', 90),
    ...(esUrl
      ? {
          elasticsearch: {
            url: esUrl,
            ...(apiKey ? { apiKey } : {}),
            maxBufferedLines: positiveInt(env, 'LOG_SHIP_BUFFER_LINES', 10_000),
          },
        }
      : {}),
  };
}
