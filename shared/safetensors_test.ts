import assert from "node:assert/strict";
import { join } from "node:path";
import {
  readSafetensors,
  readSafetensorsFile,
  SafetensorsError,
  type TensorData,
  writeSafetensors,
  writeSafetensorsFile,
} from "./safetensors.ts";

/** Build a safetensors file by hand: 8-byte LE header length, the JSON as given, then the data. */
function handcraft(header: string, data: Uint8Array): Uint8Array {
  const json = new TextEncoder().encode(header);
  const out = new Uint8Array(8 + json.length + data.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  out.set(data, 8 + json.length);
  return out;
}

function u16le(...vals: number[]): Uint8Array {
  const b = new Uint8Array(vals.length * 2);
  const dv = new DataView(b.buffer);
  vals.forEach((v, i) => dv.setUint16(i * 2, v, true));
  return b;
}

function f32le(...vals: number[]): Uint8Array {
  const b = new Uint8Array(vals.length * 4);
  const dv = new DataView(b.buffer);
  vals.forEach((v, i) => dv.setFloat32(i * 4, v, true));
  return b;
}

function cat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

function expectError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof SafetensorsError, `expected SafetensorsError, got ${e}`);
    assert.ok(e instanceof SyntaxError);
    assert.match(e.message, pattern);
    assert.ok(!e.message.includes("\n"), "one line");
    return true;
  });
}

Deno.test("writeSafetensors() lays the file out like the reference implementation", () => {
  const tensors = new Map<string, TensorData>([
    ["b", { shape: [2], data: new Float32Array([1, -2]) }],
    ["a", { shape: [], data: new Float32Array([0.5]) }],
  ]);
  const bytes = writeSafetensors(tensors, { format: "pt" });
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  assert.equal(n % 8, 0, "header padded to 8 bytes");
  const json = '{"__metadata__":{"format":"pt"},' +
    '"a":{"dtype":"F32","shape":[],"data_offsets":[0,4]},' +
    '"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}}';
  const header = new TextDecoder().decode(bytes.subarray(8, 8 + n));
  assert.equal(header, json.padEnd(n, " "));
  assert.equal(n, Math.ceil(json.length / 8) * 8);
  assert.deepEqual(bytes.subarray(8 + n), f32le(0.5, 1, -2));
});

Deno.test("readSafetensors() round-trips float32 bit-exactly and views aligned data without copying", () => {
  const weird = new Float32Array([NaN, -0, Infinity, 1e-45, 3.4028234663852886e38, -1.5]);
  const bits = new Uint32Array(weird.buffer).slice();
  bits[0] = 0x7fc01234; // a NaN with a payload
  const data = new Float32Array(bits.buffer);
  const tensors = new Map<string, TensorData>([
    ["x.weight", { shape: [2, 3], data }],
    ["empty", { shape: [0, 4], data: new Float32Array(0) }],
  ]);
  const bytes = writeSafetensors(tensors, { note: "hi" });
  const back = readSafetensors(bytes);
  assert.deepEqual(back.metadata, { note: "hi" });
  const x = back.tensors.get("x.weight")!;
  assert.equal(x.dtype, "F32");
  assert.deepEqual(x.shape, [2, 3]);
  assert.deepEqual(new Uint32Array(x.data.buffer, x.data.byteOffset, 6), bits);
  assert.equal(x.data.buffer, bytes.buffer, "aligned F32 is a view, not a copy");
  assert.deepEqual(back.tensors.get("empty")!.shape, [0, 4]);
  assert.equal(back.tensors.get("empty")!.data.length, 0);
});

