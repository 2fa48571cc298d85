import * as tf from "@tensorflow/tfjs-core";
import { useBackend } from "./test_util.ts";
for (const b of ["cpu", "wasm"] as const) {
  await useBackend(b);
  const z = tf.tensor2d([[0, 1, 2, 3], [10, 11, 12, 13], [20, 21, 22, 23]]);
  const ids = tf.tensor2d([[3, 0], [1, 2], [0, 0]], undefined, "int32");
  console.log(
    b,
    Array.from(await tf.gather(z, tf.tensor1d([2, 0, 2], "int32"), 0).data()),
    Array.from(await tf.gather(z, ids, 1).data()).join(","),
    Array.from(
      await tf.gather(
        tf.tensor3d([[[1, 2], [3, 4]], [[5, 6], [7, 8]]]),
        tf.tensor2d([[1], [0]], undefined, "int32"),
        1,
        1,
      ).data(),
    ),
  );
}
