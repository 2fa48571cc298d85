import assert from "node:assert/strict";
import { join } from "node:path";
import { ensureFixtures } from "@cohesive/fixtures";
import { main } from "./main.ts";
import { corpusXml, RIVER_KEYS, RIVER_SENTENCE } from "./_test_utils.ts";
import { BertModel, initRuntime, loadCheckpoint, Rng, WordPieceTokenizer } from "@cohesive/shared";
import { tf } from "@cohesive/shared/tf";
import {
  disambiguateNeural,
  encodePairs,
  type InstancePairs,
  instancePairs,
  loadWsdModel,
  MATCH,
  parseRaganatoXml,
  PRIOR_WEIGHTS,
  quoteTarget,
  readKeys,
  readPriorSetting,
  resolveLmgcRun,
  trainingPairs,
  trainLmgc,
  WordNet,
} from "./mod.ts";

await initRuntime({ backend: "wasm", quiet: true });
const wn = await WordNet.load();

const XML = corpusXml(RIVER_SENTENCE);
const KEYS = RIVER_KEYS;

Deno.test("instancePairs marks the target in quotes, glosses each candidate and labels the gold", () => {
  const corpus = parseRaganatoXml(XML, "t.xml");
  const keys = new Map(
    KEYS.trim().split("\n").map((l) => [l.split(" ")[0], l.split(" ").slice(1)]),
  );
  const insts = instancePairs(corpus, wn, keys);
  const bank = insts.find((p) => p.id === "d000.s000.t001")!;
  assert.equal(bank.context, 'He sat on the " bank " of the river .');
  assert.equal(bank.context.slice(...bank.target), "bank");
  assert.equal(bank.candidates.length, wn.sensesOf("bank", "n").length);
  assert.ok(bank.glosses.every((g) => g.startsWith("bank : ")));
  assert.deepEqual(
    bank.labels!.map((l, i) => (l ? bank.candidates[i].key : null)).filter(Boolean),
    ["bank%1:17:01::"],
  );
  // Verbs only for "sat": the instance's part of speech restricts the candidates.
  assert.ok(insts[0].candidates.every((s) => s.pos === "v"));
});

Deno.test("quoteTarget quotes the word and gives its span, first and last words too", () => {
  const words = ["A", "river", "bank", "."];
  for (let i = 0; i < words.length; i++) {
    const { context, target } = quoteTarget(words, i);
    assert.equal(context.slice(...target), words[i]);
    assert.equal(context.slice(target[0] - 2, target[1] + 2), `" ${words[i]} "`);
    assert.equal(context, words.map((w, j) => (j === i ? `" ${w} "` : w)).join(" "));
  }
});

Deno.test("trainingPairs keeps every gold pair and at most N negatives per instance", () => {
  const corpus = parseRaganatoXml(XML, "t.xml");
  const keys = new Map(
    KEYS.trim().split("\n").map((l) => [l.split(" ")[0], l.split(" ").slice(1)]),
  );
  const insts = instancePairs(corpus, wn, keys);
  const pairs = trainingPairs(insts, new Rng(1), 2);
  assert.equal(pairs.filter((p) => p.label === 1).length, 3);
  for (let i = 0; i < insts.length; i++) {
    assert.ok(pairs.filter((p) => p.inst === i && p.label === 0).length <= 2);
  }
  const all = trainingPairs(insts, new Rng(1));
  assert.equal(all.length, insts.reduce((s, p) => s + p.candidates.length, 0));
});

