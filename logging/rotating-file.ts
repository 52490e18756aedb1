/**
 * A file stream that rotates at midnight Asia/Kolkata and at a size limit, whichever comes first. The closed file
 * is renamed to `<base>-YYYY-MM-DD.N.log` (the IST day it covers, N counting rotations within that day), then
 * gzip-compressed and pruned by age in the background, so a request that logs never waits for either.
 *
 * The clock is injectable so that tests can cross 18:30 UTC and the size limit without waiting or writing 100 MB.
 */
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { HeldBatch } from './held-batch.js';

/** Asia/Kolkata has kept UTC+05:30 without daylight saving since 1945, so a fixed offset is exact. */
const IST_OFFSET_MS = 330 * 60_000;
const DAY_MS = 86_400_000;

export const DEFAULT_MAX_FILE_BYTES = 100 * 1024 * 1024;

/** The IST calendar day (YYYY-MM-DD) an instant falls on. */
export function istDay(epochMs: number): string {
  return new Date(epochMs + IST_OFFSET_MS).toISOString().slice(0, 10);
}

/** The first instant of the IST day after the one `epochMs` falls on, i.e. the next 18:30 UTC. */
export function nextIstMidnight(epochMs: number): number {
  const shifted = epochMs + IST_OFFSET_MS;
  return Math.floor(shifted / DAY_MS) * DAY_MS + DAY_MS - IST_OFFSET_MS;
}

function dayMinus(day: string, days: number): string {
  return new Date(Date.parse(`${day}T00:00:00Z`) - days * DAY_MS).toISOString().slice(0, 10);
}

export interface RotatingFileOptions {
  readonly dir: string;
  /** File stem: `app` writes `app.log` and rotates to `app-YYYY-MM-DD.N.log.gz`. */
  readonly base: string;
  /** Rotate before a write would take the file past this size. Default 100 MB. */
  readonly maxBytes?: number;
  /** Rotated files whose IST day is more than this many days before today are deleted. Default 30. */
  readonly retentionDays?: number;
  /** Milliseconds since the epoch; defaults to Date.now. */
  readonly now?: () => number;
  /**
   * How long `writeLine` holds lines to write them together (default 20 ms). An asynchronous file write costs ~20 µs
   * of CPU whatever its size, so one write per line cost more than formatting the line; a crash loses at most this
   * much of the file (stdout still has it).
   */
  readonly batchMs?: number;
  /** Called with background failures (gzip, prune), which must not crash the process or be lost silently. */
  readonly onBackgroundError?: (err: unknown) => void;
}

/** A line with the instant it was logged, so a line held in a batch across midnight still goes to its own day. */
interface StampedLine {
  readonly line: string;
  readonly at: number;
}

/** A batch of held lines is one chunk; `idle()` writes an empty string to learn when earlier chunks are done. */
type Chunk = string | Buffer | readonly StampedLine[];

export class RotatingFileStream extends Writable {
  readonly dir: string;
  readonly base: string;
  readonly activePath: string;
  readonly #maxBytes: number;
  readonly #retentionDays: number;
  readonly #now: () => number;
  readonly #onBackgroundError: (err: unknown) => void;
  readonly #pattern: RegExp;
  #handle: fs.FileHandle | undefined;
  #size = 0;
  /** IST day of the lines in the active file, and when that day ends. */
  #periodDay = '';
  #periodEnd = 0;
  #background: Promise<void> = Promise.resolve();
  readonly #held: HeldBatch<StampedLine>;
  /** The file opens asynchronously; a fresh file's day is the day the stream was made, not the day the open finished. */
  readonly #createdAt: number;

