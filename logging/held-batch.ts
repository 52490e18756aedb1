/**
 * Items held for a few milliseconds and handed on together. An asynchronous write costs the process about the same
 * CPU (a thread-pool request and its callback) whether it carries one line or a thousand, so the log destinations
 * write what a burst of requests produced at once instead of one request per line.
 *
 * Batches with the same hold share one timer: stdout, app.log and audit.log are released in the same timer callback,
 * so a quiet API wakes once per window for all of them instead of once per destination.
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

interface Releasable {
  release(): void;
}

/** Per hold duration: the batches holding items and the one timer that releases them all. */
const windows = new Map<number, { readonly timer: NodeJS.Timeout; readonly batches: Set<Releasable> }>();

function awaitWindow(holdMs: number, batch: Releasable): void {
  let window = windows.get(holdMs);
  if (!window) {
    const batches = new Set<Releasable>();
    const timer = setTimeout(() => {
      windows.delete(holdMs);
      for (const held of batches) held.release();
    }, holdMs);
    window = { timer, batches };
    windows.set(holdMs, window);
  }
  window.batches.add(batch);
}

function leaveWindow(holdMs: number, batch: Releasable): void {
  const window = windows.get(holdMs);
  if (!window?.batches.delete(batch) || window.batches.size > 0) return;
  clearTimeout(window.timer);
  windows.delete(holdMs);
}

export class HeldBatch<T> implements Releasable {
  #items: T[] = [];
  #bytes = 0;
  readonly #holdMs: number;
  readonly #maxBytes: number;
  readonly #options: HeldBatchOptions<T>;

  constructor(options: HeldBatchOptions<T>) {
    this.#options = options;
    this.#holdMs = options.holdMs ?? 20;
    this.#maxBytes = options.maxBytes ?? 256 * 1024;
  }

  add(item: T): void {
    if (this.#items.length === 0) awaitWindow(this.#holdMs, this);
    this.#items.push(item);
    this.#bytes += this.#options.bytesOf(item);
    if (this.#bytes >= this.#maxBytes) this.release();
  }

  /** Hands on whatever is held now (before a flush, a close or process exit). */
  release(): void {
    leaveWindow(this.#holdMs, this);
    if (this.#items.length === 0) return;
    const items = this.#items;
    this.#items = [];
    this.#bytes = 0;
    this.#options.release(items);
  }
}
