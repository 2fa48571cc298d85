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
import {
  customGradOf,
  onWebGPU,
  registerWebGPUKernel,
  scaledPrefix,
  type WebGPUBackend,
  type WebGPUProgram,
  WORKGROUP_INDEX,
} from "./kernel_util.ts";

/** Name of the registered WebGPU kernel for the dense fused loss (forward + gradient). */
export const KD_LOSS_KERNEL = "CohesiveKdLossForward";
/** Name of the registered WebGPU kernel for the top-k fused loss (forward + gradient). */
export const KD_LOSS_TOPK_KERNEL = "CohesiveKdLossTopKForward";

function checkArgs(
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
function entropyTerm(q: tf.Tensor): tf.Tensor {
  const safe = tf.where(tf.greater(q, 0), q, tf.onesLike(q));
  return tf.sum(tf.mul(q, tf.log(safe)), -1);
}

/** 1 for labels in [0, V), 0 otherwise, as float32 [N]. */
function validLabels(labels: tf.Tensor1D, V: number): tf.Tensor1D {
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
 * import { kdLossReference } from "./kd_loss.ts";
 * await tf.setBackend("cpu");
 * const z = tf.tensor2d([[0, 0, 0]]);
 * const q = tf.tensor2d([[0.5, 0.5, 0]]);
 * const loss = kdLossReference(z, q, tf.tensor1d([0], "int32"), 1, 1, 0);
 * console.log(loss.dataSync()[0].toFixed(4)); // "0.4055" = ln 1.5
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

function checkTail(op: string, logits: tf.Tensor, tail: tf.Tensor | undefined): void {
  if (!tail) return;
  if (tail.rank !== 1 || tail.shape[0] !== logits.shape[0]) {
    throw new RangeError(`${op}: tail must be [${logits.shape[0]}], got [${tail.shape}]`);
  }
  if (tail.dtype !== "float32") throw new TypeError(`${op}: tail must be float32`);
}

function checkTopK(op: string, logits: tf.Tensor, topIds: tf.Tensor, topProbs: tf.Tensor): void {
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

/** Per-row CE = valid·logsumexp(z) − z_y, from tf ops (no [N, V] log-probabilities kept). */
function crossEntropyRows(z: tf.Tensor2D, labels: tf.Tensor1D): tf.Tensor1D {
  const V = z.shape[1];
  const zy = tf.sum(tf.mul(z, tf.oneHot(labels, V)), -1);
  return tf.sub(tf.mul(tf.logSumExp(z, -1), validLabels(labels, V)), zy) as tf.Tensor1D;
}

// ---------------------------------------------------------------------------------------------
// WebGPU kernels
// ---------------------------------------------------------------------------------------------

/** Workgroup size for a vocabulary of `V` columns (one workgroup per row). */
function workgroupFor(V: number): number {
  return V >= 2048 ? 256 : 64;
}

/**
 * One workgroup per row. Pass 1: each thread keeps an online (max, Σexp(z−m), Σexp((z−m)/T)) over
 * its strided columns plus the teacher sums (Σq log q, Σq z, Σq); a shared-memory tree merges them.
 * Pass 2 (with `grad`): writes the per-row gradient. Output: `grad ? [N·V gradient | N losses] :
 * [N losses]`, flat.
 */
class KdLossProgram implements WebGPUProgram {
  variableNames: string[];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] } = { x: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  uniforms = "temperature : f32, alphaKd : f32, alphaMlm : f32,";
  private readonly topK: boolean;
  private readonly grad: boolean;

  constructor(N: number, V: number, topK: boolean, grad: boolean) {
    this.topK = topK;
    this.grad = grad;
    this.variableNames = topK ? ["logits", "topIds", "topProbs", "labels", "tail"] : [
      "logits",
      "teacher",
      "labels",
    ];
    this.outputShape = [grad ? N * V + N : N];
    this.dispatch = [N, 1, 1];
    const wg = workgroupFor(V);
    this.workgroupSize = [wg, 1, 1];
    // Everything else (N, V, K, T, alphas) reaches the shader through uniforms.
    this.shaderKey = `cohesiveKdLoss_${topK ? "topk" : "dense"}_${grad ? "grad" : "loss"}_${wg}`;
  }

  getUserCode(): string {
    const wg = this.workgroupSize[0];
    const teacherStats = this.topK
      ? `
        let K = uniforms.topIdsShape[1];
        for (var k = tid; k < K; k += WG) {
          let id = topIds[row * K + k];
          let qk = topProbs[row * K + k];
          if (id >= 0 && id < V) {
            let zk = logits[base + id];
            if (qk > 0.0) { tq.x += qk * log(qk); }
            tq.y += (qk - tau) * zk;               // listed ids: their excess over the tail
            tq.z += qk - tau;
          }
        }`
      : `
        for (var j = tid; j < V; j += WG) {
          let qj = teacher[base + j];
          if (qj > 0.0) { tq.x += qj * log(qj); }
          tq.y += qj * logits[base + j];
          tq.z += qj;
        }`;
    const qTerm = this.topK ? "" : " - teacher[base + j]";
    const sparseFix = this.topK
      ? `
        storageBarrier();
        if (tid == 0 && inRange) {
          let K = uniforms.topIdsShape[1];
          for (var k = 0; k < K; k++) {
            let id = topIds[row * K + k];
            if (id >= 0 && id < V) {
              result[base + id] -= cKd * (topProbs[row * K + k] - tau);
            }
          }
        }`
      : "";
    const gradPass = this.grad
      ? `
        let cKd = uniforms.alphaKd * uniforms.temperature / f32(N);
        let cMlm = uniforms.alphaMlm / f32(N);
        let invS1 = 1.0 / st.y;
        let invST = 1.0 / st.z;
        let qSum = tq.z + f32(V) * tau;
        if (inRange) {
          for (var j = tid; j < V; j += WG) {
            let d = logits[base + j] - m;
            let pT = exp(d * invT) * invST;
            var gMlm = 0.0;
            if (labelOk) { gMlm = exp(d) * invS1 - select(0.0, 1.0, j == label); }
            result[base + j] = cKd * (qSum * pT${qTerm} - tau) + cMlm * gMlm;
          }
        }${sparseFix}`
      : "";
    const lossIndex = this.grad ? "N * V + row" : "row";
    return `
      const WG : i32 = ${wg};
      var<workgroup> redS : array<vec3<f32>, ${wg}>;  // (max, sum exp(z - max), sum exp((z - max) / T))
      var<workgroup> redQ : array<vec4<f32>, ${wg}>;  // (sum q log q, sum q z, sum q, sum z)

      fn mergeStats(a : vec3<f32>, b : vec3<f32>, invT : f32) -> vec3<f32> {
        let mx = max(a.x, b.x);
        return vec3<f32>(mx,
          a.y * exp(a.x - mx) + b.y * exp(b.x - mx),
          a.z * exp((a.x - mx) * invT) + b.z * exp((b.x - mx) * invT));
      }

      fn main(index : i32) {
        let N = uniforms.logitsShape[0];
        let V = uniforms.logitsShape[1];
        let tid = i32(localId.x);
        let flatRow = ${WORKGROUP_INDEX};
        let inRange = flatRow < N;
        let row = min(flatRow, N - 1);
        let base = row * V;
        let invT = 1.0 / uniforms.temperature;
        ${
      this.topK
        ? "let tau = tail[row]; // probability of every unlisted id (0: none)"
        : "let tau = 0.0;"
    }

        // Pass 1: online softmax statistics at T = 1 and at T, one strided slice per thread.
        var st = vec3<f32>(-3.402823e+38, 0.0, 0.0);
        var zSum = 0.0;
        for (var j = tid; j < V; j += WG) {
          let z = logits[base + j];
          zSum += z;
          if (z > st.x) {
            st = vec3<f32>(z, st.y * exp(st.x - z) + 1.0, st.z * exp((st.x - z) * invT) + 1.0);
          } else {
            st = vec3<f32>(st.x, st.y + exp(z - st.x), st.z + exp((z - st.x) * invT));
          }
        }
        var tq = vec3<f32>(0.0, 0.0, 0.0);
        ${teacherStats}
        redS[tid] = st;
        redQ[tid] = vec4<f32>(tq, zSum);
        workgroupBarrier();
        for (var s = WG / 2; s > 0; s = s / 2) {
          if (tid < s) {
            redS[tid] = mergeStats(redS[tid], redS[tid + s], invT);
            redQ[tid] = redQ[tid] + redQ[tid + s];
          }
          workgroupBarrier();
        }
        st = redS[0];
        tq = redQ[0].xyz;
        zSum = redQ[0].w;
        let m = st.x;
        let label = labels[row];
        let labelOk = label >= 0 && label < V;
        ${gradPass}

        if (tid == 0 && inRange) {
          let lseT = m * invT + log(st.z);
          // With a tail τ: unlisted ids add (V − K)·τ log τ to Σ q log q and τ·Σz to Σ q z.
          var kl = tq.x - (tq.y + tau * zSum) * invT + lseT * (tq.z + f32(V) * tau);
          if (tau > 0.0) { kl += f32(V - ${
      this.topK ? "uniforms.topIdsShape[1]" : "0"
    }) * tau * log(tau); }
          var ce = 0.0;
          if (labelOk) { ce = m + log(st.y) - logits[base + label]; }
          let T = uniforms.temperature;
          result[${lossIndex}] = uniforms.alphaKd * T * T * kl + uniforms.alphaMlm * ce;
        }
      }`;
  }
}

function kdLossKernelFunc(topK: boolean): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const a = attrs as { temperature: number; alphaKd: number; alphaMlm: number; grad: boolean };
    const ins = inputs as Record<string, tf.TensorInfo>;
    const list = topK
      ? [ins.logits, ins.topIds, ins.topProbs, ins.labels, ins.tail]
      : [ins.logits, ins.target, ins.labels];
    const [N, V] = ins.logits.shape;
    const program = new KdLossProgram(N, V, topK, a.grad);
    return (backend as WebGPUBackend).runWebGPUProgram(program, list, "float32", [
      { type: "float32", data: [a.temperature] },
      { type: "float32", data: [a.alphaKd] },
      { type: "float32", data: [a.alphaMlm] },
    ]);
  };
}

