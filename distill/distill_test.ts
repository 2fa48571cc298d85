import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ensureFixtures } from "@cohesive/fixtures";
import { initRuntime, loadCheckpoint, MetricsLog, writeFileAtomic } from "@cohesive/shared";
import {
  buildCache,
  CacheReader,
  compare,
  distillStudent,
  loadTeachers,
  parseShard,
  pretrainTeacher,
  resolveMlmRun,
  stepsToReach,
  teacherTopK,
  type Variant,
} from "./mod.ts";

await initRuntime({ backend: "wasm", quiet: true });
const fx = await ensureFixtures();
const T1 = join(fx, "tiny-bert"), T2 = join(fx, "tiny-bert-b");
const VOCAB = join(fx, "tiny-vocab.txt");
const LINES = Array.from(
  { length: 60 },
  (_, i) =>
    `the river bank ${i % 7 ? "was full of water" : "had money"} and ${
      "people watched".slice(0, 6 + (i % 9))
    }`,
);

async function corpus(): Promise<string> {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(join(dir, "a.txt"), LINES.slice(0, 30).join("\n") + "\n");
  await Deno.writeTextFile(join(dir, "b.txt"), LINES.slice(30).join("\n") + "\n");
  return dir;
}

const RUN = {
  vocab: VOCAB,
  model: { hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32 },
  seqLen: 16,
  batchSize: 2,
  steps: 4,
  evalEvery: 2,
  evalBatches: 2,
  saveEvery: 2,
  logEvery: 1,
  heldoutPercent: 10,
  topk: 8,
  alphaCos: 0,
};

Deno.test("a cache filled by two shards returns what the teachers compute live", async () => {
  const data = await corpus(), out = await Deno.makeTempDir();
  const common = {
    teachers: [T1, T2],
    out,
    data,
    vocab: VOCAB,
    batches: 5,
    batchSize: 2,
    seqLen: 16,
    seed: 3,
    topk: 8,
    heldoutPercent: 10,
    progress: false,
  };
  await buildCache({ ...common, shard: parseShard("1/2") });
  await buildCache({ ...common, shard: parseShard("0/2") });
  const reader = await CacheReader.open(out);
  const teachers = await loadTeachers([T1, T2]);
  for (let b = 0; b < 5; b++) {
    const c = await reader.get(b);
    for (let k = 0; k < 2; k++) {
      const live = await teacherTopK(teachers[k].model, c.batch, 2, 8);
      assert.deepEqual([...live.ids], [...c.teachers[k].ids]);
      assert.deepEqual([...live.probs], [...c.teachers[k].probs]);
      assert.deepEqual([...live.pGold], [...c.teachers[k].pGold]);
    }
  }
  await assert.rejects(() => reader.get(5), RangeError);
  teachers.forEach((t) => t.model.dispose());
  await Deno.remove(out, { recursive: true });
  await Deno.remove(data, { recursive: true });
});

Deno.test("a student trained from the cache equals one trained with live teachers, and resumes exactly", async () => {
  const data = await corpus(), root = await Deno.makeTempDir();
  await buildCache({
    teachers: [T1, T2],
    out: join(root, "cache"),
    data,
    vocab: VOCAB,
    batches: 4,
    batchSize: 2,
    seqLen: 16,
    seed: 0,
    topk: 8,
    heldoutPercent: 10,
    progress: false,
  });
  const live = await distillStudent(join(root, "live"), { ...RUN, data, teachers: [T1, T2] }, {
    progress: false,
  });
  const cached = await distillStudent(join(root, "cached"), {
    ...RUN,
    data,
    cache: join(root, "cache"),
  }, { progress: false });
  assert.deepEqual(cached.losses, live.losses);
  assert.equal(cached.heldout.loss, live.heldout.loss);
  // The cached probabilities are at the cache's temperature (2): a T = 1 student is refused.
  await assert.rejects(
    () =>
      distillStudent(join(root, "t1"), {
        ...RUN,
        data,
        cache: join(root, "cache"),
        temperature: 1,
      }, { progress: false }),
    /made with temperature 2, this run has 1/,
  );
  assert.ok(!existsSync(join(root, "t1", "latest.json")));

  // Interrupt after step 2 (the checkpoint), then resume: same curve.
  const part = await distillStudent(join(root, "resumed"), {
    ...RUN,
    data,
    cache: join(root, "cache"),
    steps: 4,
  }, { progress: false });
  assert.equal(part.step, 4);
  const log = new MetricsLog(join(root, "resumed", "metrics.jsonl"));
  await log.truncateAfter(2);
  await writeFileAtomic(
    join(root, "resumed", "latest.json"),
    JSON.stringify({ checkpoint: "checkpoint-2", step: 2 }),
  );
  const rest = await distillStudent(join(root, "resumed"), {}, { resume: true, progress: false });
  assert.deepEqual(rest.losses, cached.losses.slice(2));
  await Deno.remove(root, { recursive: true });
  await Deno.remove(data, { recursive: true });
});

