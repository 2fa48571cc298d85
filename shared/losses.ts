/**
 * Losses over the vocabulary: sparse cross-entropy for MLM and classification heads.
 *
 * @module
 */
import { type Scalar, type Tensor, type Tensor1D, type Tensor2D, tf } from "./runtime.ts";

type GradSaveFunc = (tensors: Tensor[]) => void;

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
  const [N, C] = logits.shape;
  // One fused op with its own gradient, (softmax − one-hot) / N: the composed version kept about
  // ten [N, V] intermediates alive through the backward pass (over 1 GB of wasm heap for a
  // 32 × 128 MLM batch over a 30k vocabulary); this one holds at most three.
  const f = tf.customGrad((...args: (Tensor | GradSaveFunc)[]) => {
    const x2 = args[0] as Tensor2D;
    const save = args[1] as GradSaveFunc;
    const lse = tf.logSumExp(x2, 1, true); // [N, 1]
    const picked = tf.tidy(() => {
      const flat = tf.add(tf.mul(tf.range(0, N, 1, "int32"), tf.scalar(C, "int32")), labels);
      return tf.gather(x2.reshape([N * C]), flat); // [N]
    });
    const value = tf.tidy(() => tf.mean(tf.sub(lse.reshape([N]), picked)));
    picked.dispose();
    save([x2, lse, labels]); // labels too: the caller's tensor may be gone by the backward pass
    return {
      value,
      gradFunc: (dy: Tensor, saved: Tensor[]) => {
        const [xs, l, ls] = saved;
        const shifted = tf.sub(xs, l);
        const p = tf.exp(shifted); // softmax [N, C]
        shifted.dispose();
        // int32 then a cast: tfjs-backend-wasm 4.22 writes a float32 one-hot as integer bits.
        const hotInt = tf.oneHot(ls as Tensor1D, C);
        const hot = tf.cast(hotInt, "float32");
        hotInt.dispose();
        const diff = tf.sub(p, hot);
        p.dispose();
        hot.dispose();
        const scale = tf.div(dy, tf.scalar(N));
        const grad = tf.mul(diff, scale);
        diff.dispose();
        scale.dispose();
        return grad;
      },
    };
  });
  return f(logits) as Scalar;
}
