/**
 * Atomic file writes: a temporary file in the same folder, then a rename.
 *
 * @module
 */
import { dirname, join } from "node:path";

/**
 * Write `data` to `path` atomically: readers see the old file or the new one, never a torn write.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeFileAtomic } from "@cohesive/shared";
 * const dir = await Deno.makeTempDir();
 * await writeFileAtomic(`${dir}/a.json`, JSON.stringify({ ok: true }));
 * assert.deepEqual(JSON.parse(await Deno.readTextFile(`${dir}/a.json`)), { ok: true });
 * assert.deepEqual((await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name), ["a.json"]);
 * ```
 */
export async function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${crypto.randomUUID()}.tmp`);
  try {
    if (typeof data === "string") await Deno.writeTextFile(tmp, data);
    else await Deno.writeFile(tmp, data);
    await Deno.rename(tmp, path);
  } catch (e) {
    await Deno.remove(tmp).catch(() => {});
    throw e;
  }
}

/** Synchronous {@link writeFileAtomic}, for signal handlers and exit paths. */
export function writeFileAtomicSync(path: string, data: Uint8Array | string): void {
  Deno.mkdirSync(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${crypto.randomUUID()}.tmp`);
  try {
    if (typeof data === "string") Deno.writeTextFileSync(tmp, data);
    else Deno.writeFileSync(tmp, data);
    Deno.renameSync(tmp, path);
  } catch (e) {
    try {
      Deno.removeSync(tmp);
    } catch { /* already gone */ }
    throw e;
  }
}
