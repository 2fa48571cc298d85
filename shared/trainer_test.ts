import assert from "node:assert/strict";
import { join } from "node:path";
import { ensureFixtures } from "./testing.ts";
import { BertModel, initRuntime, latestCheckpoint, MetricsLog, train } from "./mod.ts";
import { tf } from "./tf.ts";
import { CFG, hooksFor, tinyConfig, vocab } from "./_trainer_test_utils.ts";

await initRuntime({ backend: "wasm", quiet: true });
await ensureFixtures();

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

Deno.test("training steps leak no tensors: the live count is the same after every step", async () => {
  const root = await Deno.makeTempDir();
  const m = BertModel.create(tinyConfig(), 2);
  const before = tf.memory().numTensors;
  const counts: number[] = [];
  await train(
    m,
    root,
    { ...CFG, steps: 6, accumSteps: 2, saveEvery: 0, logEvery: 2 },
    hooksFor(m, 2),
    { vocab, progress: false, onStep: () => counts.push(tf.memory().numTensors) },
  );
  // From the first step on, the optimizer's moments are the only tensors added.
  assert.equal(new Set(counts).size, 1, `live tensors changed over the run: ${counts}`);
  assert.equal(tf.memory().numTensors, before); // the moments are freed at the end
  m.dispose();
  await Deno.remove(root, { recursive: true });
});
