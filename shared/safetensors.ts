/**
 * The safetensors format (Hugging Face): read any numeric dtype into `Float32Array`s, write `F32`.
 *
 * Layout of a file: an 8-byte little-endian unsigned header length `N`, then `N` bytes of UTF-8
 * JSON (`{"__metadata__": {..strings..}, "name": {"dtype", "shape", "data_offsets": [begin, end]}}`,
 * offsets relative to the data section), then the data section: every tensor's little-endian bytes,
 * contiguous, in offset order, with nothing left over.
 *
 * @module
 */
import { isRecord } from "./strict_config.ts";

/** Element types of the safetensors format that {@link readSafetensors} decodes. */
export type SafetensorsDtype =
  | "BOOL"
  | "U8"
  | "I8"
  | "U16"
  | "I16"
  | "F16"
  | "BF16"
  | "U32"
  | "I32"
  | "F32"
  | "F64"
  | "U64"
  | "I64"
  | "F8_E4M3"
  | "F8_E5M2";

/** Bytes per element of each supported dtype. */
const DTYPE_SIZE: Readonly<Record<SafetensorsDtype, number>> = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  U16: 2,
  I16: 2,
  F16: 2,
  BF16: 2,
  U32: 4,
  I32: 4,
  F32: 4,
  F64: 8,
  U64: 8,
  I64: 8,
  F8_E4M3: 1,
  F8_E5M2: 1,
};

/** A tensor on the host: its shape and its row-major `Float32Array` data (`prod(shape)` values). */
export interface TensorData {
  /** Dimensions, outermost first; `[]` is a scalar holding one value. */
  shape: number[];
  /** Row-major values; `data.length === prod(shape)`. */
  data: Float32Array;
}

/** A tensor read from a safetensors file: its values as float32 and the dtype it was stored in. */
export interface SafetensorsTensor extends TensorData {
  /** The dtype in the file; `data` is always float32 whatever this says. */
  dtype: SafetensorsDtype;
}

/** The contents of a safetensors file. */
export interface SafetensorsContents {
  /** Tensors by name, in header order. */
  tensors: Map<string, SafetensorsTensor>;
  /** The free-form `__metadata__` string map (`{}` when the file has none). */
  metadata: Record<string, string>;
}

/** A malformed safetensors file; the message names the file and what is wrong with it. */
export class SafetensorsError extends SyntaxError {
  /**
   * Create the error.
   *
   * @param message one line: `<file>: <problem>`.
   * @param options standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "SafetensorsError";
  }
}

/** The reference implementation refuses headers larger than this (100 MB). */
const MAX_HEADER_BYTES = 100_000_000;

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

function requireLittleEndian(): void {
  if (!LITTLE_ENDIAN) {
    throw new RangeError("safetensors: big-endian hosts are not supported");
  }
}

function isCount(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v) && v >= 0;
}

/** A shape as `[2,3]`, for error messages. */
export function fmtShape(shape: readonly number[]): string {
  return `[${shape.join(",")}]`;
}

let halfTable: Float32Array | undefined;

/** float16 bit pattern → float32 value, for all 65 536 patterns (built on first use, 256 KiB). */
function f16Table(): Float32Array {
  if (halfTable) return halfTable;
  const t = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) t[h] = sign * frac * 2 ** -24; // subnormal (and ±0)
    else if (exp === 31) t[h] = frac ? NaN : sign * Infinity;
    else t[h] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  return (halfTable = t);
}

/** float8 e4m3fn (no infinities; S.1111.111 is NaN) → float32. */
function e4m3(b: number): number {
  const sign = b & 0x80 ? -1 : 1;
  const exp = (b >> 3) & 0xf;
  const man = b & 7;
  if (exp === 15 && man === 7) return NaN;
  if (exp === 0) return sign * man * 2 ** -9;
  return sign * (1 + man / 8) * 2 ** (exp - 7);
}

