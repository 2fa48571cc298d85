/**
 * Progress for long jobs: a one-line bar (steps, rate, ETA, fields) on a terminal, plain lines at
 * most every few seconds otherwise (logs, CI).
 *
 * @module
 */

/** Where and how often progress is written. */
export interface ProgressOptions {
  /** Write a redrawn bar (true) or plain lines (false). Default: stderr is a terminal. */
  tty?: boolean;
  /** Seconds between plain lines. Default 10. */
  every?: number;
  /** Sink for the text; default stderr. */
  write?: (s: string) => void;
  /** Steps already done before this process (a resumed run): counted, but not in the rate. */
  start?: number;
}

/**
 * A progress bar.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Progress } from "@cohesive/shared";
 * const lines: string[] = [];
 * const p = new Progress("train", 3, { tty: false, write: (s) => lines.push(s) });
 * for (let i = 0; i < 3; i++) p.tick(1, { loss: 1 / (i + 1) });
 * p.done();
 * assert.match(lines.join(""), /train.*3\/3/);
 * ```
 */
export class Progress {
  private readonly label: string;
  private readonly total: number;
  private readonly tty: boolean;
  private readonly every: number;
  private readonly write: (s: string) => void;
  private readonly t0 = performance.now();
  private lastPrint = 0;
  private readonly start: number;
  /** Steps done so far. */
  done_: number;

  /** A bar named `label` counting to `total`. */
  constructor(label: string, total: number, opts: ProgressOptions = {}) {
    this.label = label;
    this.total = total;
    this.tty = opts.tty ?? Deno.stderr.isTerminal();
    this.every = (opts.every ?? 10) * 1000;
    const enc = new TextEncoder();
    this.write = opts.write ?? ((s) => Deno.stderr.writeSync(enc.encode(s)));
    this.start = opts.start ?? 0;
    this.done_ = this.start;
  }

  /** Advance by `n` steps and show `fields` (numbers are printed with 4 significant digits). */
  tick(n = 1, fields: Record<string, number | string> = {}): void {
    this.done_ += n;
    const now = performance.now();
    if (!this.tty && now - this.lastPrint < this.every && this.done_ < this.total) return;
    this.lastPrint = now;
    this.write(this.line(fields) + (this.tty ? "\r" : "\n"));
  }

  /** Finish the bar (newline on a terminal). */
  done(fields: Record<string, number | string> = {}): void {
    if (this.tty) this.write(this.line(fields) + "\n");
  }

  /** The text of the current state. */
  line(fields: Record<string, number | string> = {}): string {
    const secs = (performance.now() - this.t0) / 1000;
    const rate = (this.done_ - this.start) / Math.max(secs, 1e-9);
    const eta = rate > 0 ? (this.total - this.done_) / rate : Infinity;
    const frac = this.total > 0 ? Math.min(1, this.done_ / this.total) : 0;
    const width = 20, fill = Math.round(frac * width);
    const bar = this.tty ? `[${"#".repeat(fill)}${".".repeat(width - fill)}] ` : "";
    const f = Object.entries(fields).map(([k, v]) =>
      `${k} ${typeof v === "number" ? Number(v.toPrecision(4)) : v}`
    ).join("  ");
    return `${this.label} ${bar}${this.done_}/${this.total} ${rate.toFixed(2)}/s ` +
      `eta ${fmtSecs(eta)}${f ? "  " + f : ""}`;
  }
}

function fmtSecs(s: number): string {
  if (!Number.isFinite(s)) return "?";
  s = Math.round(s);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${(s % 60).toString().padStart(2, "0")}s`;
  const m = Math.round(s / 60);
  return `${Math.floor(m / 60)}h${(m % 60).toString().padStart(2, "0")}m`;
}
