/**
 * Strict resolution of typed configs (nanoGPT's habit): a partial object of overrides is laid over
 * the defaults, and a key the defaults lack, or a value of another type than the default's, is an
 * error naming where the keys came from, so a typo never silently trains the wrong model.
 *
 * @module
 */

/** Whether `v` is a plain JSON object (not null, not an array). */
export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Options of {@link resolveStrict}. */
export interface StrictOptions {
  /** Keys accepted and dropped (e.g. Hugging Face keys cohesive does not use). */
  ignore?: ReadonlySet<string>;
  /** Object-valued keys whose overrides are merged into the default object, not replacing it. */
  merge?: readonly string[];
  /** The noun of the unknown-key error (`unknown <noun> "k"`). Default `key`. */
  noun?: string;
}

function kindOf(v: unknown): string {
  return Array.isArray(v) ? "array" : typeof v;
}

/**
 * The defaults with `partial` laid over them. Undefined values keep the default.
 *
 * @throws {TypeError} on an unknown key or a value whose type is not the default's, naming `source`.
 *
 * @example
 * ```ts
 * import { resolveStrict } from "@cohesive/shared";
 * import assert from "node:assert/strict";
 * const defaults = { steps: 100, name: "run" };
 * assert.deepEqual(resolveStrict(defaults, { steps: 5 }, "cfg"), { steps: 5, name: "run" });
 * assert.throws(() => resolveStrict(defaults, { stesp: 5 }, "cfg"), /cfg: unknown key "stesp"/);
 * assert.throws(() => resolveStrict(defaults, { steps: "5" }, "cfg"), /"steps" must be a number/);
 * ```
 */
export function resolveStrict<T extends object>(
  defaults: Readonly<T>,
  partial: Record<string, unknown>,
  source: string,
  opts: StrictOptions = {},
): T {
  const base = defaults as Record<string, unknown>;
  const out: Record<string, unknown> = structuredClone(base);
  for (const [k, v] of Object.entries(partial)) {
    if (v === undefined || opts.ignore?.has(k)) continue;
    if (!(k in base)) throw new TypeError(`${source}: unknown ${opts.noun ?? "key"} "${k}"`);
    const want = kindOf(base[k]);
    if (kindOf(v) !== want) {
      throw new TypeError(`${source}: "${k}" must be a ${want}, got ${JSON.stringify(v)}`);
    }
    out[k] = opts.merge?.includes(k) ? { ...(out[k] as object), ...(v as object) } : v;
  }
  return out as T;
}

/**
 * Check that every named value of `c` is a positive integer.
 *
 * @throws {RangeError} naming the first key that is not.
 */
export function requirePositiveIntegers<T extends object>(
  source: string,
  c: T,
  keys: readonly (keyof T & string)[],
): void {
  for (const k of keys) {
    const v = c[k];
    if (!Number.isInteger(v) || (v as number) <= 0) {
      throw new RangeError(`${source}: "${k}" must be a positive integer, got ${v}`);
    }
  }
}

/**
 * Check that `value` is one of `allowed`.
 *
 * @throws {RangeError} listing the allowed values (the empty string is not listed).
 */
export function requireOneOf(
  source: string,
  key: string,
  value: string,
  allowed: readonly string[],
): void {
  if (!allowed.includes(value)) {
    throw new RangeError(
      `${source}: "${key}" must be one of ${allowed.filter(Boolean).join(", ")}, got ${
        JSON.stringify(value)
      }`,
    );
  }
}
