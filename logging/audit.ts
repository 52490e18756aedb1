/**
 * The prediction audit trail: `audit.log`, one JSON line per prediction served, kept 90 days. It is a record of
 * what the model told whom, not a diagnostic log, so it has its own fixed fields, no level, and no sampling.
 */
import { RotatingFileStream } from './rotating-file.js';
import { isoTimestamp } from './timestamp.js';
import { currentTraceId } from './trace-context.js';

/** What the API answered for one company-day; the fields the predict route's result already carries. */
export interface AuditedPrediction {
  readonly bse_code: number;
  readonly prediction_date: string;
  readonly predicted_label: 0 | 1;
  readonly probability: number;
  readonly model_version: string;
}

export interface AuditMeta {
  /** The authenticated caller, when the API knows one. */
  readonly userId?: string | undefined;
  /** Defaults to the trace id of the request in progress. */
  readonly traceId?: string | undefined;
}

export interface AuditLogger {
  /** Queues one line per prediction; returns how many lines were queued. Never waits on disk. */
  recordPredictions(predictions: readonly AuditedPrediction[], meta?: AuditMeta): number;
  /** Resolves when every queued line is on disk. */
  flush(): Promise<void>;
  close(): Promise<void>;
  readonly path: string;
}

export interface AuditLoggerOptions {
  readonly dir: string;
  readonly now?: () => number;
  readonly maxBytes?: number;
  /** Default 90 days. */
  readonly retentionDays?: number;
}

/** The parts of a line that every prediction of one request shares: when, for whom, under which trace. */
function sharedParts(
  timestamp: string,
  userId: string | null,
  traceId: string | null,
): { readonly head: string; readonly tail: string } {
  const j = JSON.stringify;
  return { head: `{"timestamp":${j(timestamp)},`, tail: `,"user_id":${j(userId)},"trace_id":${j(traceId)}}\n` };
}

/**
 * The prediction's own fields, concatenated (each value still JSON-encoded): a line is written per prediction
 * served, and building an object to stringify cost twice as much. The keys keep the order the object had.
 */
function predictionFields(prediction: AuditedPrediction): string {
  const j = JSON.stringify;
  return (
    `"bse_code":${j(prediction.bse_code)},"prediction_date":${j(prediction.prediction_date)},` +
    `"predicted_label":${j(prediction.predicted_label)},"probability":${j(prediction.probability)},` +
    `"model_version":${j(prediction.model_version)}`
  );
}

export function createAuditLogger(options: AuditLoggerOptions): AuditLogger {
  const now = options.now ?? Date.now;
  const stream = new RotatingFileStream({
    dir: options.dir,
    base: 'audit',
    now,
    retentionDays: options.retentionDays ?? 90,
    ...(options.maxBytes ? { maxBytes: options.maxBytes } : {}),
  });
  stream.on('error', (err) => process.stderr.write(`audit log ${stream.activePath} failed: ${String(err)}\n`));
  return {
    path: stream.activePath,
    recordPredictions(predictions, meta = {}) {
      if (predictions.length === 0) return 0;
      const { head, tail } = sharedParts(
        isoTimestamp(now()),
        meta.userId ?? null,
        meta.traceId ?? currentTraceId() ?? null,
      );
      // One write per line: a batch larger than the size limit then rotates between lines, never inside one.
      for (const prediction of predictions) stream.writeLine(head + predictionFields(prediction) + tail);
      return predictions.length;
    },
    flush: () => stream.idle(),
    close: () => stream.close(),
  };
}
