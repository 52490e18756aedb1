/**
 * The one logger root for the API, the worker and the scripts. Every line is JSON:
 * timestamp, level, logger, message, context, trace_id (and err for failures).
 *
 * Lines go to stdout always and, once `configureLogging` has run, to `app.log` (everything), `errors.log` (ERROR
 * and CRITICAL) and optionally Elasticsearch. Every destination is asynchronous: a log call formats the line and
 * queues it; disk and network work happen later, so a request never waits on them.
 */
import path from 'node:path';
import pino, { type DestinationStream, type Logger, type LoggerOptions } from 'pino';
import { createAuditLogger, type AuditLogger } from './audit.js';
import { ElasticsearchShipper } from './elasticsearch.js';
import { HeldBatch } from './held-batch.js';
import { scrubText, scrubValue, serializeError } from './redact.js';
import { RotatingFileStream } from './rotating-file.js';
import { isoTimestamp } from './timestamp.js';
import { currentTraceId } from './trace-context.js';

export const LOG_LEVELS = { debug: 20, info: 30, warning: 40, error: 50, critical: 60 } as const;
export type LogLevelName = keyof typeof LOG_LEVELS;
export type AppLogger = Logger<LogLevelName>;

const LEVEL_BY_LABEL: Readonly<Record<string, number>> = {
  DEBUG: LOG_LEVELS.debug,
  INFO: LOG_LEVELS.info,
  WARNING: LOG_LEVELS.warning,
  ERROR: LOG_LEVELS.error,
  CRITICAL: LOG_LEVELS.critical,
};

/** Keys that stay at the top of the line; everything else a call passes goes under `context`. */
const TOP_LEVEL_KEYS = new Set(['trace_id', 'err', 'logger']);

/** Child bindings other than `logger`, kept on the child and merged into each line's `context`. */
const BOUND = Symbol('vcp.boundContext');
const { chindingsSym } = pino.symbols;

type BoundLogger = AppLogger & { [BOUND]?: Readonly<Record<string, unknown>> };

export class LogLevelError extends Error {
  override readonly name = 'LogLevelError';
}

export function parseLevel(value: string | undefined): LogLevelName {
  const level = (value ?? 'info').trim().toLowerCase();
  const aliased = level === 'warn' ? 'warning' : level === 'fatal' ? 'critical' : level;
  if (aliased in LOG_LEVELS) return aliased as LogLevelName;
  throw new LogLevelError(`LOG_LEVEL: unknown level "${value}"; use one of DEBUG, INFO, WARNING, ERROR, CRITICAL`);
}

/** Tests move this clock to put lines on a chosen day; production never touches it. */
let clock: () => number = Date.now;

export function loggerOptions(level: string | undefined): LoggerOptions<LogLevelName> {
  return {
    level: parseLevel(level),
    customLevels: LOG_LEVELS,
    useOnlyCustomLevels: true,
    messageKey: 'message',
    errorKey: 'err',
    base: undefined,
    timestamp: () => `,"timestamp":"${isoTimestamp(clock())}"`,
    formatters: {
      level: (label) => ({ level: label.toUpperCase() }),
      log: (fields) => {
        const context: Record<string, unknown> = {};
        const top: Record<string, unknown> = {};
        for (const [key, value] of Object.entries(fields)) {
          if (TOP_LEVEL_KEYS.has(key)) top[key] = value;
          else context[key] = value;
        }
        return { ...top, context: scrubValue(context) };
      },
    },
    serializers: {
      err: (value: unknown) => (value instanceof Error ? serializeError(value) : scrubValue(value)),
    },
    hooks: {
      logMethod(args, method) {
        for (let i = 0; i < args.length; i++) {
          const arg: unknown = args[i];
          if (typeof arg === 'string') (args as unknown[])[i] = scrubText(arg);
        }
        method.apply(this, args);
      },
    },
    // pino would otherwise write child bindings at the top of the line, outside `context`, and repeat `logger`
    // when a component logger makes its own child; the bindings are kept on the child and merged per line.
    onChild: (child) => {
      const bound = child as BoundLogger;
      const parent = Object.getPrototypeOf(child) as BoundLogger;
      bound[BOUND] = { ...parent[BOUND], ...child.bindings() };
      (child as unknown as Record<symbol, string>)[chindingsSym] = '';
    },
    mixin: (_fields, _level, instance) => {
      const bound = (instance as BoundLogger)[BOUND];
      // Always present, null outside any trace, so a query for lines without a trace id is a plain equality.
      if (bound === undefined) return { trace_id: currentTraceId() ?? null };
      if (bound.trace_id !== undefined) return bound;
      const fields: Record<string, unknown> = Object.assign({}, bound);
      fields.trace_id = currentTraceId() ?? null;
      return fields;
    },
    // No pino `redact` paths: scrubValue above already redacts secret keys at any depth, and pino's path
    // redaction on top of it doubled the cost of every line (measured: 27 us against 12 us per line).
  };
}

