import * as tf from "@tensorflow/tfjs-core";
import { assertAllClose, useBackend } from "./test_util.ts";
import { kdLoss, kdLossReference, kdLossTopK, kdLossTopKReference } from "./kd_loss.ts";
const N = 3, V = 70, T = 2;
const zA = Array.from({ length: N * V }, (_, i) => Math.sin(i * 1.7) * 3);
const qRaw = Array.from({ length: N * V }, (_, i) => (i % 3 === 0 ? 0 : Math.abs(Math.cos(i))));
const lab = [1, 5, -100];
async function run(b: "cpu" | "wasm" | "webgpu", f: any) {
  await useBackend(b);
  const z = tf.tensor2d(zA, [N, V]);
  const q0 = tf.tensor2d(qRaw, [N, V]);
  const q = tf.div(q0, tf.sum(q0, -1, true)) as tf.Tensor2D;
  const y = tf.tensor1d(lab, "int32");
  const loss = f(z, q, y);
  const g = tf.grad((x: tf.Tensor) => f(x, q, y))(z);
  return { loss: (await loss.data())[0], g: await g.data() };
}
const ref = await run("cpu", (z: any, q: any, y: any) => kdLossReference(z, q, y, T, 0.7, 0.3));
for (const b of ["cpu", "wasm", "webgpu"] as const) {
  const got = await run(b, (z: any, q: any, y: any) => kdLoss(z, q, y, T, 0.7, 0.3));
  console.log(b, got.loss, ref.loss);
  assertAllClose([got.loss], [ref.loss], b + " loss");
  assertAllClose(got.g, ref.g, b + " grad");
}
// topk
const K = 4;
const ids = [[0, 3, 7, 69], [2, 1, 50, 60], [5, 6, 8, 9]].flat();
const pr = [[0.5, 0.25, 0.125, 0.125], [0.4, 0.3, 0.2, 0.1], [1, 0, 0, 0]].flat();
async function runK(b: "cpu" | "wasm" | "webgpu", f: any) {
  await useBackend(b);
  const z = tf.tensor2d(zA, [N, V]);
  const ti = tf.tensor2d(ids, [N, K], "int32"), tp = tf.tensor2d(pr, [N, K]);
  const y = tf.tensor1d(lab, "int32");
  const loss = f(z, ti, tp, y);
  const g = tf.grad((x: tf.Tensor) => f(x, ti, tp, y))(z);
  return { loss: (await loss.data())[0], g: await g.data() };
}
const refK = await runK(
  "cpu",
  (z: any, a: any, p: any, y: any) => kdLossTopKReference(z, a, p, y, T, 0.7, 0.3),
);
for (const b of ["cpu", "wasm", "webgpu"] as const) {
  const got = await runK(
    b,
    (z: any, a: any, p: any, y: any) => kdLossTopK(z, a, p, y, T, 0.7, 0.3),
  );
  console.log("topk", b, got.loss, refK.loss);
  assertAllClose([got.loss], [refK.loss], b + " loss");
  assertAllClose(got.g, refK.g, b + " grad");
}
