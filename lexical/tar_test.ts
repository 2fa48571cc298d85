import assert from "node:assert/strict";
import { gunzip, readTar } from "./tar.ts";

function header(name: string, size: number, type = "0"): Uint8Array {
  const h = new Uint8Array(512);
  const enc = new TextEncoder();
  h.set(enc.encode(name), 0);
  h.set(enc.encode("0000644\0"), 100);
  h.set(enc.encode(size.toString(8).padStart(11, "0") + "\0"), 124);
  h.set(enc.encode("        "), 148);
  h.set(enc.encode(type), 156);
  h.set(enc.encode("ustar\0"), 257);
  const sum = h.reduce((a, b) => a + b, 0);
  h.set(enc.encode(sum.toString(8).padStart(6, "0") + "\0 "), 148);
  return h;
}

function tarOf(files: [string, string, string?][]): Uint8Array<ArrayBuffer> {
  const parts: Uint8Array[] = [];
  for (const [name, body, type] of files) {
    const data = new TextEncoder().encode(body);
    parts.push(header(name, data.length, type));
    const padded = new Uint8Array(Math.ceil(data.length / 512) * 512);
    padded.set(data);
    parts.push(padded);
  }
  parts.push(new Uint8Array(1024));
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) out.set(p, (at += p.length) - p.length);
  return out;
}

Deno.test("readTar() returns regular files with GNU long names and skips folders", async () => {
  const long = `dict/${"x".repeat(150)}`;
  const tar = tarOf([
    ["dict/", "", "5"],
    ["dict/index.noun", "a b\n"],
    ["././@LongLink", long, "L"],
    [
      "short",
      "y".repeat(700),
    ],
  ]);
  const gz = new Uint8Array(
    await new Response(new Blob([tar]).stream().pipeThrough(new CompressionStream("gzip")))
      .arrayBuffer(),
  );
  const entries = readTar(await gunzip(gz));
  assert.deepEqual(entries.map((e) => e.name), ["dict/index.noun", long]);
  assert.equal(new TextDecoder().decode(entries[0].data), "a b\n");
  assert.equal(entries[1].data.length, 700);
  const broken = tar.slice();
  broken[0] ^= 1;
  assert.throws(() => readTar(broken), /bad header checksum/);
});
