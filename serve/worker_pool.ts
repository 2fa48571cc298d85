/**
 * A small pool of module workers for CPU-heavy work, so the event loop that answers requests
 * (and `/healthz`) never waits for it. Each task is one message to one idle worker; tasks wait in
 * a bounded queue when every worker is busy. Workers start on first use and stop after
 * `idleMs` without work, so an idle server holds none.
 *
 * A worker module answers `{id, task, input}` with `{id, ok: true, result}` or
 * `{id, ok: false, error}` (see `evidence_worker.ts`).
 *
 * @module
 */
import { OverloadedError } from "./errors.ts";

/** Options of a {@link WorkerPool}. */
export interface WorkerPoolOptions {
  /** Most workers. Default: one less than the cores, from 1 to 4. */
  size?: number;
  /** Most tasks waiting for a worker; beyond it `run` throws {@link OverloadedError}. Default 64. */
  maxQueued?: number;
  /** A worker with no task for this long stops. Default 10,000 ms. */
  idleMs?: number;
}

interface Task {
  id: number;
  task: string;
  input: unknown;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

interface Slot {
  worker: Worker;
  busy: Task | undefined;
  idle: ReturnType<typeof setTimeout> | undefined;
}

/** The default pool size: one less than the cores, from 1 to 4. */
export function defaultPoolSize(): number {
  return Math.max(1, Math.min(4, (navigator.hardwareConcurrency ?? 2) - 1));
}

/** A pool of workers running `moduleUrl`. */
export class WorkerPool {
  /** Most workers. */
  readonly size: number;
  /** Most tasks waiting. */
  readonly maxQueued: number;
  readonly #url: string;
  readonly #idleMs: number;
  readonly #slots: Slot[] = [];
  readonly #queue: Task[] = [];
  #next = 0;
  #closed = false;

  /** A pool running the worker module at `moduleUrl`. */
  constructor(moduleUrl: string | URL, options: WorkerPoolOptions = {}) {
    this.#url = String(moduleUrl);
    this.size = Math.max(1, options.size ?? defaultPoolSize());
    this.maxQueued = Math.max(0, options.maxQueued ?? 64);
    this.#idleMs = Math.max(0, options.idleMs ?? 10_000);
  }

  /** Workers running now. */
  get workers(): number {
    return this.#slots.length;
  }

  /**
   * Run `task` on `input` in a worker.
   *
   * @throws {OverloadedError} when the queue is full.
   * @throws {Error} what the worker threw, or when the pool is closed.
   */
  run<T>(task: string, input: unknown): Promise<T> {
    if (this.#closed) return Promise.reject(new Error("the worker pool is closed"));
    const free = this.#slots.find((s) => !s.busy);
    if (!free && this.#slots.length >= this.size && this.#queue.length >= this.maxQueued) {
      return Promise.reject(
        new OverloadedError(`server busy: ${this.#queue.length} tasks wait; retry shortly`),
      );
    }
    return new Promise<T>((resolve, reject) => {
      const t: Task = {
        id: ++this.#next,
        task,
        input,
        resolve: resolve as (v: unknown) => void,
        reject,
      };
      const slot = free ?? (this.#slots.length < this.size ? this.#spawn() : undefined);
      if (slot) this.#start(slot, t);
      else this.#queue.push(t);
    });
  }

  #spawn(): Slot {
    const worker = new Worker(this.#url, { type: "module" });
    const slot: Slot = { worker, busy: undefined, idle: undefined };
    worker.onmessage = (e: MessageEvent) => {
      const t = slot.busy;
      if (!t || e.data?.id !== t.id) return;
      slot.busy = undefined;
      if (e.data.ok) t.resolve(e.data.result);
      else t.reject(new Error(String(e.data.error)));
      this.#afterTask(slot);
    };
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault();
      const t = slot.busy;
      this.#remove(slot);
      t?.reject(new Error(`worker failed: ${e.message}`));
      const next = this.#queue.shift();
      if (next) this.#start(this.#spawn(), next);
    };
    this.#slots.push(slot);
    return slot;
  }

  #start(slot: Slot, t: Task): void {
    if (slot.idle !== undefined) clearTimeout(slot.idle);
    slot.idle = undefined;
    slot.busy = t;
    slot.worker.postMessage({ id: t.id, task: t.task, input: t.input });
  }

  #afterTask(slot: Slot): void {
    const next = this.#queue.shift();
    if (next) return this.#start(slot, next);
    slot.idle = setTimeout(() => this.#remove(slot), this.#idleMs);
    Deno.unrefTimer(slot.idle as unknown as number);
  }

  #remove(slot: Slot): void {
    if (slot.idle !== undefined) clearTimeout(slot.idle);
    slot.worker.terminate();
    const i = this.#slots.indexOf(slot);
    if (i >= 0) this.#slots.splice(i, 1);
  }

  /** Stop every worker; waiting and running tasks fail. Idempotent. */
  close(): void {
    this.#closed = true;
    for (const slot of [...this.#slots]) {
      const t = slot.busy;
      this.#remove(slot);
      t?.reject(new Error("the worker pool is closed"));
    }
    for (const t of this.#queue.splice(0)) t.reject(new Error("the worker pool is closed"));
  }
}