interface TypedArrayCtor<T> {
  new (buffer: ArrayBufferLike, byteOffset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
}

/** A typed view of `count` elements at `start` of `bytes`: no copy when aligned, a copy otherwise. */
function typedView<T>(ctor: TypedArrayCtor<T>, bytes: Uint8Array, start: number, count: number): T {
  const abs = bytes.byteOffset + start;
  if (abs % ctor.BYTES_PER_ELEMENT === 0) return new ctor(bytes.buffer, abs, count);
  const copy = bytes.slice(start, start + count * ctor.BYTES_PER_ELEMENT);
  return new ctor(copy.buffer, 0, count);
}

function decode(
  bytes: Uint8Array,
  start: number,
  count: number,
  dtype: SafetensorsDtype,
): Float32Array {
  switch (dtype) {
    case "F32":
      return typedView(Float32Array, bytes, start, count);
    case "F16": {
      const src = typedView(Uint16Array, bytes, start, count);
      const table = f16Table();
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = table[src[i]];
      return out;
    }
    case "BF16": {
      const src = typedView(Uint16Array, bytes, start, count);
      const bits = new Uint32Array(count); // bfloat16 is the top half of a float32
      for (let i = 0; i < count; i++) bits[i] = src[i] << 16;
      return new Float32Array(bits.buffer);
    }
    case "F8_E5M2": {
      const table = f16Table(); // e5m2 is the top byte of a float16
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = table[bytes[start + i] << 8];
      return out;
    }
    case "F8_E4M3": {
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = e4m3(bytes[start + i]);
      return out;
    }
    case "F64":
      return new Float32Array(typedView(Float64Array, bytes, start, count));
    case "BOOL":
    case "U8":
      return new Float32Array(bytes.subarray(start, start + count));
    case "I8":
      return new Float32Array(new Int8Array(bytes.buffer, bytes.byteOffset + start, count));
    case "U16":
      return new Float32Array(typedView(Uint16Array, bytes, start, count));
    case "I16":
      return new Float32Array(typedView(Int16Array, bytes, start, count));
    case "U32":
      return new Float32Array(typedView(Uint32Array, bytes, start, count));
    case "I32":
      return new Float32Array(typedView(Int32Array, bytes, start, count));
    case "U64":
    case "I64": {
      const src = dtype === "I64"
        ? typedView(BigInt64Array, bytes, start, count)
        : typedView(BigUint64Array, bytes, start, count);
      const out = new Float32Array(count);
      for (let i = 0; i < count; i++) out[i] = Number(src[i]);
      return out;
    }
  }
}

interface Entry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  begin: number;
  end: number;
}

/**
 * Parse a safetensors file held in memory. Every tensor comes back as float32: `F32` data is a view
 * into `bytes` when 4-byte aligned (no copy; it shares memory with `bytes`) and a copy otherwise;
 * `F16`, `BF16`, `F64`, float8 and integer dtypes are converted.
 *
 * The file is validated as strictly as the reference implementation: the header fits in the file
 * and is a JSON object, every dtype is known, every `data_offsets` range holds exactly
 * `prod(shape) * sizeof(dtype)` bytes, and the ranges tile the data section with no overlap, gap
 * or trailing bytes.
 *
 * @param bytes the whole file.
 * @param name the file's name or path, used to start every error message.
 * @throws {SafetensorsError} naming the file and the problem, e.g.
 *   `model.safetensors: truncated: header says 1234 bytes of data, file has 1000`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { readSafetensors, writeSafetensors } from "@cohesive/shared";
 * const bytes = writeSafetensors(new Map([["w", { shape: [2], data: new Float32Array([1, 2]) }]]));
 * const { tensors } = readSafetensors(bytes);
 * assert.deepEqual(tensors.get("w")?.data, new Float32Array([1, 2]));
 * ```
 */
export function readSafetensors(
  bytes: Uint8Array,
  name = "model.safetensors",
): SafetensorsContents {
  requireLittleEndian();
  const fail: Fail = (problem, cause) =>
    new SafetensorsError(`${name}: ${problem}`, cause === undefined ? undefined : { cause });
  const { header, dataStart } = readHeader(bytes, fail);
  const metadata: Record<string, string> = {};
  const entries: Entry[] = [];
  for (const [key, value] of Object.entries(header)) {
    if (key === "__metadata__") Object.assign(metadata, readMetadata(value, fail));
    else entries.push(readEntry(key, value, fail));
  }
  checkLayout(entries, bytes.length - dataStart, fail);
  const tensors = new Map<string, SafetensorsTensor>();
  for (const e of entries) {
    const count = (e.end - e.begin) / DTYPE_SIZE[e.dtype];
    const data = decode(bytes, dataStart + e.begin, count, e.dtype);
    tensors.set(e.name, { shape: e.shape, data, dtype: e.dtype });
  }
  return { tensors, metadata };
}

/** Makes the error of a file's problem. */
type Fail = (problem: string, cause?: unknown) => SafetensorsError;

