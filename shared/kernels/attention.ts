/**
 * Fused scaled-dot-product attention for the BERT-family encoder:
 *
 * ```
 * out = softmax(q·kᵀ·scale + (1 − mask)·(−1e9)) · v      q, k, v: [B, A, T, D], mask: [B, T]
 * ```
 *
 * - {@link attentionReference}: plain tfjs ops (matMul, additive mask, softmax, matMul),
 *   differentiated by tfjs autodiff; the oracle of the tests.
 * - {@link attention}: on WebGPU the `CohesiveAttention` kernel (flash-attention-style: one
 *   64-thread workgroup per (b, a, block of query rows), keys visited in shared-memory chunks with
 *   an online softmax, so any T fits and the [T, T] score matrix is never stored; head sizes whose
 *   tiles do not fit in 16 KiB, see {@link attentionTile}, use the reference ops); elsewhere the
 *   reference ops. Its gradient is a
 *   `tf.customGrad` whose backward uses tfjs ops and recomputes the softmax from q and k (the
 *   forward keeps no probabilities), on every backend.
 *
 * Masked keys get −1e9 added to their score, exactly as in the reference, so a row whose keys are
 * all masked averages v uniformly in both.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Tensor2D, Tensor4D } from "../tensor_types.ts";
import { checkArgs, maskBias, probabilities } from "./attention_reference.ts";
import { AttentionProgram, attentionTile } from "./attention_webgpu.ts";
import { customGradOf, onWebGPU, registerWebGPUKernel, type WebGPUBackend } from "./kernel_util.ts";

export { attentionReference, MASK_BIAS } from "./attention_reference.ts";
export { attentionTile } from "./attention_webgpu.ts";

/** Name of the registered WebGPU attention kernel (forward only). */
export const ATTENTION_KERNEL = "CohesiveAttention";

registerWebGPUKernel(ATTENTION_KERNEL, ({ inputs, backend, attrs }) => {
  const { q, k, v, mask } = inputs as Record<string, tf.TensorInfo>;
  const { scale } = attrs as { scale: number };
  const tile = attentionTile(q.shape[3]);
  if (!tile) throw new RangeError(`attention: head size ${q.shape[3]} is too large for the kernel`);
  const program = new AttentionProgram(q.shape, tile);
  return (backend as WebGPUBackend).runWebGPUProgram(program, [q, k, v, mask], "float32", [
    { type: "float32", data: [scale] },
    { type: "int32", data: [tile.bc] },
  ]);
});

/**
 * Scaled-dot-product attention `softmax(q·kᵀ·scale + (1 − mask)·(−1e9))·v`, differentiable w.r.t.
 * q, k and v (not the mask).
 *
 * On WebGPU the forward is the fused `CohesiveAttention` kernel; elsewhere the reference ops. The
 * backward (all backends) recomputes the softmax with tfjs ops:
 * `dV = Pᵀ·dO`, `dS = P ⊙ (dO·vᵀ − rowsum(P ⊙ dO·vᵀ))`, `dQ = dS·k·scale`, `dK = dSᵀ·q·scale`.
 *
 * @param q queries, float32 [B, A, T, D]
 * @param k keys, float32 [B, A, T, D]
 * @param v values, float32 [B, A, T, D]
 * @param mask 1 for real tokens, 0 for padding, [B, T]
 * @param scale score scale, usually 1/√D
 * @returns the attended values, [B, A, T, D]
 * @throws {RangeError} on mismatched shapes
 * @throws {TypeError} when q, k or v is not float32
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { attention } from "./attention.ts";
 * import assert from "node:assert/strict";
 * await tf.setBackend("cpu");
 * const x = tf.ones([1, 1, 2, 4]) as tf.Tensor4D;
 * const v = tf.tensor4d([[[[1, 1, 1, 1], [3, 3, 3, 3]]]]);
 * // The padding key is ignored: the query sees only the first value.
 * assert.equal(attention(x, x, v, tf.tensor2d([[1, 0]]), 0.5).dataSync()[0], 1);
 * ```
 */
export function attention(
  q: Tensor4D,
  k: Tensor4D,
  v: Tensor4D,
  mask: Tensor2D,
  scale: number,
): Tensor4D {
  checkArgs("attention", q, k, v, mask);
  // The float mask is made here, outside the op: a temporary made inside the op's forward scope
  // would be freed (its GPU buffer recycled) before the queued kernel reads it. It enters the op
  // as an input and is saved, so the backward never reads a tensor the tape has freed.
  const m = mask.dtype === "float32" ? mask : tf.cast(mask, "float32");
  const op = customGradOf<tf.Tensor4D>(([qi, ki, vi, mi], save) => {
    save([qi, ki, vi, mi]);
    let value: tf.Tensor4D;
    if (onWebGPU() && attentionTile(q.shape[3]) !== undefined) {
      const flat = tf.engine().runKernel(
        ATTENTION_KERNEL,
        { q: qi, k: ki, v: vi, mask: mi } as tf.NamedTensorMap,
        { scale } as unknown as tf.NamedAttrMap,
      ) as tf.Tensor;
      value = tf.reshape(flat, q.shape) as tf.Tensor4D;
    } else {
      value = tf.matMul(
        probabilities(qi, ki, maskBias(mi as tf.Tensor2D), scale),
        vi,
      ) as tf.Tensor4D;
    }
    return {
      value,
      gradFunc: (dO: tf.Tensor4D, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [qs, ks, vs, ms] = saved;
          const p = probabilities(qs, ks, maskBias(ms as tf.Tensor2D), scale); // [B, A, T, T], recomputed
          const dV = tf.matMul(p, dO, true, false);
          const dP = tf.matMul(dO, vs, false, true);
          const dS = tf.mul(p, tf.sub(dP, tf.sum(tf.mul(dP, p), -1, true)));
          const dQ = tf.mul(tf.matMul(dS, ks), scale);
          const dK = tf.mul(tf.matMul(dS, qs, true, false), scale);
          return [dQ, dK, dV, tf.zerosLike(ms)]; // the mask is not differentiated
        }),
    };
  });
  // `m` is left to the enclosing tidy: freeing it here would recycle its GPU buffer before the
  // queued kernel has read it.
  return op(q, k, v, m);
}