  constructor(options: RotatingFileOptions) {
    // Object mode carries each line's timestamp to the writer; strings stay strings until a batch is joined.
    super({ objectMode: true, highWaterMark: 1 << 20 });
    this.#held = new HeldBatch<StampedLine>({
      holdMs: options.batchMs,
      bytesOf: (item) => item.line.length,
      release: (lines) => this.write(lines),
    });
    this.#createdAt = (options.now ?? Date.now)();
    this.dir = options.dir;
    this.base = options.base;
    this.activePath = path.join(options.dir, `${options.base}.log`);
    this.#maxBytes = options.maxBytes ?? DEFAULT_MAX_FILE_BYTES;
    this.#retentionDays = options.retentionDays ?? 30;
    this.#now = options.now ?? Date.now;
    this.#onBackgroundError =
      options.onBackgroundError ??
      ((err) => process.stderr.write(`log rotation of ${this.activePath} failed in the background: ${String(err)}\n`));
    const stem = options.base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    this.#pattern = new RegExp(`^${stem}-(\\d{4}-\\d{2}-\\d{2})\\.(\\d+)\\.log(\\.gz)?$`);
  }

  override _construct(callback: (error?: Error | null) => void): void {
    this.#open().then(() => callback(), callback);
  }

  async #open(): Promise<void> {
    await fs.mkdir(this.dir, { recursive: true });
    const now = this.#createdAt;
    const stat = await fs.stat(this.activePath).catch(() => undefined);
    this.#handle = await fs.open(this.activePath, 'a');
    this.#size = stat?.size ?? 0;
    // A file left by an earlier run covers the day it was last written; the first write rotates it if that is past.
    const since = stat && stat.size > 0 ? Math.min(stat.mtimeMs, now) : now;
    this.#periodDay = istDay(since);
    this.#periodEnd = nextIstMidnight(since);
    this.#schedule(() => this.#prune());
  }

  /**
   * The log path's entry point: lines are held for the batch interval and reach the file in one write, instead of
   * one file-system request per line, which cost more than formatting the line did.
   */
  writeLine(line: string): void {
    if (this.destroyed || this.writableEnded) return;
    this.#held.add({ line, at: this.#now() });
  }

  override _write(chunk: Chunk, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#writeChunks([chunk]).then(() => callback(), callback);
  }

  override _writev(
    chunks: { chunk: Chunk; encoding: BufferEncoding }[],
    callback: (error?: Error | null) => void,
  ): void {
    this.#writeChunks(chunks.map((c) => c.chunk)).then(() => callback(), callback);
  }

  /** Lines held or queued while a write was in flight arrive together; they are split only where a boundary falls. */
  async #writeChunks(chunks: readonly Chunk[]): Promise<void> {
    let group: (string | Buffer)[] = [];
    let groupBytes = 0;
    const items = chunks.flatMap((chunk): readonly (string | Buffer | StampedLine)[] =>
      typeof chunk === 'string' || Buffer.isBuffer(chunk) ? [chunk] : chunk,
    );
    for (const item of items) {
      const stamped = typeof item === 'object' && !Buffer.isBuffer(item);
      const chunk = stamped ? item.line : item;
      const bytes = typeof chunk === 'string' ? Buffer.byteLength(chunk) : chunk.length;
      const now = stamped ? item.at : this.#now();
      const overSize = this.#size + groupBytes > 0 && this.#size + groupBytes + bytes > this.#maxBytes;
      if (now >= this.#periodEnd || overSize) {
        await this.#flushGroup(group, groupBytes);
        group = [];
        groupBytes = 0;
        await this.#rotate(now);
      }
      group.push(chunk);
      groupBytes += bytes;
    }
    await this.#flushGroup(group, groupBytes);
  }

  async #flushGroup(group: readonly (string | Buffer)[], bytes: number): Promise<void> {
    if (bytes === 0 || !this.#handle) return;
    if (group.every((c) => typeof c === 'string')) await this.#handle.write(group.join(''));
    else await this.#handle.write(Buffer.concat(group.map((c) => (typeof c === 'string' ? Buffer.from(c) : c))));
    this.#size += bytes;
  }

  async #rotate(now: number): Promise<void> {
    const handle = this.#handle;
    this.#handle = undefined;
    await handle?.close();
    if (this.#size > 0) {
      const target = await this.#rotatedName(this.#periodDay);
      await fs.rename(this.activePath, target);
      this.#schedule(() => this.#compress(target));
    }
    this.#handle = await fs.open(this.activePath, 'a');
    this.#size = 0;
    this.#periodDay = istDay(now);
    this.#periodEnd = nextIstMidnight(now);
    this.#schedule(() => this.#prune());
  }

  async #rotatedName(day: string): Promise<string> {
    let highest = 0;
    for (const name of await fs.readdir(this.dir)) {
      const m = this.#pattern.exec(name);
      if (m && m[1] === day) highest = Math.max(highest, Number(m[2]));
    }
    return path.join(this.dir, `${this.base}-${day}.${highest + 1}.log`);
  }

  async #compress(file: string): Promise<void> {
    const partial = `${file}.gz.partial`;
    await pipeline(createReadStream(file), createGzip(), createWriteStream(partial));
    // Renamed only when complete, so a reader never sees a truncated archive under the final name.
    await fs.rename(partial, `${file}.gz`);
    await fs.unlink(file);
  }

  async #prune(): Promise<void> {
    const cutoff = dayMinus(istDay(this.#now()), this.#retentionDays);
    for (const name of await fs.readdir(this.dir)) {
      const m = this.#pattern.exec(name);
      if (m && m[1]! < cutoff) await fs.unlink(path.join(this.dir, name)).catch(() => undefined);
    }
  }

  /** Background work runs one job at a time, after the rotation that queued it, never on a request's path. */
  #schedule(job: () => Promise<void>): void {
    this.#background = this.#background.then(job).catch((err: unknown) => this.#onBackgroundError(err));
  }

  /** Resolves when every write so far is on disk and every queued gzip and prune has finished. */
  async idle(): Promise<void> {
    this.#held.release();
    if (!this.writableFinished && !this.destroyed) {
      await new Promise<void>((resolve, reject) => {
        // An empty write's callback runs after every earlier chunk has been written.
        this.write('', (err) => (err ? reject(err) : resolve()));
      });
    }
    await this.#background;
  }

  override _final(callback: (error?: Error | null) => void): void {
    this.#held.release();
    const handle = this.#handle;
    this.#handle = undefined;
    (handle ? handle.close() : Promise.resolve()).then(() => this.#background).then(() => callback(), callback);
  }

  /** Ends the stream and waits for the file to close and background jobs to finish. */
  async close(): Promise<void> {
    if (this.writableFinished || this.destroyed) return;
    this.#held.release();
    await new Promise<void>((resolve, reject) => {
      this.once('error', reject);
      this.end(() => resolve());
    });
    await this.#background;
  }
}
