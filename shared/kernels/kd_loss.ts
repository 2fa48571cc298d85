/**
 * The distillation loss of cohesive as one fused op: for each masked position (row) with student
 * logits `z`, teacher mixture `q` (at temperature `T`) and gold id `y`,
 *
 * ```
 * loss_row = α_kd·T²·KL(q ‖ softmax(z/T)) + α_mlm·CE(softmax(z), y)
 * loss     = mean over rows
 * ```
 *
 * with `KL = Σ q (log q − log p)` and `0·log 0 = 0`.
 *
 * Three implementations:
 * - {@link kdLossReference} / {@link kdLossTopKReference}: plain tfjs ops, differentiated by tfjs
 *   autodiff. This is the oracle the tests compare against.
 * - {@link kdLoss} / {@link kdLossTopK} on `cpu`, `wasm` (any non-WebGPU backend): forward from tfjs
 *   ops, backward in closed form through `tf.customGrad`:
 *   `d/dz = [α_kd·T·(Σq·softmax(z/T) − q) + α_mlm·(softmax(z) − onehot(y))] / N`
 *   (`Σq = 1` for a proper distribution, which gives the textbook form).
 * - the same ops on `webgpu`: one WGSL workgroup per row makes a single online max/sum pass over
 *   the vocabulary and a second pass writing the per-row gradient, so the forward also produces the
 *   gradient and the backward is a single scaling pass.
 *
 * Labels outside `[0, V)` (e.g. `-100`) contribute no CE term and no CE gradient (the row still
 * counts in the mean). Teacher ids of the top-k variant must lie in `[0, V)` and be unique per row.
 *
 * The reference oracles need tfjs' gradients registered (import `@tensorflow/tfjs` or the cohesive
 * runtime); the fused ops do not.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { Scalar, Tensor1D, Tensor2D } from "../tensor_types.ts";
import { fusedOnWebGPU, KD_LOSS_KERNEL, KD_LOSS_TOPK_KERNEL } from "./kd_loss_kernel.ts";
import { checkArgs, checkTail, checkTopK, entropyTerm, validLabels } from "./kd_loss_reference.ts";
import { customGradOf, onWebGPU } from "./kernel_util.ts";

export { KD_LOSS_KERNEL, KD_LOSS_TOPK_KERNEL } from "./kd_loss_kernel.ts";
export { kdLossReference, kdLossTopKReference } from "./kd_loss_reference.ts";

/** The closed-form gradient's dense part: cKd·Σq·softmax(z/T) + cMlm·(valid·softmax(z) − onehot). */
function denseGradPart(
  z: tf.Tensor2D,
  qSum: tf.Tensor,
  labels: tf.Tensor1D,
  T: number,
  cKd: number,
  cMlm: number,
): tf.Tensor2D {
  const V = z.shape[1];
  const pT = tf.softmax(tf.div(z, T));
  const p = tf.softmax(z);
  const valid = tf.reshape(validLabels(labels, V), [-1, 1]);
  const mlm = tf.sub(tf.mul(p, valid), tf.oneHot(labels, V));
  return tf.add(
    tf.mul(pT, tf.mul(tf.reshape(qSum, [-1, 1]), cKd)),
    tf.mul(mlm, cMlm),
  ) as tf.Tensor2D;
}

/** `mean(α_kd·T²·KL + α_mlm·CE)` over rows. */
function meanLoss(
  kl: tf.Tensor,
  ce: tf.Tensor,
  T: number,
  alphaKd: number,
  alphaMlm: number,
): tf.Scalar {
  return tf.mean(tf.add(tf.mul(kl, alphaKd * T * T), tf.mul(ce, alphaMlm))) as tf.Scalar;
}

/** Per-row CE = valid·logsumexp(z) − z_y, from tf ops (no [N, V] log-probabilities kept). */
function crossEntropyRows(z: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  const V = z.shape[1];
  const zy = tf.sum(tf.mul(z, tf.oneHot(labels, V)), -1);
  return tf.sub(tf.mul(tf.logSumExp(z, -1), validLabels(labels, V)), zy) as tf.Tensor1D;
}

