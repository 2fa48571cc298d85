/**
 * The distillation loss from plain tfjs ops (logSoftmax, oneHot, scatterND), differentiated by
 * tfjs autodiff: the oracles of the fused loss's tests, and the argument checks and row terms its
 * other paths share. The oracles need tfjs' gradients registered (import `@tensorflow/tfjs` or the
 * cohesive runtime).
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Scalar, Tensor1D, Tensor2D } from "../tensor_types.ts";

/** Throws a clear error for wrong shapes, dtypes or settings of a distillation loss op. */
export function checkArgs(
  op: string,
  logits: tf.Tensor,
  labels: tf.Tensor,
  T: number,
  alphaKd: number,
  alphaMlm: number,
): void {
  if (logits.rank !== 2) {
    throw new RangeError(`${op}: logits must be [N, V], got [${logits.shape}]`);
  }
  if (logits.dtype !== "float32") throw new TypeError(`${op}: logits must be float32`);
  if (labels.rank !== 1 || labels.shape[0] !== logits.shape[0]) {
    throw new RangeError(`${op}: labels must be [${logits.shape[0]}], got [${labels.shape}]`);
  }
  if (labels.dtype !== "int32") throw new TypeError(`${op}: labels must be int32`);
  if (!(T > 0) || !Number.isFinite(T)) {
    throw new RangeError(`${op}: temperature must be a positive number, got ${T}`);
  }
  if (!Number.isFinite(alphaKd) || !Number.isFinite(alphaMlm)) {
    throw new RangeError(`${op}: alphaKd and alphaMlm must be finite numbers`);
  }
}

/** Σ q·log q per row, with 0·log 0 = 0 (a constant: the teacher gets no gradient). */
export function entropyTerm(q: tf.Tensor): tf.Tensor {
  const safe = tf.where(tf.greater(q, 0), q, tf.onesLike(q));
  return tf.sum(tf.mul(q, tf.log(safe)), -1);
}

/** 1 for labels in [0, V), 0 otherwise, as float32 [N]. */
export function validLabels(labels: tf.Tensor1D, V: number): tf.Tensor1D {
  return tf.cast(
    tf.logicalAnd(tf.greaterEqual(labels, 0), tf.less(labels, V)),
    "float32",
  ) as tf.Tensor1D;
}

/**
 * The textbook loss from plain tfjs ops (logSoftmax, oneHot), differentiable by tfjs autodiff:
 * the oracle for {@link kdLoss}.
 *
 * @param logits student logits at the masked positions, float32 [N, V]
 * @param target teacher mixture probabilities at temperature `T`, float32 [N, V], rows sum to 1
 * @param labels gold token ids, int32 [N] (ids outside [0, V) add no CE term)
 * @param T distillation temperature (> 0)
 * @param alphaKd weight of the T²-scaled KL term
 * @param alphaMlm weight of the cross-entropy term
 * @returns the mean over rows, a scalar
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { kdLossReference } from "./kd_loss_reference.ts";
 * import assert from "node:assert/strict";
 * await tf.setBackend("cpu");
 * const z = tf.tensor2d([[0, 0, 0]]);
 * const q = tf.tensor2d([[0.5, 0.5, 0]]);
 * const loss = kdLossReference(z, q, tf.tensor1d([0], "int32"), 1, 1, 0);
 * assert.equal(loss.dataSync()[0].toFixed(4), Math.log(1.5).toFixed(4));
 * ```
 */
export function kdLossReference(
  logits: Tensor2D,
  target: Tensor2D,
  labels: Tensor1D,
  T: number,
  alphaKd: number,
  alphaMlm: number,
): Scalar {
  checkArgs("kdLossReference", logits, labels, T, alphaKd, alphaMlm);
  return tf.tidy(() => {
    const V = logits.shape[1];
    const logPT = tf.logSoftmax(tf.div(logits, T)); // [N, V]
    const kl = tf.sub(entropyTerm(target), tf.sum(tf.mul(target, logPT), -1)); // [N]
    const logP = tf.logSoftmax(logits); // [N, V]
    const ce = tf.neg(tf.sum(tf.mul(tf.oneHot(labels, V), logP), -1)); // [N]
    return tf.mean(tf.add(tf.mul(kl, alphaKd * T * T), tf.mul(ce, alphaMlm))) as tf.Scalar;
  });
}

