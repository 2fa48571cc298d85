/**
 * A small seeded random generator (SplitMix32) whose whole state is one number, so runs record
 * it in their training state and resume bit-exactly.
 *
 * @module
 */

/**
 * Seeded pseudo-random numbers.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { Rng } from "@cohesive/shared";
 * const a = new Rng(42), b = new Rng(42);
 * assert.equal(a.next(), b.next());
 * assert.notEqual(a.next(), new Rng(43).next());
 * ```
 */
export class Rng {
  /** The whole generator state; `new Rng(0).restore(s)` continues the sequence. */
  state: number;

  /** A generator seeded with `seed` (any number; it is reduced to 32 bits). */
  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Continue from a saved {@link Rng.state}. */
  restore(state: number): this {
    this.state = state >>> 0;
    return this;
  }

  /** A 32-bit unsigned integer. */
  nextU32(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    return this.nextU32() / 4294967296;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Shuffle `a` in place (Fisher–Yates) and return it. */
  shuffle<T>(a: T[]): T[] {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      [a[i], a[j]] = [a[j], a[i]];
    }
    return a;
  }
}