/**
 * The fused distillation loss `mean(α_kd·T²·KL(q ‖ softmax(z/T)) + α_mlm·CE(softmax(z), y))`,
 * differentiable w.r.t. `logits` only (the teacher and labels are constants).
 *
 * On WebGPU it runs the `CohesiveKdLossForward` kernel, which writes the gradient in the same pass;
 * elsewhere tfjs ops with a closed-form `customGrad` backward.
 *
 * @param logits student logits at the masked positions, float32 [N, V]
 * @param target teacher mixture probabilities at temperature `T`, float32 [N, V], rows sum to 1
 * @param labels gold token ids, int32 [N] (ids outside [0, V) add no CE term)
 * @param T distillation temperature (> 0)
 * @param alphaKd weight of the T²-scaled KL term
 * @param alphaMlm weight of the cross-entropy term
 * @returns the mean over rows, a scalar
 * @throws {RangeError} on wrong shapes or a non-positive temperature
 * @throws {TypeError} on wrong dtypes
 *
 * @example
 * ```ts
 * import * as tf from "@tensorflow/tfjs-core";
 * import "@tensorflow/tfjs-backend-cpu";
 * import { kdLoss } from "./kd_loss.ts";
 * import assert from "node:assert/strict";
 * await tf.setBackend("cpu");
 * const z = tf.tensor2d([[0, 0, 0]]);
 * const q = tf.tensor2d([[0.5, 0.5, 0]]);
 * const y = tf.tensor1d([0], "int32");
 * const g = tf.grad((x: tf.Tensor) => kdLoss(x as tf.Tensor2D, q, y, 2, 1, 0))(z);
 * // 2·(1/3 − q)
 * assert.deepEqual(Array.from(g.dataSync(), (v) => v.toFixed(3)), ["-0.333", "-0.333", "0.667"]);
 * ```
 */
export function kdLoss(
  logits: Tensor2D,
  target: Tensor2D,
  labels: Tensor1D,
  T: number,
  alphaKd: number,
  alphaMlm: number,
): Scalar {
  checkArgs("kdLoss", logits, labels, T, alphaKd, alphaMlm);
  if (
    target.rank !== 2 || target.shape[0] !== logits.shape[0] || target.shape[1] !== logits.shape[1]
  ) {
    throw new RangeError(`kdLoss: target must be [${logits.shape}], got [${target.shape}]`);
  }
  if (target.dtype !== "float32") throw new TypeError("kdLoss: target must be float32");
  if (onWebGPU()) {
    return fusedOnWebGPU(KD_LOSS_KERNEL, logits, { target, labels }, T, alphaKd, alphaMlm);
  }
  const [N] = logits.shape;
  const cKd = (alphaKd * T) / N;
  const op = customGradOf<tf.Scalar>(([z], save) => {
    // The backward reads target and labels too: saved (kept) with z, since a caller may have
    // made them inside the gradient tape, whose forward scope frees them before the backward.
    save([z, target, labels]);
    const z2 = z as tf.Tensor2D;
    const lseT = tf.logSumExp(tf.div(z2, T), -1); // [N]
    const qSum = tf.sum(target, -1); // [N]
    const qz = tf.sum(tf.mul(target, z2), -1); // [N]
    const kl = tf.add(tf.sub(entropyTerm(target), tf.div(qz, T)), tf.mul(lseT, qSum));
    const value = meanLoss(kl, crossEntropyRows(z2, labels), T, alphaKd, alphaMlm);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [z0, q, y] = saved as [tf.Tensor2D, tf.Tensor2D, tf.Tensor1D];
          const g = tf.sub(
            denseGradPart(z0, tf.sum(q, -1), y, T, cKd, alphaMlm / N),
            tf.mul(q, cKd),
          );
          return [tf.mul(g, dy)];
        }),
    };
  });
  return op(logits) as tf.Scalar;
}

/**
 * {@link kdLoss} with the teacher mixture given sparsely as its top-k (renormalised) entries, the
 * form cached teachers provide. Differentiable w.r.t. `logits` only.
 *
 * On WebGPU it runs the `CohesiveKdLossTopKForward` kernel; elsewhere tfjs ops (`gatherND` forward,
 * `scatterND` in the closed-form backward).
 *
 * @param logits student logits, float32 [N, V]
 * @param topIds teacher top-k token ids, int32 [N, K], unique per row, in [0, V)
 * @param topProbs their mixture probabilities, float32 [N, K], rows sum to 1
 * @param labels gold token ids, int32 [N] (ids outside [0, V) add no CE term)
 * @param T distillation temperature (> 0)
 * @param alphaKd weight of the T²-scaled KL term
 * @param alphaMlm weight of the cross-entropy term
 * @param tail optional float32 [N]: the probability τ of every id not listed, so the target keeps
 *   the teachers' mass outside their top-k (spread evenly) instead of renormalising the top-k to 1;
 *   listed ids then hold their full probability and rows sum to 1 with the tail.
 * @returns the mean over rows, a scalar
 * @throws {RangeError} on wrong shapes or a non-positive temperature
 * @throws {TypeError} on wrong dtypes
 */