Deno.test("bad input fails with one clear error and leaves no run folder behind", async (t) => {
  const data = await corpus(), root = await Deno.makeTempDir();
  const empty = await Deno.makeTempDir();
  await Deno.writeTextFile(join(empty, "e.txt"), "\n\n");
  const cases: [string, Record<string, unknown>, RegExp][] = [
    ["missing corpus", { ...RUN, data: join(root, "nope") }, /text corpus not found/],
    ["a folder without .txt files", { ...RUN, data: await Deno.makeTempDir() }, /no \.txt files/],
    ["only empty lines", { ...RUN, data: empty }, /no usable lines/],
    [
      "vocabulary mismatch",
      { ...RUN, data, vocab: "bert-base-uncased", teachers: [T1] },
      /vocabulary mismatch: .*bert-base-uncased.*has 30522 entries.*teacher .*tiny-bert.* has 128/,
    ],
    [
      "unreadable teacher folder",
      { ...RUN, data, teachers: [join(root, "missing-teacher")] },
      /missing-teacher/,
    ],
    ["unknown config key", { ...RUN, data, lerning_rate: 1 }, /unknown key "lerning_rate"/],
  ];
  for (const [name, partial, re] of cases) {
    await t.step(name, async () => {
      const dir = join(root, name.replace(/\W+/g, "-"));
      await assert.rejects(
        () => distillStudent(dir, partial, { progress: false }),
        (e: Error) => re.test(e.message),
      );
      assert.ok(!existsSync(join(dir, "latest.json")), "a run folder looking complete was left");
      assert.ok(!existsSync(join(dir, "run.json")), "a run folder was created");
    });
  }
  await Deno.remove(root, { recursive: true });
  await Deno.remove(data, { recursive: true });
  await Deno.remove(empty, { recursive: true });
});