Deno.test("readSafetensors() reads a handcrafted file with an unaligned header by copying", () => {
  // 57-byte JSON: the data section starts at byte 65, so F32 data cannot be viewed in place.
  const header = '{"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}} ';
  const bytes = handcraft(header, f32le(1.25, -3));
  assert.notEqual((8 + header.length) % 4, 0);
  const { tensors, metadata } = readSafetensors(bytes, "hand.safetensors");
  assert.deepEqual(metadata, {});
  const w = tensors.get("w")!;
  assert.deepEqual([...w.data], [1.25, -3]);
  assert.notEqual(w.data.buffer, bytes.buffer);
});

Deno.test("readSafetensors() decodes F16 and BF16 to the hand-computed float32 values", () => {
  const f16 = u16le(
    0x3c00, // 1
    0xc000, // -2
    0x3555, // 0.333251953125
    0x7bff, // 65504, the largest half
    0x0001, // 2^-24, the smallest subnormal
    0x0400, // 2^-14, the smallest normal
    0x8000, // -0
    0x7c00, // +inf
    0xfc00, // -inf
    0x7e00, // NaN
  );
  const bf16 = u16le(
    0x3f80, // 1
    0xc040, // -3
    0x4049, // 3.140625
    0x3eab, // 0.333984375
    0x7f80, // +inf
    0x0001, // 2^-133 (a float32 subnormal)
  );
  const header = JSON.stringify({
    __metadata__: { format: "pt" },
    h: { dtype: "F16", shape: [2, 5], data_offsets: [0, 20] },
    b: { dtype: "BF16", shape: [6], data_offsets: [20, 32] },
  });
  const { tensors } = readSafetensors(handcraft(header, cat(f16, bf16)));
  const h = tensors.get("h")!;
  assert.equal(h.dtype, "F16");
  assert.deepEqual(h.shape, [2, 5]);
  assert.deepEqual(
    [...h.data].slice(0, 9),
    [1, -2, 0.333251953125, 65504, 2 ** -24, 2 ** -14, -0, Infinity, -Infinity],
  );
  assert.ok(Object.is(h.data[6], -0));
  assert.ok(Number.isNaN(h.data[9]));
  const b = tensors.get("b")!;
  assert.equal(b.dtype, "BF16");
  assert.deepEqual([...b.data], [1, -3, 3.140625, 0.333984375, Infinity, 2 ** -133]);
});

Deno.test("readSafetensors() converts F64, integer and float8 tensors to float32", () => {
  const f64 = new Uint8Array(new Float64Array([0.1, -2]).buffer);
  const i64 = new Uint8Array(new BigInt64Array([0n, 1n, -5n]).buffer);
  const i32 = new Uint8Array(new Int32Array([7, -8]).buffer);
  const e4m3 = new Uint8Array([0x38, 0x7e, 0x01, 0xb8]); // 1, 448, 2^-9, -1
  const e5m2 = new Uint8Array([0x3c, 0x7b, 0, 0]); // 1, 57344, 0, 0
  const header = JSON.stringify({
    d: { dtype: "F64", shape: [2], data_offsets: [0, 16] },
    ids: { dtype: "I64", shape: [1, 3], data_offsets: [16, 40] },
    i: { dtype: "I32", shape: [2], data_offsets: [40, 48] },
    e4: { dtype: "F8_E4M3", shape: [4], data_offsets: [48, 52] },
    e5: { dtype: "F8_E5M2", shape: [4], data_offsets: [52, 56] },
  });
  const { tensors } = readSafetensors(handcraft(header, cat(f64, i64, i32, e4m3, e5m2)));
  assert.deepEqual([...tensors.get("d")!.data], [Math.fround(0.1), -2]);
  assert.deepEqual([...tensors.get("ids")!.data], [0, 1, -5]);
  assert.deepEqual([...tensors.get("i")!.data], [7, -8]);
  assert.deepEqual([...tensors.get("e4")!.data], [1, 448, 2 ** -9, -1]);
  assert.deepEqual([...tensors.get("e5")!.data], [1, 57344, 0, 0]);
});

