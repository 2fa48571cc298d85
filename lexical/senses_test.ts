import assert from "node:assert/strict";
import { join } from "node:path";
import { ensureFixtures } from "@cohesive/fixtures";
import { BertModel, initRuntime, loadCheckpoint, WordPieceTokenizer } from "@cohesive/shared";
import { tf } from "@cohesive/shared/tf";
import { main } from "./main.ts";
import { corpusXml, RIVER_KEYS, RIVER_SENTENCE } from "./_test_utils.ts";
import {
  buildSenseTable,
  contextVectors,
  corpusOccurrences,
  disambiguateNeural,
  instancePairs,
  loadWsdModel,
  parseKeys,
  parseRaganatoXml,
  readKeys,
  readSenseTable,
  SENSE_FILE,
  senseProbabilities,
  WordNet,
  writeSenseTable,
} from "./mod.ts";

await initRuntime({ backend: "wasm", quiet: true });
const wn = await WordNet.load();
const fx = await ensureFixtures();
const ck = await loadCheckpoint(join(fx, "tiny-bert"));
const model = BertModel.fromWeights(ck.config, ck.weights);
const tok = WordPieceTokenizer.fromVocab(ck.vocab!);
const H = ck.config.hidden_size;

// "bank" twice, in two senses, in two sentences.
const XML = corpusXml(
  RIVER_SENTENCE,
  `<sentence id="d000.s001">
<wf lemma="she" pos="PRON">She</wf>
<instance id="d000.s001.t000" lemma="deposit" pos="VERB">deposited</instance>
<wf lemma="her" pos="PRON">her</wf>
<instance id="d000.s001.t001" lemma="salary" pos="NOUN">salary</instance>
<wf lemma="at" pos="ADP">at</wf>
<wf lemma="the" pos="DET">the</wf>
<instance id="d000.s001.t002" lemma="bank" pos="NOUN">bank</instance>
<wf lemma="." pos=".">.</wf>
</sentence>
`,
);
const KEYS = RIVER_KEYS +
  "d000.s001.t000 deposit%2:40:00::\nd000.s001.t001 salary%1:21:00::\nd000.s001.t002 bank%1:14:00::\n";

function norm(v: Float32Array): number {
  return Math.sqrt(v.reduce((a, x) => a + x * x, 0));
}

Deno.test("context vectors: unit length, three parts, the same alone as in a batch", async () => {
  const occ = [...corpusOccurrences(parseRaganatoXml(XML)).values()];
  assert.equal(occ.length, 6);
  assert.equal(occ[0].words, occ[2].words); // one sentence, one array: encoded once
  const all = await contextVectors(model, tok, occ, { batchSize: 2 });
  for (const v of all) {
    assert.equal(v!.length, 3 * H);
    assert.ok(Math.abs(norm(v!) - 1) < 1e-5);
    for (let part = 0; part < 3; part++) {
      const p = v!.subarray(part * H, (part + 1) * H);
      assert.ok(Math.abs(norm(p) - 1 / Math.sqrt(3)) < 1e-5); // each part has an equal share
    }
  }
  // Padding and batch-mates do not change a vector; the sentence part is shared within a sentence.
  const alone = await contextVectors(model, tok, [occ[4]]);
  for (let j = 0; j < 3 * H; j++) assert.ok(Math.abs(alone[0]![j] - all[4]![j]) < 1e-4, `dim ${j}`);
  for (let j = 2 * H; j < 3 * H; j++) assert.ok(Math.abs(all[0]![j] - all[1]![j]) < 1e-6);
  assert.notDeepEqual(all[1], all[5]); // bank by the river ≠ bank with the salary
  // Parts by hand, from the pieces' offsets in "He sat on the bank of the river .".
  const text = occ[1].words.join(" ");
  const enc = tok.encodeBatch([text]);
  const offsets = enc.encodings[0].offsets;
  const start = text.indexOf("bank");
  const real = offsets.map((o, t) => (o[1] > o[0] ? t : -1)).filter((t) => t >= 0);
  const bank = real.filter((t) => offsets[t][0] >= start && offsets[t][1] <= start + 4);
  assert.ok(bank.length >= 1 && real.length === enc.shape[1] - 2);
  const states = tf.tidy(() =>
    model.forward({ inputIds: tf.tensor2d(enc.ids, enc.shape, "int32") }).arraySync()[0]
  );
  const unitMean = (rows: number[]) => {
    const m = Array.from({ length: H }, (_, j) => rows.reduce((a, t) => a + states[t][j], 0));
    const n = Math.hypot(...m);
    return m.map((x) => x / n / Math.sqrt(3));
  };
  const [first, last] = [bank[0], bank[bank.length - 1]];
  const expected = [
    ...unitMean(bank),
    ...unitMean([first - 2, first - 1, last + 1, last + 2]),
    ...unitMean(real),
  ];
  expected.forEach((x, j) => assert.ok(Math.abs(x - all[1]![j]) < 1e-4, `dim ${j}`));
  // A target past the truncation has no vector; an index outside the sentence is an error.
  const long = { words: [...Array.from({ length: 40 }, () => "water"), "bank"], index: 40 };
  assert.deepEqual(await contextVectors(model, tok, [long], { maxLength: 16 }), [undefined]);
  await assert.rejects(
    () => contextVectors(model, tok, [{ words: ["a"], index: 3 }]),
    /index 3 outside its 1 words/,
  );
});

