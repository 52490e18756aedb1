/**
 * The one logger root for the API, the worker and the scripts. Every line is JSON:
 * timestamp, level, logger, message, context, trace_id (and err for failures).
 */
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { currentTraceId } from './trace-context.js';

export const LOG_LEVELS = { debug: 20, info: 30, warning: 40, error: 50, critical: 60 } as const;
export type LogLevelName = keyof typeof LOG_LEVELS;
export type AppLogger = Logger<LogLevelName>;

/** Keys that stay at the top of the line; everything else a call passes goes under `context`. */
const TOP_LEVEL_KEYS = new Set(['trace_id', 'err']);

function parseLevel(value: string | undefined): LogLevelName {
  const level = (value ?? 'info').toLowerCase();
  const aliased = level === 'warn' ? 'warning' : level === 'fatal' ? 'critical' : level;
  if (aliased in LOG_LEVELS) return aliased as LogLevelName;
  throw new Error(`LOG_LEVEL: unknown level "${value}"; use one of DEBUG, INFO, WARNING, ERROR, CRITICAL`);
}

export function loggerOptions(level: string | undefined): LoggerOptions<LogLevelName> {
  return {
    level: parseLevel(level),
    customLevels: LOG_LEVELS,
    useOnlyCustomLevels: true,
    messageKey: 'message',
    errorKey: 'err',
    base: undefined,
    timestamp: () => `,"timestamp":"${new Date().toISOString()}"`,
    formatters: {
      level: (label) => ({ level: label.toUpperCase() }),
      log: (fields) => {
        const context: Record<string, unknown> = {};
        const top: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(fields)) {
          if (TOP_LEVEL_KEYS.has(key)) top[key] = value;
          else context[key] = value;
        }
        return { ...top, context };
      },
    },
    mixin: () => {
      const traceId = currentTraceId();
      return traceId ? { trace_id: traceId } : {};
    },
    redact: {
      paths: ['*.password', '*.token', '*.apiKey', '*.webhookUrl', '*.routingKey', '*.authorization'],
      censor: '[redacted]',
    },
  };
}

let root: AppLogger | undefined;

export function rootLogger(destination?: DestinationStream): AppLogger {
  if (destination) return pino<LogLevelName>(loggerOptions(process.env.LOG_LEVEL), destination);
  root ??= pino<LogLevelName>(loggerOptions(process.env.LOG_LEVEL));
  return root;
}

/** A child logger per component; `logger` is the component name in every line. */
export function componentLogger(component: string, bindings: Record<string, unknown> = {}): AppLogger {
  return rootLogger().child({ logger: component, ...bindings });
}