Deno.test("readSafetensors() names the file and the problem for malformed files", () => {
  const good = writeSafetensors(
    new Map([["w", { shape: [4], data: new Float32Array([1, 2, 3, 4]) }]]),
  );
  expectError(
    () => readSafetensors(good.subarray(0, good.length - 6), "m.safetensors"),
    /^m\.safetensors: truncated: header says 16 bytes of data, file has 10$/,
  );
  expectError(
    () => readSafetensors(good.subarray(0, 5), "m.safetensors"),
    /^m\.safetensors: .*8-byte/,
  );
  expectError(
    () => readSafetensors(good.subarray(0, 20)),
    /^model\.safetensors: truncated: header/,
  );
  expectError(() => readSafetensors(handcraft("{not json", new Uint8Array())), /bad header/);
  expectError(() => readSafetensors(handcraft("[1,2]", new Uint8Array())), /not an object/);
  const huge = new Uint8Array(16);
  new DataView(huge.buffer).setBigUint64(0, 1n << 40n, true);
  expectError(() => readSafetensors(huge), /over 100 MB/);
  expectError(
    () =>
      readSafetensors(
        handcraft(
          JSON.stringify({
            a: { dtype: "F32", shape: [2], data_offsets: [0, 8] },
            b: { dtype: "F32", shape: [2], data_offsets: [4, 12] },
          }),
          new Uint8Array(12),
        ),
      ),
    /tensor "b" data_offsets \[4,12\] overlap tensor "a" \[0,8\]/,
  );
  expectError(
    () =>
      readSafetensors(
        handcraft(
          JSON.stringify({ a: { dtype: "F32", shape: [3], data_offsets: [0, 8] } }),
          new Uint8Array(8),
        ),
      ),
    /tensor "a": shape \[3\] of F32 needs 12 bytes, data_offsets \[0,8\] hold 8/,
  );
  expectError(
    () =>
      readSafetensors(
        handcraft(
          JSON.stringify({ a: { dtype: "F32", shape: [1], data_offsets: [4, 8] } }),
          new Uint8Array(8),
        ),
      ),
    /4 unaccounted bytes before tensor "a"/,
  );
  expectError(
    () =>
      readSafetensors(
        handcraft(
          JSON.stringify({ a: { dtype: "F32", shape: [1], data_offsets: [0, 4] } }),
          new Uint8Array(6),
        ),
      ),
    /2 unexpected bytes after the last tensor/,
  );
  expectError(
    () =>
      readSafetensors(
        handcraft(
          JSON.stringify({ a: { dtype: "Q4", shape: [1], data_offsets: [0, 1] } }),
          new Uint8Array(1),
        ),
      ),
    /tensor "a": unsupported dtype "Q4"/,
  );
  expectError(
    () =>
      readSafetensors(
        handcraft(JSON.stringify({ __metadata__: { n: 1 } }), new Uint8Array()),
      ),
    /__metadata__ value "n" is not a string/,
  );
});

Deno.test("writeSafetensors() refuses data that disagrees with its shape", () => {
  assert.throws(
    () => writeSafetensors(new Map([["w", { shape: [3], data: new Float32Array(2) }]])),
    RangeError,
  );
  assert.throws(
    () => writeSafetensors(new Map([["__metadata__", { shape: [1], data: new Float32Array(1) }]])),
    TypeError,
  );
});

Deno.test("writeSafetensorsFile() streams the same bytes writeSafetensors() builds", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const tensors = new Map<string, TensorData>([
      ["z", { shape: [3], data: new Float32Array([1, 2, 3]) }],
      ["y", { shape: [1, 1], data: new Float32Array([4]) }],
    ]);
    const path = join(dir, "t.safetensors");
    await writeSafetensorsFile(path, tensors, { format: "pt" });
    assert.deepEqual(await Deno.readFile(path), writeSafetensors(tensors, { format: "pt" }));
    const back = await readSafetensorsFile(path);
    assert.deepEqual([...back.tensors.get("z")!.data], [1, 2, 3]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
