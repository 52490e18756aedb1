/**
 * Ships log lines to Elasticsearch with the bulk API. Lines wait in a bounded in-memory buffer and go out on an
 * interval and on close; when the cluster is slow or down the buffer drops its oldest lines (and counts them)
 * rather than growing without limit or making a request wait.
 */

export interface ElasticsearchShipperOptions {
  /** Base URL, e.g. `https://es.internal:9200`; userinfo in it becomes a Basic Authorization header. */
  readonly url: string;
  /** Sent as `Authorization: ApiKey <key>` when set. */
  readonly apiKey?: string;
  /** Index name prefix; the line's UTC day is appended as `YYYY.MM.DD`. */
  readonly indexPrefix?: string;
  /** Lines held at most; beyond it the oldest are dropped. Default 10 000. */
  readonly maxBufferedLines?: number;
  /** Lines per bulk request. Default 1 000. */
  readonly batchSize?: number;
  /** Default 5 000 ms. */
  readonly flushIntervalMs?: number;
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
  /** Where shipping failures are reported; not the logger itself, which would feed the failure back into the buffer. */
  readonly onError?: (err: unknown) => void;
}

export interface ShipperStats {
  readonly buffered: number;
  readonly shipped: number;
  readonly dropped: number;
  readonly failedRequests: number;
}

export const DEFAULT_INDEX_PREFIX = 'vcp-monitor-logs';

export class ElasticsearchShipper {
  readonly #bulkUrl: string;
  readonly #headers: Record<string, string>;
  readonly #indexPrefix: string;
  readonly #max: number;
  readonly #batchSize: number;
  readonly #timeoutMs: number;
  readonly #fetch: typeof fetch;
  readonly #onError: (err: unknown) => void;
  readonly #timer: NodeJS.Timeout;
  /** A ring would avoid the shift cost, but shift on a bounded array is cheap next to a network request. */
  #buffer: string[] = [];
  #flushing: Promise<void> | undefined;
  #shipped = 0;
  #dropped = 0;
  #failedRequests = 0;
  #closed = false;

  constructor(options: ElasticsearchShipperOptions) {
    const url = new URL(options.url);
    this.#headers = { 'content-type': 'application/x-ndjson' };
    if (url.username || url.password) {
      const user = decodeURIComponent(url.username);
      const pass = decodeURIComponent(url.password);
      this.#headers.authorization = `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
      url.username = '';
      url.password = '';
    }
    if (options.apiKey) this.#headers.authorization = `ApiKey ${options.apiKey}`;
    this.#bulkUrl = `${url.toString().replace(/\/+$/, '')}/_bulk`;
    this.#indexPrefix = options.indexPrefix ?? DEFAULT_INDEX_PREFIX;
    this.#max = options.maxBufferedLines ?? 10_000;
    this.#batchSize = options.batchSize ?? 1_000;
    this.#timeoutMs = options.timeoutMs ?? 10_000;
    this.#fetch = options.fetch ?? fetch;
    this.#onError =
      options.onError ?? ((err) => process.stderr.write(`log shipping to Elasticsearch failed: ${String(err)}\n`));
    this.#timer = setInterval(() => void this.flush(), options.flushIntervalMs ?? 5_000);
    this.#timer.unref();
  }

  /** Takes one JSON line (with or without its newline); never blocks and never throws. */
  write(line: string): boolean {
    if (this.#closed) return true;
    const trimmed = line.endsWith('\n') ? line.slice(0, -1) : line;
    if (trimmed === '') return true;
    this.#buffer.push(trimmed);
    if (this.#buffer.length > this.#max) {
      const excess = this.#buffer.length - this.#max;
      this.#buffer.splice(0, excess);
      this.#dropped += excess;
    }
    return true;
  }

  stats(): ShipperStats {
    return {
      buffered: this.#buffer.length,
      shipped: this.#shipped,
      dropped: this.#dropped,
      failedRequests: this.#failedRequests,
    };
  }

  /** The index for a line: the UTC day of its `timestamp`, so a day's lines land together whatever the send time. */
  indexFor(line: string): string {
    const at = line.indexOf('"timestamp":"');
    const day = at >= 0 ? line.slice(at + 13, at + 23) : new Date().toISOString().slice(0, 10);
    const valid = /^\d{4}-\d{2}-\d{2}$/.test(day) ? day : new Date().toISOString().slice(0, 10);
    return `${this.#indexPrefix}-${valid.replace(/-/g, '.')}`;
  }

  /** Sends everything buffered now, one bulk request per batch; concurrent calls share one run. */
  flush(): Promise<void> {
    this.#flushing ??= this.#drain().finally(() => {
      this.#flushing = undefined;
    });
    return this.#flushing;
  }

  async #drain(): Promise<void> {
    while (this.#buffer.length > 0) {
      const batch = this.#buffer.splice(0, this.#batchSize);
      let body = '';
      for (const line of batch) body += `{"index":{"_index":"${this.indexFor(line)}"}}\n${line}\n`;
      try {
        const response = await this.#fetch(this.#bulkUrl, {
          method: 'POST',
          headers: this.#headers,
          body,
          signal: AbortSignal.timeout(this.#timeoutMs),
        });
        const text = await response.text();
        if (!response.ok) throw new Error(`POST ${this.#bulkUrl} answered ${response.status}: ${text.slice(0, 200)}`);
        // A 200 bulk answer can still reject single documents (mapping conflicts); those are counted as dropped.
        const rejected = countRejected(text);
        this.#dropped += rejected;
        this.#shipped += batch.length - rejected;
      } catch (err) {
        this.#failedRequests += 1;
        // Put the batch back in front for the next interval; the bound still holds, dropping the oldest first.
        this.#buffer = batch.concat(this.#buffer);
        if (this.#buffer.length > this.#max) {
          const excess = this.#buffer.length - this.#max;
          this.#buffer.splice(0, excess);
          this.#dropped += excess;
        }
        this.#onError(err);
        return;
      }
    }
  }

  /** Stops the interval and makes one last attempt to send what is buffered. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush();
    this.#closed = true;
  }
}

function countRejected(text: string): number {
  try {
    const parsed = JSON.parse(text) as { errors?: boolean; items?: { index?: { status?: number } }[] };
    if (!parsed.errors || !Array.isArray(parsed.items)) return 0;
    return parsed.items.filter((item) => (item.index?.status ?? 200) >= 300).length;
  } catch {
    return 0;
  }
}
