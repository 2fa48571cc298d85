/**
 * Atomic writes: a file or a folder is written under a hidden temporary name beside its target and
 * renamed into place, so readers see the old version or the new one, never a torn write; a failed
 * write leaves the target as it was and removes its temporary.
 *
 * @module
 */
import { basename, dirname, join } from "node:path";

/** A fresh hidden name beside `path` (same folder, so a rename onto `path` is atomic). */
export function tempSibling(path: string, tag = "tmp"): string {
  return join(dirname(path), `.${basename(path)}.${tag}-${crypto.randomUUID()}`);
}

/**
 * Write `path` atomically through `write`, which fills the temporary file (or folder) it is given;
 * `commit` moves it into place (default: a rename).
 *
 * @example
 * ```ts
 * import { writeAtomic } from "@cohesive/shared";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await writeAtomic(`${dir}/a.txt`, (tmp) => Deno.writeTextFile(tmp, "new"));
 * await assert.rejects(writeAtomic(`${dir}/a.txt`, () => Promise.reject(new Error("disk full"))));
 * assert.equal(await Deno.readTextFile(`${dir}/a.txt`), "new");
 * assert.deepEqual([...Deno.readDirSync(dir)].map((e) => e.name), ["a.txt"]);
 * ```
 */
export async function writeAtomic(
  path: string,
  write: (tmp: string) => Promise<void>,
  commit: (tmp: string, path: string) => Promise<void> = Deno.rename,
): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  const tmp = tempSibling(path);
  try {
    await write(tmp);
    await commit(tmp, path);
  } catch (e) {
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw e;
  }
}

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
export function writeFileAtomic(path: string, data: Uint8Array | string): Promise<void> {
  return writeAtomic(
    path,
    (tmp) => typeof data === "string" ? Deno.writeTextFile(tmp, data) : Deno.writeFile(tmp, data),
  );
}

/** fsync a folder (its entries), where the platform can; renames stay atomic where it cannot. */
export async function syncDir(path: string): Promise<void> {
  try {
    using d = await Deno.open(path, { read: true });
    await d.sync();
  } catch {
    // Not every platform can fsync a folder; the renames are still atomic.
  }
}

/**
 * Move the folder `tmp` to `target`, replacing whatever folder is there: the old one is renamed
 * away first and deleted last, so a crash leaves the old folder or the new one, never a mix. On
 * failure the old folder is put back and `tmp` removed.
 */
export async function replaceDir(tmp: string, target: string): Promise<void> {
  const existing = await Deno.stat(target).then(() => true, (e) => {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  });
  const old = existing ? tempSibling(target, "old") : undefined;
  if (old) await Deno.rename(target, old);
  try {
    await Deno.rename(tmp, target);
  } catch (e) {
    if (old) await Deno.rename(old, target).catch(() => {});
    await Deno.remove(tmp, { recursive: true }).catch(() => {});
    throw e;
  }
  await syncDir(dirname(target));
  if (old) await Deno.remove(old, { recursive: true });
}

/**
 * Write the folder `target` atomically: `fill` writes every file into a fresh hidden sibling
 * folder, which then replaces `target` whole ({@link replaceDir}).
 *
 * @example
 * ```ts
 * import { writeDirAtomic } from "@cohesive/shared";
 * import assert from "node:assert/strict";
 * const dir = await Deno.makeTempDir();
 * await writeDirAtomic(`${dir}/m`, (tmp) => Deno.writeTextFile(`${tmp}/old.txt`, "1"));
 * await writeDirAtomic(`${dir}/m`, (tmp) => Deno.writeTextFile(`${tmp}/new.txt`, "2"));
 * assert.deepEqual([...Deno.readDirSync(`${dir}/m`)].map((e) => e.name), ["new.txt"]);
 * ```
 */
export async function writeDirAtomic(
  target: string,
  fill: (tmp: string) => Promise<void>,
): Promise<void> {
  const write = async (tmp: string) => {
    await Deno.mkdir(tmp);
    await fill(tmp);
    await syncDir(tmp);
  };
  await writeAtomic(target, write, replaceDir);
}
