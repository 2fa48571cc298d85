import * as tf from "@tensorflow/tfjs-core";
import { assertAllClose, useBackend } from "./test_util.ts";
import { attention, attentionReference } from "./attention.ts";
for (const [B, A, T, D] of [[1, 1, 1, 4], [2, 3, 5, 8], [2, 2, 70, 16], [1, 2, 33, 80]]) {
  const n = B * A * T * D;
  const mk = (s: number) => Array.from({ length: n }, (_, i) => Math.sin(i * s + s));
  const maskA = Array.from({ length: B * T }, (_, i) => (i % T >= T - 2 && T > 2 ? 0 : 1));
  if (B > 1) { for (let t = 0; t < T; t++) maskA[T + t] = 0; // fully masked batch element 1
   }
  async function run(b: any, f: any) {
    await useBackend(b);
    const q = tf.tensor4d(mk(0.3), [B, A, T, D]),
      k = tf.tensor4d(mk(0.7), [B, A, T, D]),
      v = tf.tensor4d(mk(1.1), [B, A, T, D]);
    const m = tf.tensor2d(maskA, [B, T]);
    const w = tf.tensor4d(mk(0.13), [B, A, T, D]);
    const out = f(q, k, v, m, 1 / Math.sqrt(D));
    const gs = tf.grads((a: tf.Tensor, c: tf.Tensor, e: tf.Tensor) =>
      tf.sum(tf.mul(f(a, c, e, m, 1 / Math.sqrt(D)), w))
    )([q, k, v]);
    return { out: await out.data(), gs: await Promise.all(gs.map((g) => g.data())) };
  }
  const ref = await run("cpu", attentionReference);
  for (const b of ["cpu", "wasm", "webgpu"]) {
    const t0 = performance.now();
    const got = await run(b, attention);
    assertAllClose(got.out, ref.out, `${b} out ${[B, A, T, D]}`);
    got.gs.forEach((g, i) => assertAllClose(g, ref.gs[i], `${b} grad${i} ${[B, A, T, D]}`));
    console.log(b, [B, A, T, D], "ok", (performance.now() - t0).toFixed(0), "ms");
  }
}
