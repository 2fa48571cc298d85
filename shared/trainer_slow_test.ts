import assert from "node:assert/strict";
import { ensureFixtures } from "./testing.ts";
import { BertModel, initRuntime, train } from "./mod.ts";
import { tf } from "./tf.ts";
import { CFG, hooksFor, tinyConfig, vocab } from "./_trainer_test_utils.ts";

await initRuntime({ backend: "wasm", quiet: true });
await ensureFixtures();

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