/** Values a hot line may carry: flat, chosen by the code (route patterns, methods, status codes, durations). */
export type HotLineFields = Readonly<Record<string, string | number | boolean | null>>;

/**
 * A writer for one line written on every request: the same JSON a call on `log` writes (level, timestamp, logger,
 * trace_id, context with the logger's bound fields first, message), built by string concatenation. pino's general
 * path regroups and scrubs every field of every call, which cost about 12 us per line against about 2 us here, and
 * the API writes this line for each request. The fields are not scrubbed, so they must be values the code chose,
 * never a request body, header or error; the bound fields and the message are scrubbed once, here.
 */
export function hotLineWriter(
  log: AppLogger,
  message: string,
): (level: LogLevelName, fields: HotLineFields, traceId: string | null) => void {
  const stream = (log as unknown as Record<symbol, DestinationStream>)[pino.symbols.streamSym]!;
  const { logger: name, trace_id: boundTrace, ...bound } = (log as BoundLogger)[BOUND] ?? {};
  const boundJson = JSON.stringify(scrubValue(bound)).slice(1, -1);
  const afterTimestamp = name === undefined ? '"' : `","logger":${JSON.stringify(name)}`;
  const tail = `},"message":${JSON.stringify(scrubText(message))}}\n`;
  const openings = Object.fromEntries(
    Object.keys(LOG_LEVELS).map((level) => [level, `{"level":"${level.toUpperCase()}","timestamp":"`]),
  ) as Record<LogLevelName, string>;
  return (level, fields, traceId) => {
    if (!log.isLevelEnabled(level)) return;
    const id = boundTrace === undefined ? traceId : boundTrace;
    let context = boundJson;
    for (const key in fields) {
      context += `${context === '' ? '' : ','}${JSON.stringify(key)}:${JSON.stringify(fields[key])}`;
    }
    stream.write(
      `${openings[level]}${isoTimestamp(clock())}${afterTimestamp},"trace_id":${
        id === null ? 'null' : JSON.stringify(id)
      },"context":{${context}${tail}`,
    );
  };
}

// --- destinations -------------------------------------------------------------------------------------------------

/** A parsed CRITICAL line, as handed to `onCritical` listeners (already redacted). */
export interface CriticalLogEvent {
  readonly timestamp: string;
  readonly level: 'CRITICAL';
  readonly logger?: string;
  readonly message?: string;
  readonly context: Readonly<Record<string, unknown>>;
  readonly trace_id?: string;
  readonly err?: { readonly type?: string; readonly message?: string; readonly stack?: string };
}

export type CriticalListener = (event: CriticalLogEvent) => void | Promise<void>;

interface LineTarget {
  write(line: string): unknown;
}

interface RoutedTarget {
  readonly minLevel: number;
  readonly target: LineTarget;
}

/** The level of a formatted line: the level formatter's output is always the line's first key. */
function lineLevel(line: string): number {
  const end = line.indexOf('"', 10);
  return LEVEL_BY_LABEL[line.slice(10, end)] ?? 0;
}

class LineRouter implements DestinationStream {
  targets: RoutedTarget[] = [];
  readonly listeners = new Set<CriticalListener>();
  readonly notifying = new Set<Promise<void>>();

  write(line: string): void {
    const level = lineLevel(line);
    for (const { minLevel, target } of this.targets) if (level >= minLevel) target.write(line);
    if (level >= LOG_LEVELS.critical && this.listeners.size > 0) this.#notify(line);
  }

