/**
 * A micro-batcher: requests put their items (texts, sentence pairs) in a queue, and one worker
 * runs them through the model in batches of at most `maxBatchSize`, waiting at most `maxWaitMs`
 * for a batch to fill. Batches are filled round-robin across the waiting requests, so a request
 * with a thousand sentences does not hold up a request with one: each batch takes one item from
 * each waiting request in turn. The worker yields to the event loop between batches, so the
 * server keeps accepting and parsing requests (and answering `/healthz`) while it works.
 *
 * @module
 */
import { ClientClosedError, OverloadedError } from "./errors.ts";

/** Options of a {@link MicroBatcher}. */
export interface MicroBatcherOptions {
  /** Most items in one call of the process function. Default 16. */
  maxBatchSize?: number;
  /** Longest wait for a batch to fill once an item is queued, in ms. Default 2. */
  maxWaitMs?: number;
  /** Most items queued at once; beyond it `run` throws {@link OverloadedError}. Default 20,000. */
  maxQueued?: number;
}

interface Job<I, O> {
  items: readonly I[];
  results: O[];
  /** Next item to schedule. */
  next: number;
  /** Items finished. */
  done: number;
  resolve: (out: O[]) => void;
  reject: (e: unknown) => void;
  failed: boolean;
}

/** Counters of a {@link MicroBatcher}, for `/v1/models` and the benchmark. */
export interface BatcherStats {
  /** Batches processed. */
  batches: number;
  /** Items processed. */
  items: number;
  /** Items waiting now. */
  queued: number;
  /** Largest batch so far. */
  largestBatch: number;
}

/**
 * Queue items from many requests and process them in batches.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { MicroBatcher } from "@cohesive/serve";
 * const upper = new MicroBatcher((xs: string[]) => xs.map((x) => x.toUpperCase()));
 * const [a, b] = await Promise.all([upper.run(["a", "b"]), upper.run(["c"])]);
 * assert.deepEqual([a, b], [["A", "B"], ["C"]]);
 * ```
 */
export class MicroBatcher<I, O> {
  /** Most items per batch. */
  readonly maxBatchSize: number;
  /** Longest wait for a batch to fill, in ms. */
  readonly maxWaitMs: number;
  /** Most items queued at once. */
  readonly maxQueued: number;

  readonly #process: (items: I[]) => O[] | Promise<O[]>;
  readonly #jobs: Job<I, O>[] = [];
  #queued = 0;
  #running = false;
  #timer: ReturnType<typeof setTimeout> | undefined;
  #rr = 0;
  #stats = { batches: 0, items: 0, largestBatch: 0 };

  /**
   * Create a batcher around `process`.
   *
   * @param process runs one batch; must return one output per input, in order.
   * @param options batch size, wait and queue limits.
   */
  constructor(process: (items: I[]) => O[] | Promise<O[]>, options: MicroBatcherOptions = {}) {
    this.#process = process;
    this.maxBatchSize = Math.max(1, options.maxBatchSize ?? 16);
    this.maxWaitMs = Math.max(0, options.maxWaitMs ?? 2);
    this.maxQueued = Math.max(1, options.maxQueued ?? 20_000);
  }

  /** Items waiting to be processed. */
  get queued(): number {
    return this.#queued;
  }

  /** Counters since creation. */
  stats(): BatcherStats {
    return { ...this.#stats, queued: this.#queued };
  }

  /**
   * Process `items` (in batches shared with other callers) and return their outputs in order.
   *
   * @throws {OverloadedError} when the queue cannot take `items.length` more items.
   * @throws {ClientClosedError} when `signal` aborts before the items are done.
   */
  run(items: readonly I[], signal?: AbortSignal): Promise<O[]> {
    if (items.length === 0) return Promise.resolve([]);
    if (signal?.aborted) return Promise.reject(new ClientClosedError());
    if (this.#queued + items.length > this.maxQueued) {
      return Promise.reject(
        new OverloadedError(
          `server busy: ${this.#queued} items queued (limit ${this.maxQueued}); retry shortly`,
        ),
      );
    }
    return new Promise<O[]>((resolve, reject) => {
      const onAbort = () => this.#fail(job, new ClientClosedError());
      const cleanup = () => signal?.removeEventListener("abort", onAbort);
      const job: Job<I, O> = {
        items,
        results: new Array(items.length),
        next: 0,
        done: 0,
        resolve: (out) => {
          cleanup();
          resolve(out);
        },
        reject: (e) => {
          cleanup();
          reject(e);
        },
        failed: false,
      };
      this.#jobs.push(job);
      this.#queued += items.length;
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#schedule();
    });
  }

  #fail(job: Job<I, O>, e: unknown): void {
    if (job.failed || job.done === job.items.length) return;
    job.failed = true;
    const i = this.#jobs.indexOf(job);
    if (i >= 0) {
      this.#jobs.splice(i, 1);
      this.#queued -= job.items.length - job.next;
    }
    job.reject(e);
  }

  #schedule(): void {
    if (this.#running || this.#jobs.length === 0) return;
    const full = this.#queued >= this.maxBatchSize;
    if (full || this.maxWaitMs === 0) {
      if (this.#timer !== undefined) clearTimeout(this.#timer);
      this.#timer = undefined;
      this.#running = true;
      queueMicrotask(() => this.#work());
    } else if (this.#timer === undefined) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        if (this.#running || this.#jobs.length === 0) return;
        this.#running = true;
        this.#work();
      }, this.maxWaitMs);
    }
  }

  /** Take up to maxBatchSize items, one per waiting job in turn. */
  #take(): { job: Job<I, O>; index: number }[] {
    const batch: { job: Job<I, O>; index: number }[] = [];
    while (batch.length < this.maxBatchSize && this.#jobs.length > 0) {
      if (this.#rr >= this.#jobs.length) this.#rr = 0;
      const job = this.#jobs[this.#rr];
      batch.push({ job, index: job.next++ });
      this.#queued--;
      if (job.next === job.items.length) this.#jobs.splice(this.#rr, 1);
      else this.#rr++;
    }
    return batch;
  }

  async #work(): Promise<void> {
    try {
      while (this.#jobs.length > 0) {
        const batch = this.#take();
        let out: O[] | undefined;
        let error: unknown;
        try {
          out = await this.#process(batch.map((b) => b.job.items[b.index]));
          if (!Array.isArray(out) || out.length !== batch.length) {
            throw new Error(
              `batch process returned ${out?.length} outputs for ${batch.length} inputs`,
            );
          }
        } catch (e) {
          error = e;
        }
        this.#stats.batches++;
        this.#stats.items += batch.length;
        this.#stats.largestBatch = Math.max(this.#stats.largestBatch, batch.length);
        batch.forEach((b, k) => {
          const job = b.job;
          if (job.failed) return;
          if (error !== undefined) return this.#fail(job, error);
          job.results[b.index] = out![k];
          if (++job.done === job.items.length) job.resolve(job.results);
        });
        // let the event loop run (new requests join the queue, health checks answer)
        if (this.#jobs.length > 0) await new Promise((r) => setTimeout(r, 0));
      }
    } finally {
      this.#running = false;
      if (this.#jobs.length > 0) this.#schedule();
    }
  }
}
