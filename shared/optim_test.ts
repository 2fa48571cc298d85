import assert from "node:assert/strict";
import { AdamW, initRuntime } from "./mod.ts";
import { linearWarmupDecay } from "./optim.ts";
import { tf } from "./tf.ts";

await initRuntime({ backend: "cpu", quiet: true });

/** `actual` equals `expected` elementwise within float32 rounding. */
function near(actual: ArrayLike<number>, expected: number[], tol = 2e-6): void {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(
      Math.abs(actual[i] - expected[i]) <= tol,
      `[${i}]: ${actual[i]} is not ${expected[i]} (within ${tol})`,
    );
  }
}

Deno.test("AdamW's first two steps match the update computed by hand, weight decay included", () => {
  const w = tf.variable(tf.tensor1d([1, 2]));
  const bias = tf.variable(tf.tensor1d([1, 2]));
  const frozen = tf.variable(tf.tensor1d([3]));
  const opt = new AdamW(new Map([["w", w], ["layer.bias", bias], ["frozen", frozen]]), {
    beta1: 0.9,
    beta2: 0.999,
    epsilon: 1e-6,
    weightDecay: 0.01,
  });
  const lr = 0.1;
  // Step 1, g = [0.5, -0.5]: m = 0.1·g = [0.05, -0.05], v = 0.001·g² = [0.00025, 0.00025];
  // bias-corrected m̂ = m / 0.1 = ±0.5, v̂ = v / 0.001 = 0.25, so the update is
  // ±0.5 / (√0.25 + 1e-6) = ±0.999998. Decay uses the weight before the step:
  // w = [1 − 0.1·0.999998 − 0.1·0.01·1, 2 + 0.1·0.999998 − 0.1·0.01·2] = [0.8990002, 2.0979998].
  let g = tf.tensor1d([0.5, -0.5]);
  opt.apply(new Map([["w", g], ["layer.bias", g]]), lr);
  near(w.dataSync(), [0.8990002, 2.0979998]);
  near(bias.dataSync(), [1 - 0.0999998, 2 + 0.0999998]); // biases are not decayed
  g.dispose();
  // Step 2, g = [0.1, 0.2]: m = 0.9·m + 0.1·g = [0.055, -0.025],
  // v = 0.999·v + 0.001·g² = [0.00025975, 0.00028975]; the corrections are 1 − 0.9² = 0.19 and
  // 1 − 0.999² = 0.001999, so m̂ = [0.2894737, -0.1315789], v̂ = [0.1299400, 0.1449475] and the
  // update is m̂ / (√v̂ + 1e-6) = [0.8030388, -0.3456049];
  // w = [0.8990002 − 0.08030388 − 0.0008990002, 2.0979998 + 0.03456049 − 0.0020979998].
  g = tf.tensor1d([0.1, 0.2]);
  opt.apply(new Map([["w", g]]), lr);
  near(w.dataSync(), [0.8177973, 2.1304623]);
  near(bias.dataSync(), [1 - 0.0999998, 2 + 0.0999998]); // no gradient: untouched
  near(frozen.dataSync(), [3]); // never had a gradient
  assert.equal(opt.step, 2);
  g.dispose();
  opt.dispose();
  tf.dispose([w, bias, frozen]);
});

Deno.test("AdamW restored from its state continues exactly as the uninterrupted optimizer", async () => {
  const make = () => tf.variable(tf.tensor1d([1, -1, 0.5]));
  const grads = [[0.3, -0.2, 0.1], [-0.1, 0.4, 0.0], [0.2, 0.2, -0.3]];
  const a = make(), b = make();
  const optA = new AdamW(new Map([["w", a]]));
  const optB = new AdamW(new Map([["w", b]]));
  for (const [i, g] of grads.entries()) {
    const t = tf.tensor1d(g);
    optA.apply(new Map([["w", t]]), 0.01);
    if (i < 2) optB.apply(new Map([["w", t]]), 0.01);
    t.dispose();
  }
  const state = await optB.state();
  const c = tf.variable(b.clone());
  const optC = new AdamW(new Map([["w", c]]));
  optC.loadState(state, optB.step);
  const t = tf.tensor1d(grads[2]);
  optC.apply(new Map([["w", t]]), 0.01);
  assert.deepEqual([...c.dataSync()], [...a.dataSync()]);
  assert.throws(() => optC.loadState(new Map(), 1), /lacks a matching optimizer moment "m\/w"/);
  t.dispose();
  for (const o of [optA, optB, optC]) o.dispose();
  tf.dispose([a, b, c]);
});

Deno.test("linearWarmupDecay rises to lr over the warm-up and falls linearly to 0 at the end", () => {
  // lr = 1, 4 warm-up steps, 10 in all: (step + 1) / 4 while warming up, then (10 − step) / 6.
  const at = (s: number) => linearWarmupDecay(s, 1, 4, 10);
  assert.deepEqual([0, 1, 2, 3].map(at), [0.25, 0.5, 0.75, 1]);
  assert.deepEqual([4, 7, 10, 12].map(at), [1, 0.5, 0, 0]);
  assert.equal(linearWarmupDecay(0, 2e-3, 0, 4), 2e-3); // no warm-up: decay from the first step
  assert.equal(linearWarmupDecay(2, 2e-3, 0, 4), 1e-3);
  assert.equal(linearWarmupDecay(5, 2e-3, 8, 8), 2e-3 * 6 / 8); // all warm-up
  assert.equal(linearWarmupDecay(9, 2e-3, 8, 8), 2e-3); // past an all-warm-up schedule: constant
});