Deno.test("a sense table: one unit centroid per tagged sense; each bank occurrence is nearest its own", async () => {
  const corpus = parseRaganatoXml(XML);
  const gold = parseKeys(KEYS);
  const table = await buildSenseTable(model, tok, [{ corpus, keys: gold }], { source: "t" });
  assert.deepEqual(table.keys, [...new Set([...gold.values()].flat())].sort());
  assert.deepEqual([...table.counts], table.keys.map(() => 1));
  const occ = [...corpusOccurrences(corpus).values()];
  const vecs = await contextVectors(model, tok, occ);
  const bankRiver = table.index.get("bank%1:17:01::")!;
  const row = table.vectors.subarray(bankRiver * table.dim, (bankRiver + 1) * table.dim);
  for (let j = 0; j < table.dim; j++) assert.ok(Math.abs(row[j] - vecs[1]![j]) < 1e-5);

  const insts = instancePairs(corpus, wn);
  const probs = await senseProbabilities(model, tok, table, insts);
  for (const id of ["d000.s000.t001", "d000.s001.t002"]) {
    const p = insts.find((x) => x.id === id)!;
    const s = probs.get(id)!;
    assert.ok(Math.abs(s.reduce((a, b) => a + b, 0) - 1) < 1e-6);
    const best = p.candidates[s.indexOf(Math.max(...s))].key;
    assert.equal(best, gold.get(id)![0], id);
    // Senses the table lacks get nothing.
    p.candidates.forEach((c, k) => {
      if (!table.index.has(c.key)) assert.equal(s[k], 0);
    });
  }
  // No known candidate: uniform, so the prior (or WordNet's order) decides.
  const empty = { ...table, keys: [], index: new Map<string, number>() };
  const u = (await senseProbabilities(model, tok, empty, insts)).get("d000.s000.t001")!;
  assert.ok(u.every((x) => x === u[0]));

  // Round trip through the file, and clear errors for a wrong file or a wrong model.
  const dir = await Deno.makeTempDir();
  await writeSenseTable(dir, table);
  const back = (await readSenseTable(dir))!;
  assert.deepEqual(back.keys, table.keys);
  assert.deepEqual([...back.vectors], [...table.vectors]);
  assert.equal(back.temperature, table.temperature);
  assert.equal(await readSenseTable(join(dir, "none")), undefined);
  await Deno.copyFile(join(fx, "tiny-bert", "model.safetensors"), join(dir, SENSE_FILE));
  await assert.rejects(() => readSenseTable(dir), /senses\.safetensors: not a sense table/);
  const wide = { ...table, dim: table.dim + 3 };
  await assert.rejects(
    () => senseProbabilities(model, tok, wide, insts),
    /the sense table has \d+-wide vectors; this model makes \d+/,
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("lexical senses writes a model folder that predict, select-prior and disambiguate use", async () => {
  const dir = await Deno.makeTempDir();
  const xml = join(dir, "t.data.xml");
  await Deno.writeTextFile(xml, XML);
  await Deno.writeTextFile(join(dir, "t.gold.key.txt"), KEYS);
  const cli = async (args: string[]) => {
    const lines: string[] = [];
    const [log, error] = [console.log, console.error];
    console.log = console.error = (...a: unknown[]) => void lines.push(a.join(" "));
    try {
      return { code: await main(args), out: lines.join("\n") };
    } finally {
      [console.log, console.error] = [log, error];
    }
  };
  const out = join(dir, "senses");
  const wnArgs = ["--wordnet", "3.1", "--backend", "wasm"];
  let c = await cli([
    "senses",
    "--model",
    join(fx, "tiny-bert"),
    "--out",
    out,
    "--train",
    xml,
    "--dev",
    xml,
    ...wnArgs,
  ]);
  assert.equal(c.code, 0, c.out);
  assert.match(c.out, /senses: 6 senses from t \(6 tagged occurrences\); t F1 alone 100\.0/);
  const loaded = await loadWsdModel(out);
  assert.equal(loaded.senses?.keys.length, 6);
  assert.equal(loaded.prior?.selectedOn, "t");
  assert.equal(loaded.prior?.f1["0"], 100);
  // Same parameters as the model it came from: the table is beside the model, not in it.
  const from = await loadCheckpoint(join(fx, "tiny-bert"));
  const copy = await loadCheckpoint(out);
  assert.deepEqual([...copy.weights.keys()].sort(), [...from.weights.keys()].sort());

  c = await cli([
    "predict",
    "--model",
    out,
    "--input",
    xml,
    "--out",
    join(dir, "a.key"),
    ...wnArgs,
  ]);
  assert.equal(c.code, 0, c.out);
  assert.match(c.out, /\(nearest sense\): 6 of 6 instances answered/);
  assert.deepEqual(await readKeys(join(dir, "a.key")), parseKeys(KEYS));

  const tokens = await disambiguateNeural(
    "She deposited her salary at the bank.",
    wn,
    loaded.model,
    loaded.tok,
    { senses: loaded.senses, candidates: true },
  );
  const bank = tokens.find((t) => t.text === "bank")!;
  assert.equal(bank.model, "senses");
  assert.equal(bank.senseKey, "bank%1:14:00::");
  loaded.model.dispose();
  c = await cli(["disambiguate", "--model", out, "--wordnet", "3.1", "--scores", "The bank."]);
  assert.equal(c.code, 0, c.out);
  assert.match(c.out, /^bank\t4-8\tbank\/n\tbank%1:1[47]:0[01]::\tsenses/m);

  // Built again into the same folder: replaced whole, nothing left aside; never over other files.
  const again = [
    "senses",
    "--model",
    join(fx, "tiny-bert"),
    "--train",
    xml,
    "--dev",
    xml,
    ...wnArgs,
  ];
  c = await cli([...again, "--out", out]);
  assert.equal(c.code, 0, c.out);
  const names: string[] = [];
  for await (const e of Deno.readDir(dir)) names.push(e.name);
  assert.deepEqual(names.filter((n) => n.startsWith(".")), []);
  assert.equal((await readSenseTable(out))?.keys.length, 6);
  await Deno.mkdir(join(dir, "notes"));
  await Deno.writeTextFile(join(dir, "notes", "a.txt"), "mine");
  c = await cli([...again, "--out", join(dir, "notes")]);
  assert.deepEqual([c.code, c.out], [
    2,
    `error: ${join(dir, "notes")}: exists and is not a model folder; refusing to replace it`,
  ]);
  c = await cli(["senses", "--model", join(fx, "tiny-bert"), ...wnArgs]);
  assert.deepEqual([c.code, c.out], [2, "error: --out DIR is required (see --help)"]);
  c = await cli([
    "senses",
    "--model",
    join(fx, "tiny-bert"),
    "--out",
    join(dir, "x"),
    "--train",
    "wordnet",
    "--examples",
    ...wnArgs,
  ]);
  assert.deepEqual(
    [c.code, c.out],
    [2, "error: --examples adds WordNet's examples to another corpus; --train is them"],
  );
  await Deno.remove(dir, { recursive: true });
});
