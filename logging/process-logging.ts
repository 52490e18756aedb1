/**
 * Logging for a long-running process (the API, the worker): files under LOG_DIR with rotation,
 * optional Elasticsearch shipping, and every CRITICAL line raised as an on-call alert once the
 * database is open. Entry points call this first and close it last.
 */
import { createChannels } from '../alerts/channels/index.js';
import { readAlertChannelConfig, readEscalationPolicy } from '../alerts/config.js';
import type { Database } from '../db/client.js';
import { createCriticalAlertSink } from './critical-alerts.js';
import { closeLogging, initLogging, onCritical } from './logger.js';

export interface ProcessLogging {
  /** Starts raising CRITICAL lines as alerts through the given database. */
  alertOnCritical(db: Database): void;
  close(): Promise<void>;
}

export async function startProcessLogging(env: NodeJS.ProcessEnv = process.env): Promise<ProcessLogging> {
  await initLogging(env);
  let unsubscribe: (() => void) | undefined;
  return {
    alertOnCritical(db) {
      const sink = createCriticalAlertSink({
        db,
        channels: createChannels(readAlertChannelConfig(env)),
        policy: readEscalationPolicy(env),
      });
      unsubscribe = onCritical(sink.listener);
    },
    async close() {
      unsubscribe?.();
      await closeLogging();
    },
  };
}
