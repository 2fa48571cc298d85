import assert from "node:assert/strict";
import { initRuntime, sparseCrossEntropy } from "@cohesive/shared";
import { tf } from "@cohesive/shared/tf";

for (const backend of ["cpu", "wasm"]) {
  Deno.test(`sparseCrossEntropy() matches log-softmax cross-entropy in value and gradient on ${backend}`, async () => {
    await initRuntime({ backend, quiet: true });
    const logits = tf.randomNormal([5, 7], 0, 3, "float32", 1) as tf.Tensor2D;
    const labels = tf.tensor1d([0, 6, 3, 3, 1], "int32");
    const reference = (x: tf.Tensor2D) =>
      tf.neg(tf.mean(tf.sum(tf.mul(tf.logSoftmax(x), tf.oneHot(labels, 7)), 1))) as tf.Scalar;
    const ours = tf.valueAndGrad((x: tf.Tensor) => sparseCrossEntropy(x as tf.Tensor2D, labels));
    const ref = tf.valueAndGrad((x: tf.Tensor) => reference(x as tf.Tensor2D));
    const a = ours(logits), b = ref(logits);
    assert.ok(Math.abs(a.value.dataSync()[0] - b.value.dataSync()[0]) < 1e-5);
    const ga = a.grad.dataSync(), gb = b.grad.dataSync();
    for (let i = 0; i < ga.length; i++) assert.ok(Math.abs(ga[i] - gb[i]) < 1e-6, `grad ${i}`);
    tf.dispose([logits, labels, a.value, a.grad, b.value, b.grad]);
  });
}
