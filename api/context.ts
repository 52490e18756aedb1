/**
 * What a route plugin gets from buildApp: the database, settings, a logger, the active-model source and the
 * metrics. Other engineers' plugins (rollback, alert intake, dashboard) receive the same object as their options.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Database } from '../db/client.js';
import type { AppLogger } from '../logging/logger.js';
import type { ApiConfig } from './config.js';
import type { ApiMetrics } from './metrics.js';
import type { ActiveModel, ModelSource } from './model-store.js';
import type { PredictionCache } from './prediction-cache.js';

export interface ApiContext {
  readonly db: Database;
  readonly config: ApiConfig;
  readonly log: AppLogger;
  readonly models: ModelSource;
  readonly cache: PredictionCache;
  /** Undefined when the app was built with `instrumentation: false` (the overhead benchmark's baseline). */
  readonly metrics: ApiMetrics | undefined;
  /** Reads the registry now; a rollback route calls it right after switching the active version. */
  reloadActiveModel(): Promise<ActiveModel | null>;
}

/** A route plugin: register it through `buildApp({ plugins: [...] })`. */
export type ApiPlugin = FastifyPluginAsync<ApiContext>;
