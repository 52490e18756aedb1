/**
 * Items held for a few milliseconds and handed on together. An asynchronous write costs the process about the same
 * CPU (a thread-pool request and its callback) whether it carries one line or a thousand, so the log destinations
 * write what a burst of requests produced at once instead of one request per line.
 */
export interface HeldBatchOptions<T> {
  /** Receives the held items, oldest first, once `holdMs` has passed since the first or `maxBytes` is reached. */
  readonly release: (items: T[]) => void;
  readonly bytesOf: (item: T) => number;
  /** Default 20 ms: what a crash can lose from a file destination (stdout and the other destinations still have it). */
  readonly holdMs?: number;
  /** Default 256 KiB. */
  readonly maxBytes?: number;
}

export class HeldBatch<T> {
  #items: T[] = [];
  #bytes = 0;
  #timer: NodeJS.Timeout | undefined;
  readonly #options: HeldBatchOptions<T>;

  constructor(options: HeldBatchOptions<T>) {
    this.#options = options;
  }

  add(item: T): void {
    this.#items.push(item);
    this.#bytes += this.#options.bytesOf(item);
    this.#timer ??= setTimeout(() => this.release(), this.#options.holdMs ?? 20);
    if (this.#bytes >= (this.#options.maxBytes ?? 256 * 1024)) this.release();
  }

  /** Hands on whatever is held now (before a flush, a close or process exit). */
  release(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    if (this.#items.length === 0) return;
    const items = this.#items;
    this.#items = [];
    this.#bytes = 0;
    this.#options.release(items);
  }
}