  #notify(line: string): void {
    let event: CriticalLogEvent;
    try {
      event = JSON.parse(line) as CriticalLogEvent;
    } catch {
      return;
    }
    // Listeners run after the log call returns: an alert insert must not run inside the code that logged.
    const run = new Promise<void>((resolve) => setImmediate(resolve)).then(async () => {
      await Promise.all(
        [...this.listeners].map((listener) =>
          Promise.resolve()
            .then(() => listener(event))
            .catch((err: unknown) => process.stderr.write(`onCritical listener failed: ${String(err)}\n`)),
        ),
      );
    });
    this.notifying.add(run);
    void run.finally(() => this.notifying.delete(run));
  }

  /** Resolves when every CRITICAL line so far has been handed to the listeners. */
  async notified(): Promise<void> {
    while (this.notifying.size > 0) await Promise.all([...this.notifying]);
  }
}

interface StdoutTarget extends LineTarget {
  /** Resolves when every line so far has been handed to the operating system. */
  flush(): Promise<void>;
}

function stdoutTarget(): StdoutTarget {
  const destination = pino.destination({ dest: 1, sync: false, minLength: 0 });
  const held = new HeldBatch<string>({
    bytesOf: (line) => line.length,
    release: (lines) => destination.write(lines.join('')),
  });
  // An async stdout loses its queue if the process exits first; flushing synchronously at exit keeps the last lines.
  process.once('exit', () => {
    try {
      held.release();
      destination.flushSync();
    } catch {
      // Nothing can be reported at exit: stdout is the channel that failed.
    }
  });
  return {
    write: (line) => held.add(line),
    flush: () =>
      new Promise((resolve) => {
        try {
          held.release();
          destination.flush(() => resolve());
        } catch {
          resolve();
        }
      }),
  };
}

const router = new LineRouter();
let defaultStdout: StdoutTarget | undefined;

let root: AppLogger | undefined;

/** The process root; with a destination, a separate logger with the same format (for tests and tools). */
export function rootLogger(destination?: DestinationStream): AppLogger {
  if (destination) return pino<LogLevelName>(loggerOptions(process.env.LOG_LEVEL), destination);
  if (!root) {
    defaultStdout = stdoutTarget();
    router.targets = [{ minLevel: 0, target: defaultStdout }];
    root = pino<LogLevelName>(loggerOptions(process.env.LOG_LEVEL), router);
  }
  return root;
}

/** A child logger per component; `logger` is the component name in every line, the bindings go under `context`. */
export function componentLogger(component: string, bindings: Record<string, unknown> = {}): AppLogger {
  return rootLogger().child({ ...bindings, logger: component });
}

/** Subscribes to CRITICAL lines (the on-call alert path); returns the unsubscribe function. */
export function onCritical(listener: CriticalListener): () => void {
  router.listeners.add(listener);
  return () => router.listeners.delete(listener);
}

// --- configuration ------------------------------------------------------------------------------------------------

export interface LoggingSetup {
  /** Minimum level; defaults to LOG_LEVEL, then INFO. */
  readonly level?: string;
  /** Default true. */
  readonly stdout?: boolean;
  /** Directory of app.log, errors.log and audit.log; absent means no files. */
  readonly dir?: string;
  readonly maxFileBytes?: number;
  readonly retentionDays?: number;
  readonly auditRetentionDays?: number;
  readonly elasticsearch?: { readonly url: string; readonly apiKey?: string; readonly maxBufferedLines?: number };
  /** Extra line targets receiving every line (tests capture with these). */
  readonly streams?: readonly LineTarget[];
  /** Clock for timestamps and rotation; tests pass a controlled one. */
  readonly now?: () => number;
}

export interface LoggingHandle {
  readonly appLog?: RotatingFileStream;
  readonly errorsLog?: RotatingFileStream;
  readonly audit?: AuditLogger;
  readonly shipper?: ElasticsearchShipper;
  /** Resolves when every line so far is written (files, stdout) and shipped (one bulk attempt). */
  flush(): Promise<void>;
  close(): Promise<void>;
}

let active: LoggingHandle | undefined;

/**
 * Points the root (and every component logger, old or new) at the configured destinations, closing the previous
 * ones. Call once at process start (`initLogging`); tests call it per case with a temporary directory.
 */
