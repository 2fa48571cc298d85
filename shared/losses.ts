/**
 * Losses over the vocabulary: sparse cross-entropy for MLM and classification heads.
 *
 * @module
 */
import { type Scalar, type Tensor1D, type Tensor2D, tf } from "./runtime.ts";

/**
 * Mean cross-entropy of `logits` `[N, C]` against integer `labels` `[N]`, without materialising
 * a one-hot matrix: `−mean(logSoftmax(logits)[i, labels[i]])`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initRuntime, sparseCrossEntropy } from "@cohesive/shared";
 * import { tf } from "@cohesive/shared/tf";
 * await initRuntime({ backend: "cpu", quiet: true });
 * const l = sparseCrossEntropy(tf.tensor2d([[0, 0]]), tf.tensor1d([1], "int32"));
 * assert.equal(l.dataSync()[0].toFixed(4), Math.LN2.toFixed(4)); // two equal logits: log 2
 * ```
 */
export function sparseCrossEntropy(logits: Tensor2D, labels: Tensor1D): Scalar {
  return tf.tidy(() => {
    const [N, C] = logits.shape;
    const logp = tf.logSoftmax(logits); // [N, C]
    const flat = tf.add(tf.mul(tf.range(0, N, 1, "int32"), tf.scalar(C, "int32")), labels);
    return tf.neg(tf.mean(tf.gather(logp.reshape([N * C]), flat))) as Scalar;
  });
}