Deno.test("frequency negatives show frequent senses as mismatches, uniform ones do not", () => {
  const cands = wn.sensesOf("bank", "n");
  const inst = (i: number, gold: number): InstancePairs => ({
    id: String(i),
    context: "",
    target: [0, 0],
    candidates: cands,
    glosses: cands.map(() => ""),
    labels: cands.map((_, c) => (c === gold ? 1 : 0)),
  });
  // Sense 0 is gold 150 times, sense 1 50 times.
  const insts = Array.from({ length: 200 }, (_, i) => inst(i, i < 150 ? 0 : 1));
  const sense0AsWrong = (pairs: ReturnType<typeof trainingPairs>) =>
    pairs.filter((p) => p.label === 0 && p.cand === 0).length;
  const freq = trainingPairs(insts, new Rng(3), 1, "frequency");
  const uni = trainingPairs(insts, new Rng(3), 1, "uniform");
  for (const pairs of [freq, uni]) {
    assert.equal(pairs.length, 400); // a gold and one wrong sense each
    assert.ok(pairs.every((p) => insts[p.inst].labels![p.cand] === p.label));
  }
  // Of the 50 instances whose gold is sense 1, ≈ 151/159 draw sense 0 by frequency, 1/9 uniformly.
  assert.ok(sense0AsWrong(freq) >= 40, `${sense0AsWrong(freq)}`);
  assert.ok(sense0AsWrong(uni) <= 15, `${sense0AsWrong(uni)}`);
  // With every wrong candidate kept, the sampling does not matter.
  assert.equal(trainingPairs(insts, new Rng(3), undefined, "frequency").length, 200 * cands.length);
});

Deno.test("encodePairs puts the gloss in segment B and labels a match with the head's class 0", () => {
  const tok = WordPieceTokenizer.bertBaseUncased();
  const b = encodePairs(tok, [{
    context: 'the " bank " of the river',
    gloss: "bank : sloping land",
    match: true,
  }, {
    context: "x",
    gloss: "y",
    match: false,
  }], 32);
  assert.equal(MATCH, 0);
  assert.deepEqual([...b.labels], [0, 1]);
  const row = [...b.ids.subarray(0, b.T)];
  const sep = row.indexOf(tok.sepId);
  assert.ok(sep > 0);
  assert.ok([...b.typeIds.subarray(sep + 1, sep + 3)].every((t) => t === 1));
});

Deno.test("encodePairs with target pooling selects the target's pieces, or [CLS] when truncated away", () => {
  const tok = WordPieceTokenizer.bertBaseUncased();
  const { context, target } = quoteTarget(["the", "riverbanks", "of", "the", "river"], 1);
  const far = quoteTarget([...Array(40).fill("word"), "bank"], 40);
  const b = encodePairs(
    tok,
    [
      { context, gloss: "riverbanks : land", target },
      { context: far.context, gloss: "bank : land", target: far.target },
    ],
    24,
    "target",
  );
  const pieces = tok.tokenize("riverbanks");
  assert.ok(pieces.length > 1, pieces.join(" ")); // a word of several pieces
  const row = [...b.select!.subarray(0, b.T)];
  const at = row.flatMap((w, t) => (w > 0 ? [t] : []));
  assert.deepEqual(at.map((t) => tok.idToToken(b.ids[t])), pieces);
  assert.ok(at.every((t) => Math.abs(row[t] - 1 / pieces.length) < 1e-7));
  assert.equal(tok.idToToken(b.ids[at[0] - 1]), '"'); // right after the opening quote
  // Row 2: 24 tokens cut the context before its last word: the head reads [CLS].
  const row2 = [...b.select!.subarray(b.T, 2 * b.T)];
  assert.deepEqual(row2.flatMap((w, t) => (w > 0 ? [[t, w]] : [])), [[0, 1]]);
  assert.equal(encodePairs(tok, [{ context, gloss: "g" }], 24).select, undefined);
  assert.throws(() => encodePairs(tok, [{ context, gloss: "g" }], 24, "target"), /target span/);
});

Deno.test("the 2-way head reads [CLS] alone or the states a selection weights", async () => {
  const fx = await ensureFixtures();
  const ck = await loadCheckpoint(join(fx, "tiny-bert"));
  const m = BertModel.fromWeights(ck.config, ck.weights, 3);
  const [B, T] = [2, 5];
  const ids = tf.tensor2d([2, 5, 6, 7, 3, 2, 8, 9, 3, 0], [B, T], "int32");
  const h = m.forward({ inputIds: ids });
  const onCls = tf.oneHot(tf.tensor1d([0, 0], "int32"), T).cast("float32") as tf.Tensor2D;
  assert.deepEqual(
    await m.seqLogits(h, {}, onCls).array(),
    await m.seqLogits(h).array(),
  );
  // Mean of positions 1 and 2 of row 0, position 3 of row 1: the same logits as [CLS] reading
  // states whose first position holds those means.
  const sel = tf.tensor2d([0, 0.5, 0.5, 0, 0, 0, 0, 0, 1, 0], [B, T]);
  const got = (await m.seqLogits(h, {}, sel).array()) as number[][];
  const hv = (await h.array()) as number[][][];
  hv[0][0] = hv[0][1].map((v, k) => (v + hv[0][2][k]) / 2);
  hv[1][0] = hv[1][3];
  const want = (await m.seqLogits(tf.tensor3d(hv)).array()) as number[][];
  for (let r = 0; r < B; r++) {
    for (let c = 0; c < 2; c++) assert.ok(Math.abs(got[r][c] - want[r][c]) < 1e-5, `${r},${c}`);
  }
  assert.notDeepEqual(got, await m.seqLogits(h).array());
  m.dispose();
});

