import * as tf from "@tensorflow/tfjs-core";
import { useBackend } from "./test_util.ts";
import { attention } from "./attention.ts";
await useBackend("webgpu");
for (
  const shape of [[1, 1, 1, 4], [2, 3, 5, 8], [2, 2, 70, 16], [1, 2, 33, 80], [1, 2, 130, 64]] as [
    number,
    number,
    number,
    number,
  ][]
) {
  const x = tf.randomNormal(shape) as tf.Tensor4D;
  const m = tf.ones([shape[0], shape[2]]) as tf.Tensor2D;
  let t0 = performance.now();
  await attention(x, x, x, m, 0.3).data();
  const fwd = performance.now() - t0;
  t0 = performance.now();
  const gs = tf.grads((a: tf.Tensor, b: tf.Tensor, c: tf.Tensor) =>
    tf.sum(attention(a as any, b as any, c as any, m, 0.3))
  )([x, x, x]);
  for (const g of gs) await g.data();
  console.log(shape, "fwd", fwd.toFixed(0), "bwd", (performance.now() - t0).toFixed(0));
}