Deno.test("teacher --from continues a checkpoint's weights (its sizes, its vocabulary) and refuses a mismatch", async () => {
  const data = await corpus(), root = await Deno.makeTempDir();
  const { topk: _k, alphaCos: _c, model: _m, ...mlm } = RUN;
  // A vanishing learning rate: the run's weights stay the checkpoint's, not a fresh draw.
  const run = { ...mlm, data, steps: 2, evalEvery: 0, saveEvery: 0, lr: 1e-12 };
  const r = await pretrainTeacher(join(root, "cont"), { ...run, from: T1 }, { progress: false });
  const [start, end] = [await loadCheckpoint(T1), await loadCheckpoint(r.checkpoint)];
  assert.equal(end.config.num_hidden_layers, 2); // the checkpoint's, not the default's
  for (const [name, t] of start.weights) {
    const got = end.weights.get(name)!.data;
    const worst = t.data.reduce((m, x, i) => Math.max(m, Math.abs(x - got[i])), 0);
    assert.ok(worst < 1e-6, `${name} moved by ${worst}`);
  }
  assert.equal(start.config.hidden_dropout_prob, 0.1);
  const nodrop = await pretrainTeacher(
    join(root, "nodrop"),
    { ...run, from: T1, model: { hidden_dropout_prob: 0, attention_probs_dropout_prob: 0 } },
    { progress: false },
  );
  const cfg = (await loadCheckpoint(nodrop.checkpoint)).config;
  assert.equal(cfg.hidden_dropout_prob, 0, "a run's dropout overrides the checkpoint's");
  assert.equal(cfg.attention_probs_dropout_prob, 0);
  assert.equal(cfg.hidden_size, start.config.hidden_size);
  const fresh = await pretrainTeacher(join(root, "fresh"), run, { progress: false });
  const w = "bert.embeddings.word_embeddings.weight";
  assert.notDeepEqual(
    (await loadCheckpoint(fresh.checkpoint)).weights.get(w)!.data.slice(0, 8),
    start.weights.get(w)!.data.slice(0, 8),
  );
  await assert.rejects(
    () =>
      pretrainTeacher(join(root, "bad"), { ...run, from: T1, model: { hidden_size: 32 } }, {
        progress: false,
      }),
    /hidden_size is 16, the run asks for 32/,
  );
  await assert.rejects(
    () =>
      pretrainTeacher(join(root, "bad2"), { ...run, vocab: "bert-base-uncased", from: T1 }, {
        progress: false,
      }),
    /vocabulary of 128 tokens, the run's tokenizer has 30522/,
  );
  assert.ok(
    !existsSync(join(root, "bad", "run.json")) && !existsSync(join(root, "bad2", "run.json")),
  );
  await Deno.remove(root, { recursive: true });
  await Deno.remove(data, { recursive: true });
});

Deno.test("stepsToReach interpolates between evaluations and is null when never reached", () => {
  assert.equal(stepsToReach([[10, 5], [20, 3], [30, 2]], 4), 15);
  assert.equal(stepsToReach([[10, 5], [20, 3]], 1), null);
  assert.equal(stepsToReach([[10, 2]], 3), 10);
});

Deno.test("compare trains every variant from one cache and writes the report, reusing finished runs", async () => {
  const data = await corpus(), out = await Deno.makeTempDir();
  const opts = {
    teachers: [T1, T2],
    out,
    run: { ...RUN, data, seed: 5 },
    variants: ["none", "single", "confidence"] as Variant[],
    backend: "wasm",
  };
  const r = await compare(opts);
  assert.deepEqual(r.variants.map((v) => v.variant), ["none", "single", "confidence"]);
  for (const v of r.variants) {
    assert.deepEqual(v.curve.map(([s]) => s), [2, 4]); // evalEvery 2 of 4 steps
    assert.ok(Number.isFinite(v.final) && v.seconds > 0, JSON.stringify(v));
  }
  // The threshold is the single-teacher student's final loss; it reaches it by its last step.
  assert.equal(r.threshold, r.variants[1].final);
  assert.ok(r.variants[1].stepsToThreshold! <= 4);
  const md = await Deno.readTextFile(join(out, "compare.md"));
  assert.match(md, /\| confidence \| [\d.]+ \| [\d.]+ \| [\d.]+ \(\d\) \|/);
  assert.ok(existsSync(join(out, "curves.svg")) && existsSync(join(out, "compare.json")));
  // Again: nothing is retrained, and the seconds still come from the runs' logs.
  const again = await compare(opts);
  assert.deepEqual(
    again.variants.map((v) => [v.final, v.seconds]),
    r.variants.map((v) => [v.final, v.seconds]),
  );
  await Deno.remove(out, { recursive: true });
  await Deno.remove(data, { recursive: true });
});

Deno.test("a run config rejects a warm-up share and a dropout outside [0, 1), naming the key", () => {
  assert.equal(resolveMlmRun({ warmup: 0, model: { hidden_dropout_prob: 0 } }).warmup, 0);
  assert.throws(() => resolveMlmRun({ warmup: 1 }), /"warmup" must be a fraction/);
  assert.throws(
    () => resolveMlmRun({ model: { attention_probs_dropout_prob: 1.5 } }),
    /model: "attention_probs_dropout_prob" must be in \[0, 1\), got 1\.5/,
  );
});
