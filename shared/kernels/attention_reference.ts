/**
 * Scaled-dot-product attention from plain tfjs ops (matMul, additive mask, softmax, matMul),
 * differentiated by tfjs autodiff: the oracle of the fused attention's tests, and the pieces
 * (mask bias, probabilities, argument checks) its other paths share.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Tensor2D, Tensor4D } from "../tensor_types.ts";

/** The additive score bias −1e9 given to masked (padding) keys. */
export const MASK_BIAS: number = -1e9;

/** Throws a clear error for mismatched shapes or dtypes of an attention op's inputs. */
export function checkArgs(
  op: string,
  q: tf.Tensor,
  k: tf.Tensor,
  v: tf.Tensor,
  mask: tf.Tensor,
): void {
  if (q.rank !== 4) throw new RangeError(`${op}: q must be [B, A, T, D], got [${q.shape}]`);
  for (const [name, t] of [["k", k], ["v", v]] as const) {
    if (t.rank !== 4 || t.shape.some((d, i) => d !== q.shape[i])) {
      throw new RangeError(`${op}: ${name} must be [${q.shape}] like q, got [${t.shape}]`);
    }
  }
  for (const t of [q, k, v]) {
    if (t.dtype !== "float32") throw new TypeError(`${op}: q, k and v must be float32`);
  }
  const [B, , T] = q.shape;
  if (mask.rank !== 2 || mask.shape[0] !== B || mask.shape[1] !== T) {
    throw new RangeError(`${op}: mask must be [${B}, ${T}], got [${mask.shape}]`);
  }
}

/** The [B, 1, 1, T] additive bias of the mask. */
export function maskBias(mask: tf.Tensor): tf.Tensor {
  const [B, T] = mask.shape;
  return tf.reshape(tf.mul(tf.sub(1, tf.cast(mask, "float32")), MASK_BIAS), [B, 1, 1, T]);
}

/** Attention probabilities softmax(q·kᵀ·scale + bias), [B, A, T, T]. */
export function probabilities(
  q: tf.Tensor,
  k: tf.Tensor,
  bias: tf.Tensor,
  scale: number,
): tf.Tensor {
  return tf.softmax(tf.add(tf.mul(tf.matMul(q, k, false, true), scale), bias));
}

/**
 * Scaled-dot-product attention from plain tfjs ops, differentiable by tfjs autodiff: the oracle
 * for {@link attention}.
 *
 * @param q queries, float32 [B, A, T, D]
 * @param k keys, float32 [B, A, T, D]
 * @param v values, float32 [B, A, T, D]
 * @param mask 1 for real tokens, 0 for padding, [B, T]
 * @param scale score scale, usually 1/√D
 * @returns the attended values, [B, A, T, D]
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { attentionReference } from "./attention_reference.ts";
 * import assert from "node:assert/strict";
 * await tf.setBackend("cpu");
 * const x = tf.ones([1, 1, 2, 4]) as tf.Tensor4D;
 * const v = tf.tensor4d([[[[1, 1, 1, 1], [3, 3, 3, 3]]]]);
 * const out = attentionReference(x, x, v, tf.tensor2d([[1, 1]]), 0.5);
 * assert.equal(out.dataSync()[0], 2); // equal scores average the two values
 * ```
 */
export function attentionReference(
  q: Tensor4D,
  k: Tensor4D,
  v: Tensor4D,
  mask: Tensor2D,
  scale: number,
): Tensor4D {
  checkArgs("attentionReference", q, k, v, mask);
  return tf.tidy(() => tf.matMul(probabilities(q, k, maskBias(mask), scale), v) as tf.Tensor4D);
}
