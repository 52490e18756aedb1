/**
 * Process configuration, parsed and validated once from the environment. Workflows never read
 * this: the settings they need arrive as workflow arguments so that a replay sees the same values.
 */
import path from 'node:path';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
  }
}

export interface TemporalTlsConfig {
  readonly certPath?: string;
  readonly keyPath?: string;
  readonly caPath?: string;
  readonly serverName?: string;
}

export interface TemporalConfig {
  readonly address: string;
  readonly namespace: string;
  readonly taskQueue: string;
  /** Absent for the dev server; present for a production cluster (mTLS) or Temporal Cloud. */
  readonly tls?: TemporalTlsConfig;
  /** Temporal Cloud API key, sent as a bearer token; implies TLS. */
  readonly apiKey?: string;
}

export interface AppConfig {
  /** postgres://… for a server; absent means the embedded PGlite database under dataDir. */
  readonly databaseUrl?: string;
  readonly dataDir: string;
  readonly reportsDir: string;
  readonly bhavcopySource: string;
  readonly temporal: TemporalConfig;
  readonly reportBaseUrl: string;
}

type Env = Readonly<Record<string, string | undefined>>;

function optional(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value === undefined || value === '' ? undefined : value;
}

function readTls(env: Env, apiKey: string | undefined): TemporalTlsConfig | undefined {
  const certPath = optional(env, 'TEMPORAL_TLS_CERT');
  const keyPath = optional(env, 'TEMPORAL_TLS_KEY');
  const caPath = optional(env, 'TEMPORAL_TLS_CA');
  const serverName = optional(env, 'TEMPORAL_TLS_SERVER_NAME');
  const enabled = optional(env, 'TEMPORAL_TLS') === 'true';
  if ((certPath === undefined) !== (keyPath === undefined)) {
    throw new ConfigError(certPath ? 'TEMPORAL_TLS_KEY' : 'TEMPORAL_TLS_CERT', 'mTLS needs both a client cert and key');
  }
  if (!enabled && !certPath && !caPath && !serverName && !apiKey) return undefined;
  return {
    ...(certPath ? { certPath } : {}),
    ...(keyPath ? { keyPath } : {}),
    ...(caPath ? { caPath } : {}),
    ...(serverName ? { serverName } : {}),
  };
}

export function readTemporalConfig(env: Env = process.env): TemporalConfig {
  const apiKey = optional(env, 'TEMPORAL_API_KEY');
  const tls = readTls(env, apiKey);
  return {
    address: optional(env, 'TEMPORAL_ADDRESS') ?? '127.0.0.1:7233',
    namespace: optional(env, 'TEMPORAL_NAMESPACE') ?? 'default',
    taskQueue: optional(env, 'TEMPORAL_TASK_QUEUE') ?? 'vcp-monitor',
    ...(tls ? { tls } : {}),
    ...(apiKey ? { apiKey } : {}),
  };
}

export function readConfig(env: Env = process.env): AppConfig {
  const dataDir = path.resolve(optional(env, 'DATA_DIR') ?? 'data');
  const databaseUrl = optional(env, 'DATABASE_URL');
  if (databaseUrl && !/^postgres(ql)?:\/\//.test(databaseUrl)) {
    throw new ConfigError('DATABASE_URL', 'must start with postgres:// or postgresql://');
  }
  const reportsDir = path.resolve(optional(env, 'REPORTS_DIR') ?? path.join(dataDir, 'reports'));
  return {
    ...(databaseUrl ? { databaseUrl } : {}),
    dataDir,
    reportsDir,
    bhavcopySource: optional(env, 'BHAVCOPY_SOURCE') ?? path.join(dataDir, 'synthetic', 'bhavcopy'),
    temporal: readTemporalConfig(env),
    reportBaseUrl: optional(env, 'REPORT_BASE_URL') ?? 'http://127.0.0.1:8080/reports',
  };
}
