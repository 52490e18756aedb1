/**
 * Routes the Temporal SDK's own logs, and the workflow and activity `log` calls (which carry the
 * workflow id, run id and activity attempt), into the project's JSON logger.
 */
import { DefaultLogger, Runtime, type LogEntry, type LogLevel } from '@temporalio/worker';
import { componentLogger, type AppLogger } from '../logging/logger.js';

const LEVELS: Record<LogLevel, 'debug' | 'info' | 'warning' | 'error'> = {
  TRACE: 'debug',
  DEBUG: 'debug',
  INFO: 'info',
  WARN: 'warning',
  ERROR: 'error',
};

function pick(meta: Record<string, unknown> | undefined, key: string): string | undefined {
  const value = meta?.[key];
  return typeof value === 'string' ? value : undefined;
}

function forward(root: AppLogger, entry: LogEntry): void {
  const meta = entry.meta ?? {};
  const component = pick(meta, 'activityType') ? 'activity' : pick(meta, 'workflowType') ? 'workflow' : 'temporal';
  // The daily run's trace id is its workflow id: every stage of one day shares it, across retries and workers.
  const traceId = pick(meta, 'workflowId');
  const line = { ...meta, ...(traceId ? { trace_id: traceId } : {}) };
  root.child({ logger: component })[LEVELS[entry.level]](line, entry.message);
}

let installed = false;

/**
 * Installs the SDK runtime once per process, before any connection. With `metricsAddress` the worker
 * also serves the SDK's own Prometheus metrics there (task-queue polls, activity and workflow task
 * latencies, failures), which prometheus/prometheus.yml scrapes as job vcp-worker.
 */
export function installTemporalLogging(options: { metricsAddress?: string } = {}): void {
  if (installed) return;
  installed = true;
  const root = componentLogger('temporal');
  const level = (process.env.TEMPORAL_LOG_LEVEL ?? 'INFO').toUpperCase() as LogLevel;
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => forward(root, entry)),
    ...(options.metricsAddress
      ? {
          telemetryOptions: {
            metrics: {
              prometheus: {
                bindAddress: options.metricsAddress,
                countersTotalSuffix: true,
                useSecondsForDurations: true,
              },
            },
          },
        }
      : {}),
  });
}