export function kdLossTopK(
  logits: Tensor2D,
  topIds: Tensor2D,
  topProbs: Tensor2D,
  labels: Tensor1D,
  T: number,
  alphaKd: number,
  alphaMlm: number,
  tail?: Tensor1D,
): Scalar {
  checkArgs("kdLossTopK", logits, labels, T, alphaKd, alphaMlm);
  checkTopK("kdLossTopK", logits, topIds, topProbs);
  checkTail("kdLossTopK", logits, tail);
  if (onWebGPU()) {
    const noTail = tail ? undefined : tf.zeros([logits.shape[0]], "float32") as Tensor1D;
    try {
      return fusedOnWebGPU(
        KD_LOSS_TOPK_KERNEL,
        logits,
        { topIds, topProbs, labels, tail: tail ?? noTail! },
        T,
        alphaKd,
        alphaMlm,
      );
    } finally {
      noTail?.dispose();
    }
  }
  // tfjs ops. With a tail τ the dense target is q = τ + Σ_listed (q_j − τ)·e_j, so with
  // s = softmax(z / T): Σ_j q_j log s_j = (Σ_listed (q_j − τ) z_j + τ Σ_j z_j) / T − mass·lse(z / T)
  // (mass = Σ_listed (q_j − τ) + V·τ, 1 for a tailed row), the entropy gains (V − K) τ log τ and the
  // KL gradient w.r.t. z is (mass·s − τ − Σ_listed (q_j − τ)·e_j) / T: no dense [N, V] target. τ = 0
  // (no tail) leaves the plain top-k formulas.
  const [N, K] = topIds.shape;
  const V = logits.shape[1];
  const tau = tail ?? tf.zeros([N], "float32") as Tensor1D;
  const cKd = (alphaKd * T) / N;
  const op = customGradOf<tf.Scalar>(([z], save) => {
    // Saved (kept) with z: the backward reads them, and a caller may have made them inside the
    // gradient tape, whose forward scope frees them before the backward runs.
    save([z, topIds, topProbs, labels, tau]);
    const z2 = z as tf.Tensor2D;
    // gatherND, not gather(…, batchDims = 1): the wasm GatherV2 kernel returns garbage with batchDims.
    const rows = tf.tile(tf.reshape(tf.range(0, N, 1, "int32"), [N, 1]), [1, K]); // [N, K]
    const zTop = tf.gatherND(z2, tf.stack([rows, topIds], -1)); // [N, K]
    const excess = tf.sub(topProbs, tf.reshape(tau, [-1, 1])); // [N, K]
    const mass = tf.add(tf.sum(excess, -1), tf.mul(tau, V)); // [N]
    const safeTau = tf.where(tf.greater(tau, 0), tau, tf.onesLike(tau));
    const entropy = tf.add(entropyTerm(topProbs), tf.mul(tf.mul(tau, tf.log(safeTau)), V - K));
    const qz = tf.add(tf.sum(tf.mul(excess, zTop), -1), tf.mul(tau, tf.sum(z2, -1)));
    const kl = tf.add(
      tf.sub(entropy, tf.div(qz, T)),
      tf.mul(tf.logSumExp(tf.div(z2, T), -1), mass),
    );
    const value = meanLoss(kl, crossEntropyRows(z2, labels), T, alphaKd, alphaMlm);
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [z0, ids, probs, y, tl] = saved as [
            tf.Tensor2D,
            tf.Tensor2D,
            tf.Tensor2D,
            tf.Tensor1D,
            tf.Tensor1D,
          ];
          // Forward intermediates are gone (the forward ran in its own tidy): recompute.
          const ex = tf.sub(probs, tf.reshape(tl, [-1, 1]));
          const massB = tf.add(tf.sum(ex, -1), tf.mul(tl, V));
          const dense = tf.sub(
            denseGradPart(z0, massB, y, T, cKd, alphaMlm / N),
            tf.mul(tf.reshape(tl, [-1, 1]), cKd),
          );
          const r = tf.tile(tf.reshape(tf.range(0, N, 1, "int32"), [N, 1]), [1, K]);
          const indices = tf.reshape(tf.stack([r, ids], -1), [N * K, 2]);
          const sparse = tf.scatterND(indices, tf.reshape(tf.mul(ex, cKd), [N * K]), dense.shape);
          return [tf.mul(tf.sub(dense, sparse), dy)];
        }),
    };
  });
  // `tau` (when made here) is left to the enclosing scope: the backward reads it as saved.
  return op(logits) as tf.Scalar;
}
