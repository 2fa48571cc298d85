import * as tf from "@tensorflow/tfjs-core";
import { useBackend } from "./test_util.ts";
import { attention } from "./attention.ts";
await useBackend("webgpu");
for (const shape of [[1, 1, 1, 4], [2, 3, 5, 8], [2, 2, 70, 16], [1, 2, 33, 80], [1, 2, 130, 64], [1,2,130,64]] as [number,number,number,number][]) {
  const x = tf.randomNormal(shape) as tf.Tensor4D;
  const m = tf.ones([shape[0], shape[2]]) as tf.Tensor2D;
  const t0 = performance.now();
  await attention(x, x, x, m, 0.3).data();
  console.log(shape, (performance.now() - t0).toFixed(0), "ms");
}
