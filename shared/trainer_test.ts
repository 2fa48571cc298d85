import assert from "node:assert/strict";
import { join } from "node:path";
import { ensureFixtures, tinyConfig } from "./testing.ts";
import {
  BertModel,
  initRuntime,
  latestCheckpoint,
  MetricsLog,
  MlmStream,
  type MlmStreamState,
  Rng,
  sparseCrossEntropy,
  train,
  type TrainConfig,
  type TrainHooks,
} from "./mod.ts";
import { tf } from "./tf.ts";

await initRuntime({ backend: "cpu", quiet: true });
await ensureFixtures();

const LINES = [
  "the river bank was full of water",
  "she sat by the bank and watched the river",
  "money in the bank is safe",
  "many people find water in the long river",
];
const charTok = {
  encodeIds: (s: string) => [...s].map((c) => 5 + (c.charCodeAt(0) % 120)),
  vocabSize: 128,
  clsId: 2,
  sepId: 3,
  padId: 0,
  maskId: 4,
};

function hooksFor(
  model: BertModel,
  seed: number,
): TrainHooks<ReturnType<MlmStream["batch"]> extends Promise<infer B> ? B : never> {
  const stream = MlmStream.fromLines(LINES, charTok, 16);
  const rng = new Rng(seed);
  return {
    next: () => stream.batch(2, rng),
    loss: (b, s) => {
      const ids = tf.tensor2d(b.inputIds, [b.B, b.T], "int32");
      const mask = tf.tensor2d(b.attentionMask, [b.B, b.T], "int32");
      const h = model.forward({ inputIds: ids, attentionMask: mask }, { training: true, seed: s });
      return sparseCrossEntropy(
        model.mlmLogits(h, tf.tensor1d(b.positions, "int32")),
        tf.tensor1d(b.labels, "int32"),
      );
    },
    dataState: () => ({ stream: stream.state, rng: rng.state }),
    restoreData: (s) => {
      const st = s as { stream: MlmStreamState; rng: number };
      stream.restore(st.stream);
      rng.restore(st.rng);
    },
  };
}

const CFG: TrainConfig = {
  steps: 8,
  lr: 1e-3,
  warmupSteps: 2,
  weightDecay: 0.01,
  clipNorm: 1,
  accumSteps: 2,
  seed: 11,
  saveEvery: 3,
  logEvery: 1,
  evalEvery: 0,
};
const vocab = Array.from({ length: 128 }, (_, i) => `t${i}`);

Deno.test("a run stopped after step 3 and resumed reproduces the uninterrupted loss curve exactly", async () => {
  const root = await Deno.makeTempDir();
  const full = BertModel.create(tinyConfig(), 3);
  const a = await train(full, join(root, "a"), CFG, hooksFor(full, 5), { vocab, progress: false });
  full.dispose();
  assert.equal(a.losses.length, 8);

  const ctl = new AbortController();
  const first = BertModel.create(tinyConfig(), 3);
  const b1 = await train(first, join(root, "b"), CFG, hooksFor(first, 5), {
    vocab,
    progress: false,
    signal: ctl.signal,
    onStep: (s) => s === 3 && ctl.abort(),
  });
  first.dispose();
  assert.ok(b1.interrupted);
  assert.equal(b1.step, 3);

  // A fresh process would start from a freshly initialised model with another seed.
  const second = BertModel.create(tinyConfig(), 99);
  const b2 = await train(second, join(root, "b"), CFG, hooksFor(second, 123), {
    vocab,
    progress: false,
    resume: true,
  });
  second.dispose();
  assert.deepEqual([...b1.losses, ...b2.losses], a.losses);
  const la = (await new MetricsLog(join(root, "a", "metrics.jsonl")).read()).map((r) => r.loss);
  const lb = (await new MetricsLog(join(root, "b", "metrics.jsonl")).read()).map((r) => r.loss);
  assert.deepEqual(lb, la);
  assert.equal(await latestCheckpoint(join(root, "b")), join(root, "b", "checkpoint-8"));
  // keep = 2 holds across processes: the first process's checkpoint-3 is pruned too.
  const kept = async (d: string) =>
    (await Array.fromAsync(Deno.readDir(join(root, d)))).map((e) => e.name)
      .filter((n) => n.startsWith("checkpoint-")).sort();
  assert.deepEqual(await kept("b"), ["checkpoint-6", "checkpoint-8"]);
  assert.deepEqual(await kept("b"), await kept("a"));
  await Deno.remove(root, { recursive: true });
});

Deno.test("stopAt pauses a run on its full schedule; resume finishes it exactly", async () => {
  const root = await Deno.makeTempDir();
  const full = BertModel.create(tinyConfig(), 3);
  const a = await train(full, join(root, "a"), CFG, hooksFor(full, 5), { vocab, progress: false });
  full.dispose();
  const first = BertModel.create(tinyConfig(), 3);
  const p = await train(first, join(root, "p"), CFG, hooksFor(first, 5), {
    vocab,
    progress: false,
    stopAt: 5,
  });
  first.dispose();
  assert.equal(p.step, 5);
  assert.equal(p.interrupted, false);
  assert.equal(await latestCheckpoint(join(root, "p")), join(root, "p", "checkpoint-5"));
  const second = BertModel.create(tinyConfig(), 99);
  const q = await train(second, join(root, "p"), CFG, hooksFor(second, 123), {
    vocab,
    progress: false,
    resume: true,
  });
  second.dispose();
  assert.deepEqual([...p.losses, ...q.losses], a.losses); // the schedule is the 8-step one
  await Deno.remove(root, { recursive: true });
});

Deno.test("resuming a folder without a checkpoint is a clear NotFound error", async () => {
  const root = await Deno.makeTempDir();
  const m = BertModel.create(tinyConfig(), 1);
  await assert.rejects(
    () => train(m, root, CFG, hooksFor(m, 1), { vocab, progress: false, resume: true }),
    (e: Error) =>
      e instanceof Deno.errors.NotFound && /no checkpoint to resume from/.test(e.message),
  );
  m.dispose();
  await Deno.remove(root, { recursive: true });
});

Deno.test("1,000 training steps leak no tensors and no heap", async () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  assert.ok(
    gc,
    "run with --v8-flags=--expose-gc (deno task test does) so heap growth is measurable",
  );
  const root = await Deno.makeTempDir();
  const m = BertModel.create(tinyConfig(), 2);
  const counts: number[] = [], heap: number[] = [];
  const before = tf.memory().numTensors;
  await train(
    m,
    root,
    { ...CFG, steps: 1000, accumSteps: 1, saveEvery: 0, logEvery: 100 },
    hooksFor(m, 2),
    {
      vocab,
      progress: false,
      onStep: (s) => {
        if (s % 100 === 0) {
          counts.push(tf.memory().numTensors);
          gc();
          heap.push(Deno.memoryUsage().heapUsed);
        }
      },
    },
  );
  assert.equal(new Set(counts).size, 1, `live tensors changed over the run: ${counts}`);
  // The optimizer's moments are freed at the end; only the model's parameters stay.
  assert.equal(tf.memory().numTensors, before);
  const growth = heap.at(-1)! - heap[1];
  assert.ok(growth < 32 * 1024 * 1024, `heap grew by ${(growth / 2 ** 20).toFixed(1)} MiB`);
  m.dispose();
  await Deno.remove(root, { recursive: true });
});
