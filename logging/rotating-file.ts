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
  /** Called with background failures (gzip, prune), which must not crash the process or be lost silently. */
  readonly onBackgroundError?: (err: unknown) => void;
}

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

  constructor(options: RotatingFileOptions) {
    super({ decodeStrings: true });
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
    const now = this.#now();
    const stat = await fs.stat(this.activePath).catch(() => undefined);
    this.#handle = await fs.open(this.activePath, 'a');
    this.#size = stat?.size ?? 0;
    // A file left by an earlier run covers the day it was last written; the first write rotates it if that is past.
    const since = stat && stat.size > 0 ? Math.min(stat.mtimeMs, now) : now;
    this.#periodDay = istDay(since);
    this.#periodEnd = nextIstMidnight(since);
    this.#schedule(() => this.#prune());
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: (error?: Error | null) => void): void {
    this.#writeChunks([chunk]).then(() => callback(), callback);
  }

  override _writev(
    chunks: { chunk: Buffer; encoding: BufferEncoding }[],
    callback: (error?: Error | null) => void,
  ): void {
    this.#writeChunks(chunks.map((c) => c.chunk)).then(() => callback(), callback);
  }

  /** Lines queued while a write was in flight arrive here together; they are split only where a boundary falls. */
  async #writeChunks(chunks: readonly Buffer[]): Promise<void> {
    let group: Buffer[] = [];
    let groupBytes = 0;
    for (const chunk of chunks) {
      const now = this.#now();
      const overSize = this.#size + groupBytes > 0 && this.#size + groupBytes + chunk.length > this.#maxBytes;
      if (now >= this.#periodEnd || overSize) {
        await this.#flushGroup(group, groupBytes);
        group = [];
        groupBytes = 0;
        await this.#rotate(now);
      }
      group.push(chunk);
      groupBytes += chunk.length;
    }
    await this.#flushGroup(group, groupBytes);
  }

  async #flushGroup(group: readonly Buffer[], bytes: number): Promise<void> {
    if (bytes === 0 || !this.#handle) return;
    await this.#handle.write(group.length === 1 ? group[0]! : Buffer.concat(group, bytes));
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
    if (!this.writableFinished && !this.destroyed) {
      await new Promise<void>((resolve, reject) => {
        // An empty write's callback runs after every earlier chunk has been written.
        this.write('', (err) => (err ? reject(err) : resolve()));
      });
    }
    await this.#background;
  }

  override _final(callback: (error?: Error | null) => void): void {
    const handle = this.#handle;
    this.#handle = undefined;
    (handle ? handle.close() : Promise.resolve()).then(() => this.#background).then(() => callback(), callback);
  }

  /** Ends the stream and waits for the file to close and background jobs to finish. */
  async close(): Promise<void> {
    if (this.writableFinished || this.destroyed) return;
    await new Promise<void>((resolve, reject) => {
      this.once('error', reject);
      this.end(() => resolve());
    });
    await this.#background;
  }
}