/**
 * The top-k loss from plain tfjs ops: the teacher mixture is densified with `scatterND` and
 * {@link kdLossReference} applied. The oracle for {@link kdLossTopK}.
 *
 * @param logits student logits, float32 [N, V]
 * @param topIds teacher top-k token ids, int32 [N, K], unique per row, in [0, V)
 * @param topProbs their (renormalised) mixture probabilities, float32 [N, K]
 * @param labels gold token ids, int32 [N]
 * @param T distillation temperature (> 0)
 * @param alphaKd weight of the T²-scaled KL term
 * @param alphaMlm weight of the cross-entropy term
 * @param tail optional float32 [N]: the probability τ of every id not listed (the teachers' mass
 *   outside their top-k, spread evenly); listed ids hold their full probability
 * @returns the mean over rows, a scalar
 */
export function kdLossTopKReference(
  logits: Tensor2D,
  topIds: Tensor2D,
  topProbs: Tensor2D,
  labels: Tensor1D,
  T: number,
  alphaKd: number,
  alphaMlm: number,
  tail?: Tensor1D,
): Scalar {
  checkTopK("kdLossTopKReference", logits, topIds, topProbs);
  checkTail("kdLossTopKReference", logits, tail);
  return tf.tidy(() => {
    const V = logits.shape[1];
    const q = tail
      // q = τ everywhere, then the listed ids get their own probability.
      ? tf.add(
        densify(topIds, tf.sub(topProbs, tf.reshape(tail, [-1, 1])) as tf.Tensor2D, V),
        tf.reshape(tail, [-1, 1]),
      ) as tf.Tensor2D
      : densify(topIds, topProbs, V);
    return kdLossReference(logits, q, labels, T, alphaKd, alphaMlm);
  });
}

/** Throws a clear error for a tail that is not float32 [N]. */
export function checkTail(op: string, logits: tf.Tensor, tail: tf.Tensor | undefined): void {
  if (!tail) return;
  if (tail.rank !== 1 || tail.shape[0] !== logits.shape[0]) {
    throw new RangeError(`${op}: tail must be [${logits.shape[0]}], got [${tail.shape}]`);
  }
  if (tail.dtype !== "float32") throw new TypeError(`${op}: tail must be float32`);
}

/** Throws a clear error for top-k ids or probabilities of the wrong shape or dtype. */
export function checkTopK(
  op: string,
  logits: tf.Tensor,
  topIds: tf.Tensor,
  topProbs: tf.Tensor,
): void {
  if (logits.rank !== 2) {
    throw new RangeError(`${op}: logits must be [N, V], got [${logits.shape}]`);
  }
  const N = logits.shape[0];
  if (topIds.rank !== 2 || topIds.shape[0] !== N) {
    throw new RangeError(`${op}: topIds must be [${N}, K], got [${topIds.shape}]`);
  }
  if (topIds.dtype !== "int32") throw new TypeError(`${op}: topIds must be int32`);
  if (topProbs.rank !== 2 || topProbs.shape[0] !== N || topProbs.shape[1] !== topIds.shape[1]) {
    throw new RangeError(`${op}: topProbs must be [${topIds.shape}], got [${topProbs.shape}]`);
  }
  if (topProbs.dtype !== "float32") throw new TypeError(`${op}: topProbs must be float32`);
}

/** Dense [N, V] teacher distribution from its top-k ids and probabilities (scatterND). */
function densify(topIds: tf.Tensor2D, topProbs: tf.Tensor2D, V: number): tf.Tensor2D {
  return tf.tidy(() => {
    const [N, K] = topIds.shape;
    const rows = tf.tile(tf.reshape(tf.range(0, N, 1, "int32"), [N, 1]), [1, K]); // [N, K]
    const indices = tf.reshape(tf.stack([rows, topIds], -1), [N * K, 2]);
    return tf.scatterND(indices, tf.reshape(topProbs, [N * K]), [N, V]) as tf.Tensor2D;
  });
}
