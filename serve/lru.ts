/**
 * A least-recently-used cache with a size bound: every cache of the server is one, so memory
 * stays bounded however many distinct texts or words it sees.
 *
 * @module
 */

/**
 * A map that holds at most `maxEntries` entries, dropping the least recently used.
 *
 * @example
 * ```ts
 * import { LruCache } from "@cohesive/serve";
 * const c = new LruCache<string, number>(2);
 * c.set("a", 1);
 * c.set("b", 2);
 * c.get("a");
 * c.set("c", 3); // drops "b", the least recently used
 * console.log([...c.keys()]); // ["a", "c"]
 * ```
 */
export class LruCache<K, V> {
  /** Most entries. */
  readonly maxEntries: number;
  readonly #map = new Map<K, V>();
  #hits = 0;
  #misses = 0;

  /** A cache of at most `maxEntries` (at least 1) entries. */
  constructor(maxEntries: number) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) {
      throw new RangeError(`maxEntries must be a positive integer, got ${maxEntries}`);
    }
    this.maxEntries = maxEntries;
  }

  /** Entries now. */
  get size(): number {
    return this.#map.size;
  }

  /** The value of `key` (marking it used), or `undefined`. */
  get(key: K): V | undefined {
    const v = this.#map.get(key);
    if (v === undefined) {
      this.#misses++;
      return undefined;
    }
    this.#hits++;
    this.#map.delete(key);
    this.#map.set(key, v);
    return v;
  }

  /** Set `key`, dropping the least recently used entry when full. */
  set(key: K, value: V): this {
    this.#map.delete(key);
    this.#map.set(key, value);
    if (this.#map.size > this.maxEntries) this.#map.delete(this.#map.keys().next().value!);
    return this;
  }

  /** Keys, least recently used first. */
  keys(): IterableIterator<K> {
    return this.#map.keys();
  }

  /** Drop everything. */
  clear(): void {
    this.#map.clear();
  }

  /** Size, bound, hits and misses, for `/v1/models`. */
  stats(): { size: number; maxEntries: number; hits: number; misses: number } {
    return {
      size: this.#map.size,
      maxEntries: this.maxEntries,
      hits: this.#hits,
      misses: this.#misses,
    };
  }
}
