// The word-order learning check at the sizes of the first pretraining runs (2 layers, hidden 32,
// rows of 32 tokens, lr 1e-3): 1,000 steps. Every LM pretrained on the real corpus so far sits on
// the bag-of-words plateau; this test keeps "the model cannot learn order" apart from "it has not
// learnt it yet" at those sizes.
import assert from "node:assert/strict";
import { initRuntime } from "./mod.ts";
import { trainOnMarkov } from "./_markov_test_utils.ts";

Deno.test("the model learns word order at pretraining sizes in 1,000 steps", async () => {
  await initRuntime({ backend: "wasm", quiet: true });
  const { before, after } = await trainOnMarkov({
    hidden: 32,
    layers: 2,
    steps: 1000,
    lr: 1e-3,
    batch: 32,
    length: 32,
  });
  assert.ok(before.eval_loss > 1.5, `untrained: ${before.eval_loss}`);
  assert.ok(after.eval_loss < 1.2, `after 1,000 steps: ${after.eval_loss} nats`);
  assert.ok(after.eval_order_gain! > 0.3, `order gain ${after.eval_order_gain}`);
});
