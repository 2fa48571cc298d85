import assert from "node:assert/strict";
import { join } from "node:path";
import { lineSplit, maskRows, MlmStream, Rng } from "./mod.ts";

const tok = {
  encodeIds: (s: string) => s.split(" ").map((w) => 10 + (w.length % 50)),
  vocabSize: 64,
  clsId: 2,
  sepId: 3,
  padId: 0,
  maskId: 4,
};

async function folder(): Promise<string> {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(join(dir, "a.txt"), "a1 x\na2 xx\na3 xxx\n");
  await Deno.writeTextFile(join(dir, "b.txt"), "b1 y\n\nb2 yy\n");
  return dir;
}

Deno.test("a file stream interleaves files line by line and wraps into the next epoch", async () => {
  const dir = await folder();
  const seen: string[] = [];
  const s = await MlmStream.fromPath(dir, { ...tok, encodeIds: (t) => (seen.push(t), [11]) }, 3);
  await s.rows(7);
  // b.txt's empty line takes b's turn after "a2 xx" (empty lines are read, not tokenised).
  assert.deepEqual(seen, ["a1 x", "b1 y", "a2 xx", "a3 xxx", "b2 yy", "a1 x", "b1 y"]);
  assert.equal(s.state.epoch, 1);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a restored file stream continues exactly where the saved one stood", async () => {
  const dir = await folder();
  const a = await MlmStream.fromPath(dir, tok, 6);
  await a.rows(2);
  const saved = structuredClone(a.state);
  const rest = await a.rows(5);
  const b = (await MlmStream.fromPath(dir, tok, 6)).restore(saved);
  assert.deepEqual(await b.rows(5), rest);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("rows are packed to exactly seqLen with [SEP] between lines", async () => {
  const s = MlmStream.fromLines(["w w w", "v v"], tok, 8);
  const [row] = await s.rows(1);
  assert.equal(row.length, 8);
  assert.equal(row[0], tok.clsId);
  assert.equal(row.at(-1), tok.sepId);
  assert.deepEqual(row.slice(1, 6), [11, 11, 11, 3, 11]);
});

Deno.test("maskRows masks about 15 % of real tokens with the 80/10/10 rule and never specials", () => {
  const rows = Array.from({ length: 200 }, () => [2, ...Array(48).fill(20), 3]);
  const b = maskRows(rows, 50, tok, new Rng(1));
  const frac = b.positions.length / (200 * 48);
  assert.ok(frac > 0.13 && frac < 0.17, `masked fraction ${frac}`);
  let masked = 0, kept = 0;
  for (const p of b.positions) {
    const t = p % 50;
    assert.ok(t > 0 && t < 49, "a special token was masked");
    if (b.inputIds[p] === tok.maskId) masked++;
    else if (b.inputIds[p] === 20) kept++;
  }
  const n = b.positions.length;
  assert.ok(Math.abs(masked / n - 0.8) < 0.03, `[MASK] share ${masked / n}`);
  assert.ok(kept / n > 0.07 && kept / n < 0.14, `kept share ${kept / n}`);
  assert.ok(b.labels.every((l) => l === 20));
});

Deno.test("lineSplit is stable and holds out about the requested share", () => {
  assert.equal(lineSplit("some line", 2), lineSplit("some line", 2));
  let held = 0;
  for (let i = 0; i < 20000; i++) if (lineSplit(`line number ${i}`, 2) === "heldout") held++;
  assert.ok(held > 300 && held < 500, `${held} of 20000 held out`);
});