export async function configureLogging(setup: LoggingSetup = {}): Promise<LoggingHandle> {
  const logger = rootLogger();
  await active?.close();
  const now = setup.now ?? Date.now;
  clock = now;
  logger.level = parseLevel(setup.level ?? process.env.LOG_LEVEL);

  const targets: RoutedTarget[] = [];
  const useStdout = setup.stdout ?? true;
  if (useStdout) {
    defaultStdout ??= stdoutTarget();
    targets.push({ minLevel: 0, target: defaultStdout });
  }
  const stdout = useStdout ? defaultStdout : undefined;
  const fileOptions = { dir: setup.dir ?? '', now, ...(setup.maxFileBytes ? { maxBytes: setup.maxFileBytes } : {}) };
  const appLog = setup.dir
    ? new RotatingFileStream({ ...fileOptions, base: 'app', retentionDays: setup.retentionDays ?? 30 })
    : undefined;
  const errorsLog = setup.dir
    ? new RotatingFileStream({ ...fileOptions, base: 'errors', retentionDays: setup.retentionDays ?? 30 })
    : undefined;
  for (const file of [appLog, errorsLog]) {
    file?.on('error', (err) => process.stderr.write(`log file ${file.activePath} failed: ${String(err)}\n`));
  }
  if (appLog) targets.push({ minLevel: 0, target: { write: (line: string) => appLog.writeLine(line) } });
  if (errorsLog)
    targets.push({ minLevel: LOG_LEVELS.error, target: { write: (line: string) => errorsLog.writeLine(line) } });
  const audit = setup.dir
    ? createAuditLogger({
        dir: setup.dir,
        now,
        retentionDays: setup.auditRetentionDays ?? 90,
        ...(setup.maxFileBytes ? { maxBytes: setup.maxFileBytes } : {}),
      })
    : undefined;
  const shipper = setup.elasticsearch
    ? new ElasticsearchShipper({
        url: setup.elasticsearch.url,
        ...(setup.elasticsearch.apiKey ? { apiKey: setup.elasticsearch.apiKey } : {}),
        ...(setup.elasticsearch.maxBufferedLines ? { maxBufferedLines: setup.elasticsearch.maxBufferedLines } : {}),
      })
    : undefined;
  if (shipper) targets.push({ minLevel: 0, target: shipper });
  for (const target of setup.streams ?? []) targets.push({ minLevel: 0, target });
  router.targets = targets;

  const handle: LoggingHandle = {
    ...(appLog ? { appLog } : {}),
    ...(errorsLog ? { errorsLog } : {}),
    ...(audit ? { audit } : {}),
    ...(shipper ? { shipper } : {}),
    async flush() {
      await Promise.all([appLog?.idle(), errorsLog?.idle(), audit?.flush(), shipper?.flush(), stdout?.flush()]);
    },
    async close() {
      if (active === handle) {
        active = undefined;
        router.targets = stdout ? [{ minLevel: 0, target: stdout }] : [];
      }
      await Promise.all([appLog?.close(), errorsLog?.close(), audit?.close(), shipper?.close(), stdout?.flush()]);
    },
  };
  active = handle;
  return handle;
}

/** The audit logger of the current configuration, or undefined before `configureLogging` set a directory. */
export function activeAuditLogger(): AuditLogger | undefined {
  return active?.audit;
}

/** Process start: logging as the environment says (LOG_LEVEL, LOG_DIR, LOG_FILES, ELASTICSEARCH_URL, ...). */
export async function initLogging(
  env: Readonly<Record<string, string | undefined>> = process.env,
): Promise<LoggingHandle> {
  const { readLoggingConfig } = await import('./config.js');
  const config = readLoggingConfig(env);
  return configureLogging({
    level: config.level,
    stdout: config.stdout,
    ...(config.dir ? { dir: path.resolve(config.dir) } : {}),
    maxFileBytes: config.maxFileBytes,
    retentionDays: config.retentionDays,
    auditRetentionDays: config.auditRetentionDays,
    ...(config.elasticsearch ? { elasticsearch: config.elasticsearch } : {}),
  });
}

/** Waits for queued lines to reach their destinations, e.g. before a test reads the files. */
export async function flushLogs(): Promise<void> {
  await router.notified();
  if (active) await active.flush();
  else await defaultStdout?.flush();
}

/** Entry points call this in `finally`: files closed, archives finished, the last lines shipped. */
export async function closeLogging(): Promise<void> {
  await active?.close();
}