/** The JSON header of a file and where its data starts. */
function readHeader(
  bytes: Uint8Array,
  fail: Fail,
): { header: Record<string, unknown>; dataStart: number } {
  if (bytes.length < 8) {
    throw fail(`truncated: ${bytes.length} bytes, too short for the 8-byte header length`);
  }
  const headerLen = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (headerLen > BigInt(MAX_HEADER_BYTES)) {
    throw fail(`header length ${headerLen} is over 100 MB: not a safetensors file?`);
  }
  const n = Number(headerLen);
  if (8 + n > bytes.length) {
    throw fail(
      `truncated: header length says ${n} bytes of JSON, file has ${bytes.length - 8} after it`,
    );
  }
  let header: unknown;
  try {
    const text = new TextDecoder("utf-8", { fatal: true }).decode(bytes.subarray(8, 8 + n));
    header = JSON.parse(text);
  } catch (e) {
    throw fail(`bad header: not valid UTF-8 JSON (${(e as Error).message})`, e);
  }
  if (!isRecord(header)) throw fail("bad header: the JSON is not an object");
  return { header, dataStart: 8 + n };
}

/** The `__metadata__` entry: string values only. */
function readMetadata(value: unknown, fail: Fail): Record<string, string> {
  if (!isRecord(value)) throw fail("bad header: __metadata__ is not an object");
  const metadata: Record<string, string> = {};
  for (const [mk, mv] of Object.entries(value)) {
    if (typeof mv !== "string") {
      throw fail(`bad header: __metadata__ value "${mk}" is not a string`);
    }
    metadata[mk] = mv;
  }
  return metadata;
}

/** One tensor's header entry, checked: a known dtype, a shape, offsets that fit the shape. */
function readEntry(key: string, value: unknown, fail: Fail): Entry {
  if (!isRecord(value)) throw fail(`bad header: entry for tensor "${key}" is not an object`);
  const { dtype, shape, data_offsets: offs } = value;
  if (typeof dtype !== "string" || !(dtype in DTYPE_SIZE)) {
    throw fail(`tensor "${key}": unsupported dtype ${JSON.stringify(dtype)}`);
  }
  if (!Array.isArray(shape) || !shape.every(isCount)) {
    throw fail(`tensor "${key}": shape ${JSON.stringify(shape)} is not a list of sizes`);
  }
  if (!Array.isArray(offs) || offs.length !== 2 || !offs.every(isCount) || offs[1] < offs[0]) {
    throw fail(`tensor "${key}": data_offsets ${JSON.stringify(offs)} is not [begin, end]`);
  }
  const dt = dtype as SafetensorsDtype;
  const need = shape.reduce((a: number, b: number) => a * b, 1) * DTYPE_SIZE[dt];
  if (offs[1] - offs[0] !== need) {
    throw fail(
      `tensor "${key}": shape ${fmtShape(shape)} of ${dt} needs ${need} bytes, ` +
        `data_offsets [${offs[0]},${offs[1]}] hold ${offs[1] - offs[0]}`,
    );
  }
  return { name: key, dtype: dt, shape: [...shape], begin: offs[0], end: offs[1] };
}

/** The tensors' data must tile the data section exactly: no gap, no overlap, nothing after. */
function checkLayout(entries: Entry[], dataLen: number, fail: Fail): void {
  const maxEnd = entries.reduce((m, e) => Math.max(m, e.end), 0);
  if (maxEnd > dataLen) {
    throw fail(`truncated: header says ${maxEnd} bytes of data, file has ${dataLen}`);
  }
  const byOffset = [...entries].sort((a, b) => a.begin - b.begin || a.end - b.end);
  let pos = 0;
  let prev: Entry | undefined;
  for (const e of byOffset) {
    if (e.begin < pos && prev) {
      throw fail(
        `tensor "${e.name}" data_offsets [${e.begin},${e.end}] overlap tensor "${prev.name}" ` +
          `[${prev.begin},${prev.end}]`,
      );
    }
    if (e.begin > pos) {
      throw fail(
        `${e.begin - pos} unaccounted bytes before tensor "${e.name}" at offset ${pos} ` +
          `(data_offsets must be contiguous)`,
      );
    }
    pos = e.end;
    prev = e;
  }
  if (pos !== dataLen) {
    throw fail(`${dataLen - pos} unexpected bytes after the last tensor (data ends at ${pos})`);
  }
}

/** Header bytes (length + padded JSON) and the tensors in file order. */
interface Layout {
  header: Uint8Array;
  order: [string, TensorData][];
  dataBytes: number;
}