registerWebGPUKernel(KD_LOSS_KERNEL, kdLossKernelFunc(false));
registerWebGPUKernel(KD_LOSS_TOPK_KERNEL, kdLossKernelFunc(true));

/** Runs a fused kernel; returns the flat [N·V grad | N losses] (or [N losses]) tensor. */
function runFused(
  kernel: string,
  inputs: Record<string, tf.Tensor>,
  T: number,
  alphaKd: number,
  alphaMlm: number,
  grad: boolean,
): tf.Tensor1D {
  return tf.engine().runKernel(
    kernel,
    inputs as tf.NamedTensorMap,
    { temperature: T, alphaKd, alphaMlm, grad } as unknown as tf.NamedAttrMap,
  ) as tf.Tensor1D;
}

/** The WebGPU path shared by both variants: fused forward, gradient kept for the backward. */
function fusedOnWebGPU(
  kernel: string,
  logits: tf.Tensor2D,
  others: Record<string, tf.Tensor>,
  T: number,
  alphaKd: number,
  alphaMlm: number,
): tf.Scalar {
  const [N, V] = logits.shape;
  if (!tf.engine().isTapeOn()) {
    // No gradient will be asked for: the loss-only variant skips the [N, V] write.
    return tf.tidy(() =>
      tf.mean(runFused(kernel, { logits, ...others }, T, alphaKd, alphaMlm, false))
    );
  }
  const op = customGradOf<tf.Scalar>(([z], save) => {
    const both = runFused(kernel, { logits: z, ...others }, T, alphaKd, alphaMlm, true);
    save([both]);
    return {
      value: tf.mean(tf.slice(both, [N * V], [N])) as tf.Scalar,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [scaledPrefix(saved[0], dy, [N, V])],
    };
  });
  return op(logits) as tf.Scalar;
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
 * await tf.setBackend("cpu");
 * const z = tf.tensor2d([[0, 0, 0]]);
 * const q = tf.tensor2d([[0.5, 0.5, 0]]);
 * const y = tf.tensor1d([0], "int32");
 * const g = tf.grad((x: tf.Tensor) => kdLoss(x as tf.Tensor2D, q, y, 2, 1, 0))(z);
 * console.log(Array.from(g.dataSync(), (v) => v.toFixed(3))); // 2·(1/3 − q)
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
  const op = customGradOf<tf.Scalar>(([z], save) => {
    // The backward reads target and labels too: saved (kept) with z, since a caller may have
    // made them inside the gradient tape, whose forward scope frees them before the backward.
    save([z, target, labels]);
    const z2 = z as tf.Tensor2D;
    const lseT = tf.logSumExp(tf.div(z2, T), -1); // [N]
    const qSum = tf.sum(target, -1); // [N]
    const kl = tf.add(
      tf.sub(entropyTerm(target), tf.div(tf.sum(tf.mul(target, z2), -1), T)),
      tf.mul(lseT, qSum),
    );
    const ce = crossEntropyRows(z2, labels);
    const value = tf.mean(tf.add(tf.mul(kl, alphaKd * T * T), tf.mul(ce, alphaMlm))) as tf.Scalar;
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const cKd = (alphaKd * T) / N;
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
    const ce = crossEntropyRows(z2, labels);
    const value = tf.mean(tf.add(tf.mul(kl, alphaKd * T * T), tf.mul(ce, alphaMlm))) as tf.Scalar;
    return {
      value,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const cKd = (alphaKd * T) / N;
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