Deno.test("LMGC-M trains on the existing 2-way head: parameter count and tensor names unchanged", async () => {
  const fx = await ensureFixtures();
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(join(dir, "t.data.xml"), XML);
  await Deno.writeTextFile(join(dir, "t.gold.key.txt"), KEYS);
  const text = join(dir, "text");
  await Deno.mkdir(text);
  await Deno.writeTextFile(
    join(text, "a.txt"),
    Array.from({ length: 400 }, (_, i) => `the river bank ${i} was full of water`).join("\n"),
  );
  const r = await trainLmgc(join(dir, "run"), {
    model: join(fx, "tiny-bert"),
    mlm: true,
    train: join(dir, "t.data.xml"),
    dev: join(dir, "t.data.xml"),
    wordnet: "3.1",
    epochs: 2,
    batchSize: 8,
    maxLength: 32,
    mlmText: text,
  }, { progress: false });
  assert.equal(r.parameters.after, r.parameters.before);
  const start = await loadCheckpoint(join(fx, "tiny-bert"));
  const best = await loadCheckpoint(r.checkpoint);
  assert.deepEqual([...best.weights.keys()].sort(), [...start.weights.keys()].sort());
  assert.ok(r.best.f1 >= 0 && r.best.f1 <= 100);
  assert.ok(Number.isFinite(r.mlmLoss.before) && Number.isFinite(r.mlmLoss.after));
  // The sense-prior weight is chosen on the selection set and stored beside the best checkpoint.
  assert.deepEqual(await readPriorSetting(r.checkpoint), r.prior);
  assert.deepEqual(Object.keys(r.prior.f1).map(Number).sort(), [...PRIOR_WEIGHTS].sort());
  assert.equal(r.prior.selectedOn, "t");
  assert.equal(r.prior.f1["0"], r.best.f1); // chosen from the best checkpoint's own dev scores
  assert.equal(r.prior.f1[String(r.prior.weight)], Math.max(...Object.values(r.prior.f1)));

  // predict uses it (or --prior), select-prior rewrites it; a bad --prior is one line, exit 2.
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
  const data = ["--input", join(dir, "t.data.xml"), "--wordnet", "3.1"];
  const run = join(dir, "run");
  let c = await cli([
    "predict",
    "--model",
    run,
    ...data,
    "--out",
    join(dir, "a.key"),
    "--prior",
    "0",
  ]);
  assert.equal(c.code, 0, c.out);
  assert.match(c.out, /with the model alone \(prior weight 0\)/);
  c = await cli(["predict", "--model", run, ...data, "--out", join(dir, "b.key"), "--prior", "50"]);
  assert.match(c.out, /with sense prior weight 50 \(given\)/);
  // A prior this strong answers WordNet's most tagged sense.
  const wn31 = await WordNet.load();
  for (const [id, [key]] of await readKeys(join(dir, "b.key"))) {
    const inst = instancePairs(parseRaganatoXml(XML), wn31).find((p) => p.id === id)!;
    const top = Math.max(...inst.candidates.map((s) => s.tagCount));
    assert.equal(inst.candidates.find((s) => s.key === key)!.tagCount, top, id);
  }
  c = await cli([
    "select-prior",
    "--model",
    run,
    "--dev",
    join(dir, "t.data.xml"),
    "--wordnet",
    "3.1",
  ]);
  assert.equal(c.code, 0, c.out);
  assert.match(
    c.out,
    /t F1 by prior weight: 0: [\d.]+, 0\.1: .*\nchosen [\d.]+; written to .*wsd\.json/,
  );
  // Raw text: the answer names the prior when it is on.
  const m = BertModel.fromWeights(best.config, best.weights);
  const tok = WordPieceTokenizer.fromVocab(best.vocab!);
  const sentence = "He sat on the bank of the river.";
  const plain = await disambiguateNeural(sentence, wn31, m, tok);
  const withPrior = await disambiguateNeural(sentence, wn31, m, tok, {
    name: "x",
    priorWeight: 50,
  });
  const scored = await disambiguateNeural(sentence, wn31, m, tok, { candidates: true });
  m.dispose();
  assert.equal(plain.find((t) => t.text === "bank")!.model, "lmgc");
  assert.equal(plain.find((t) => t.text === "bank")!.candidates, undefined);
  const b = scored.find((t) => t.text === "bank")!;
  assert.deepEqual(
    b.candidates!.map((c) => c.senseKey),
    wn31.sensesOf("bank", "n").map((s) => s.key),
  );
  assert.equal(Math.max(...b.candidates!.map((c) => c.score)), b.score);
  assert.equal(b.candidates!.find((c) => c.score === b.score)!.senseKey, b.senseKey);
  const bank = withPrior.find((t) => t.text === "bank")!;
  assert.equal(bank.model, "x+prior");
  assert.equal(bank.senseKey, "bank%1:17:01::"); // WordNet's most tagged sense of bank
  c = await cli(["disambiguate", "--model", run, "--wordnet", "3.1", "--scores", sentence]);
  assert.equal(c.code, 0, c.out);
  const bankLines = c.out.split("\n").filter((l) => /^ {2}[\d.]+\tbank%/.test(l));
  assert.equal(bankLines.length, wn31.sensesOf("bank", "n").length, c.out);
  c = await cli(["disambiguate", "--scores", sentence]);
  assert.deepEqual([c.code, c.out], [
    2,
    "error: --scores needs --model (P(match) comes from a neural model)",
  ]);
  c = await cli(["predict", "--model", run, ...data, "--out", join(dir, "c.key"), "--prior=-1"]);
  assert.deepEqual([c.code, c.out], [2, `error: --prior must be a number >= 0, got "-1"`]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("the pooling and dropouts travel with an LMGC checkpoint; --examples needs another corpus", async () => {
  const fx = await ensureFixtures();
  const dir = await Deno.makeTempDir();
  const data = join(dir, "t.data.xml");
  await Deno.writeTextFile(data, XML);
  await Deno.writeTextFile(join(dir, "t.gold.key.txt"), KEYS);
  const base = {
    model: join(fx, "tiny-bert"),
    wordnet: "3.1",
    epochs: 1,
    batchSize: 16,
    maxLength: 24,
    negatives: 1,
    train: data,
    dev: data,
  };
  await trainLmgc(join(dir, "t"), { ...base, pooling: "target" }, { progress: false });
  // The pooling travels with the checkpoint: predict, disambiguate and serve read the same way.
  const loaded = await loadWsdModel(join(dir, "t"));
  assert.equal(loaded.pooling, "target");
  // Without --dropout the run keeps the starting model's dropouts.
  const start = (await loadCheckpoint(base.model)).config;
  assert.equal(loaded.model.config.hidden_dropout_prob, start.hidden_dropout_prob);
  assert.equal(
    loaded.model.config.attention_probs_dropout_prob,
    start.attention_probs_dropout_prob,
  );
  assert.throws(() => resolveLmgcRun({ model: "m", dropout: 1 }), /"dropout" must be in/);
  loaded.model.dispose();
  // Fine-tuning a run's model without --pooling reads the way that run's head was trained.
  const next = await trainLmgc(join(dir, "t-ft"), { ...base, model: join(dir, "t") }, {
    progress: false,
  });
  assert.equal((await loadCheckpoint(next.checkpoint)).meta.pairPooling, "target");
  assert.throws(() => resolveLmgcRun({ model: "m", pooling: "mean" }), /"pooling" must be one of/);
  assert.throws(
    () => resolveLmgcRun({ model: "m", negativeSampling: "hard" }),
    /"negativeSampling" must be one of uniform, frequency/,
  );
  await assert.rejects(
    () =>
      trainLmgc(join(dir, "bad"), { ...base, train: "wordnet", examples: 5 }, { progress: false }),
    /train is them already/,
  );
  await Deno.remove(dir, { recursive: true });
});