function layout(tensors: Map<string, TensorData>, metadata?: Record<string, string>): Layout {
  const obj: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) {
    for (const [k, v] of Object.entries(metadata)) {
      if (typeof v !== "string") {
        throw new TypeError(`safetensors metadata "${k}" must be a string, got ${typeof v}`);
      }
    }
    obj.__metadata__ = { ...metadata };
  }
  const names = [...tensors.keys()].sort();
  const order: [string, TensorData][] = [];
  let offset = 0;
  for (const name of names) {
    const t = tensors.get(name)!;
    if (name === "" || name === "__metadata__") {
      throw new TypeError(`safetensors: tensor name ${JSON.stringify(name)} is not allowed`);
    }
    if (!(t.data instanceof Float32Array)) {
      throw new TypeError(`safetensors: tensor "${name}" data must be a Float32Array`);
    }
    if (!Array.isArray(t.shape) || !t.shape.every(isCount)) {
      throw new TypeError(`safetensors: tensor "${name}" shape ${JSON.stringify(t.shape)}`);
    }
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (size !== t.data.length) {
      throw new RangeError(
        `safetensors: tensor "${name}" has shape ${fmtShape(t.shape)} (${size} values) ` +
          `but ${t.data.length} values`,
      );
    }
    obj[name] = { dtype: "F32", shape: [...t.shape], data_offsets: [offset, offset + size * 4] };
    order.push([name, t]);
    offset += size * 4;
  }
  const json = new TextEncoder().encode(JSON.stringify(obj));
  const padded = Math.ceil(json.length / 8) * 8; // the reference pads with spaces to 8 bytes
  const header = new Uint8Array(8 + padded).fill(0x20, 8 + json.length);
  new DataView(header.buffer).setBigUint64(0, BigInt(padded), true);
  header.set(json, 8);
  return { header, order, dataBytes: offset };
}

function bytesOf(a: Float32Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

/**
 * Serialise float32 tensors as a safetensors file, as the reference implementation lays it out:
 * `__metadata__` first, tensors sorted by name with contiguous offsets, the JSON header padded with
 * spaces to a multiple of 8 bytes (so every tensor starts 8-byte aligned). Values are copied
 * bit-exactly (NaN payloads included).
 *
 * @param tensors name → float32 tensor; `data.length` must equal `prod(shape)`.
 * @param metadata optional free-form strings, e.g. `{ format: "pt" }` (which Hugging Face
 *   `transformers` requires to load a model file).
 * @throws {TypeError} on a bad name, shape or data type; {RangeError} when a shape and its data
 *   disagree.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { writeSafetensors } from "@cohesive/shared";
 * const bytes = writeSafetensors(new Map([["b", { shape: [], data: new Float32Array([0.5]) }]]), {
 *   format: "pt",
 * });
 * assert.equal(bytes.length % 8, 4); // 8-byte length, padded header, one 4-byte value
 * ```
 */
export function writeSafetensors(
  tensors: Map<string, TensorData>,
  metadata?: Record<string, string>,
): Uint8Array {
  requireLittleEndian();
  const { header, order, dataBytes } = layout(tensors, metadata);
  const out = new Uint8Array(header.length + dataBytes);
  out.set(header);
  let pos = header.length;
  for (const [, t] of order) {
    out.set(bytesOf(t.data), pos);
    pos += t.data.byteLength;
  }
  return out;
}

/**
 * Read and parse a safetensors file from disk ({@link readSafetensors} with the path as its name).
 *
 * @throws {SafetensorsError} when the file is malformed; `Deno.errors.NotFound` when it is absent.
 */
export async function readSafetensorsFile(path: string): Promise<SafetensorsContents> {
  return readSafetensors(await Deno.readFile(path), path);
}

/**
 * Write a safetensors file to disk without building it in memory first (the header, then each
 * tensor's bytes), and flush it to storage. Not atomic by itself: write to a temporary path and
 * rename, or into a folder that is renamed into place (as `saveCheckpoint` does).
 *
 * @throws the same errors as {@link writeSafetensors}.
 */
export async function writeSafetensorsFile(
  path: string,
  tensors: Map<string, TensorData>,
  metadata?: Record<string, string>,
): Promise<void> {
  requireLittleEndian();
  const { header, order } = layout(tensors, metadata);
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  await writeAll(file, header);
  for (const [, t] of order) await writeAll(file, bytesOf(t.data));
  await file.sync();
}

async function writeAll(file: Deno.FsFile, bytes: Uint8Array): Promise<void> {
  let off = 0;
  while (off < bytes.length) off += await file.write(bytes.subarray(off));
}
