/**
 * Fused scaled-dot-product attention for the BERT-family encoder:
 *
 * ```
 * out = softmax(q·kᵀ·scale + (1 − mask)·(−1e9)) · v      q, k, v: [B, A, T, D], mask: [B, T]
 * ```
 *
 * - {@link attentionReference}: plain tfjs ops (matMul, additive mask, softmax, matMul),
 *   differentiated by tfjs autodiff; the oracle of the tests.
 * - {@link attention}: on WebGPU the `CohesiveAttention` kernel (one workgroup per (b, a, query
 *   row), keys visited in chunks of the workgroup size with an online softmax, so any T fits and
 *   the [T, T] score matrix is never stored); elsewhere the reference ops. Its gradient is a
 *   `tf.customGrad` whose backward uses tfjs ops and recomputes the softmax from q and k (the
 *   forward keeps no probabilities), on every backend.
 *
 * Masked keys get −1e9 added to their score, exactly as in the reference, so a row whose keys are
 * all masked averages v uniformly in both.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import {
  customGradOf,
  onWebGPU,
  registerWebGPUKernel,
  type WebGPUBackend,
  type WebGPUProgram,
  WORKGROUP_INDEX,
} from "./kernel_util.ts";

/** Name of the registered WebGPU attention kernel (forward only). */
export const ATTENTION_KERNEL = "CohesiveAttention";

/** The additive score bias −1e9 given to masked (padding) keys. */
export const MASK_BIAS = -1e9;

function checkArgs(op: string, q: tf.Tensor, k: tf.Tensor, v: tf.Tensor, mask: tf.Tensor): void {
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
function maskBias(mask: tf.Tensor): tf.Tensor {
  const [B, T] = mask.shape;
  return tf.reshape(tf.mul(tf.sub(1, tf.cast(mask, "float32")), MASK_BIAS), [B, 1, 1, T]);
}

/** Attention probabilities softmax(q·kᵀ·scale + bias), [B, A, T, T]. */
function probabilities(q: tf.Tensor, k: tf.Tensor, bias: tf.Tensor, scale: number): tf.Tensor {
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
 * import { attentionReference } from "./attention.ts";
 * await tf.setBackend("cpu");
 * const x = tf.ones([1, 1, 2, 4]);
 * const v = tf.tensor4d([[[[1, 1, 1, 1], [3, 3, 3, 3]]]]);
 * const out = attentionReference(x, x, v, tf.tensor2d([[1, 1]]), 0.5);
 * console.log(out.dataSync()[0]); // 2: equal scores average the two values
 * ```
 */
export function attentionReference(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  mask: tf.Tensor2D,
  scale: number,
): tf.Tensor4D {
  checkArgs("attentionReference", q, k, v, mask);
  return tf.tidy(() => tf.matMul(probabilities(q, k, maskBias(mask), scale), v) as tf.Tensor4D);
}

// ---------------------------------------------------------------------------------------------
// WebGPU kernel
// ---------------------------------------------------------------------------------------------

/** Threads per workgroup: 64 covers D = 64 (BERT-base heads) with one output column per thread. */
const ATTENTION_WORKGROUP = 64;

/**
 * One workgroup per (b, a, query row i). The query row sits in shared memory; keys are visited in
 * chunks of W: thread t scores key c0 + t, two tree reductions give the chunk max and sum, the
 * running (max, denominator) and each thread's output columns d = tid + r·W are rescaled (online
 * softmax). D is compiled in (it sizes shared memory and the per-thread accumulators).
 */
class AttentionProgram implements WebGPUProgram {
  variableNames: string[] = ["q", "k", "v", "mask"];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] } = { x: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number];
  uniforms = "scale : f32,";
  private readonly depth: number;

  constructor(shape: number[], workgroup: number) {
    const [B, A, T, D] = shape;
    this.outputShape = [B * A * T * D];
    this.depth = D;
    this.workgroupSize = [workgroup, 1, 1];
    this.dispatch = [B * A * T, 1, 1];
    // The WGSL depends on W and D only; B, A, T and scale come through uniforms.
    this.shaderKey = `cohesiveAttention_w${workgroup}_d${D}`;
  }

  getUserCode(): string {
    const W = this.workgroupSize[0];
    const D = this.depth;
    const R = Math.ceil(D / W);
    return `
      const W : i32 = ${W};
      const D : i32 = ${D};
      const R : i32 = ${R};
      var<workgroup> qRow : array<f32, ${D}>;
      var<workgroup> probs : array<f32, ${W}>;
      var<workgroup> red : array<f32, ${W}>;

      fn main(index : i32) {
        let B = uniforms.qShape[0];
        let A = uniforms.qShape[1];
        let T = uniforms.qShape[2];
        let items = B * A * T;
        let tid = i32(localId.x);
        let flatItem = ${WORKGROUP_INDEX};
        let inRange = flatItem < items;
        let item = min(flatItem, items - 1);
        let ba = item / T;           // b * A + a
        let b = ba / A;
        let qBase = item * D;        // ((b * A + a) * T + i) * D
        let kvBase = ba * T * D;
        let maskBase = b * T;

        for (var d = tid; d < D; d += W) {
          qRow[d] = q[qBase + d];
        }
        workgroupBarrier();

        var mRun = -3.402823e+38;
        var lRun = 0.0;
        var acc : array<f32, ${R}>;
        for (var c0 = 0; c0 < T; c0 += W) {
          let t = c0 + tid;
          var score = -3.402823e+38;
          if (t < T) {
            var dotv = 0.0;
            let kRow = kvBase + t * D;
            for (var d = 0; d < D; d++) {
              dotv += qRow[d] * k[kRow + d];
            }
            score = dotv * uniforms.scale + (1.0 - mask[maskBase + t]) * ${MASK_BIAS.toExponential()};
          }
          red[tid] = score;
          workgroupBarrier();
          for (var s = W / 2; s > 0; s = s / 2) {
            if (tid < s) { red[tid] = max(red[tid], red[tid + s]); }
            workgroupBarrier();
          }
          let mNew = max(mRun, red[0]);
          workgroupBarrier();
          var p = 0.0;
          if (t < T) { p = exp(score - mNew); }
          probs[tid] = p;
          red[tid] = p;
          workgroupBarrier();
          for (var s = W / 2; s > 0; s = s / 2) {
            if (tid < s) { red[tid] = red[tid] + red[tid + s]; }
            workgroupBarrier();
          }
          let alpha = exp(mRun - mNew);
          lRun = lRun * alpha + red[0];
          let count = min(W, T - c0);
          for (var r = 0; r < R; r++) {
            let d = tid + r * W;
            if (d < D) {
              var sum = acc[r] * alpha;
              for (var u = 0; u < count; u++) {
                sum += probs[u] * v[kvBase + (c0 + u) * D + d];
              }
              acc[r] = sum;
            }
          }
          mRun = mNew;
          workgroupBarrier();
        }
        if (inRange) {
          for (var r = 0; r < R; r++) {
            let d = tid + r * W;
            if (d < D) { result[qBase + d] = acc[r] / lRun; }
          }
        }
      }`;
  }
}

registerWebGPUKernel(ATTENTION_KERNEL, ({ inputs, backend, attrs }) => {
  const { q, k, v, mask } = inputs as Record<string, tf.TensorInfo>;
  const { scale } = attrs as { scale: number };
  const program = new AttentionProgram(q.shape, ATTENTION_WORKGROUP);
  return (backend as WebGPUBackend).runWebGPUProgram(program, [q, k, v, mask], "float32", [
    { type: "float32", data: [scale] },
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
 * await tf.setBackend("cpu");
 * const x = tf.ones([1, 1, 2, 4]);
 * const v = tf.tensor4d([[[[1, 1, 1, 1], [3, 3, 3, 3]]]]);
 * // The padding key is ignored: the query sees only the first value.
 * console.log(attention(x, x, v, tf.tensor2d([[1, 0]]), 0.5).dataSync()[0]); // 1
 * ```
 */
export function attention(
  q: tf.Tensor4D,
  k: tf.Tensor4D,
  v: tf.Tensor4D,
  mask: tf.Tensor2D,
  scale: number,
): tf.Tensor4D {
  checkArgs("attention", q, k, v, mask);
  const op = customGradOf<tf.Tensor4D>(([qi, ki, vi], save) => {
    save([qi, ki, vi]);
    let value: tf.Tensor4D;
    if (onWebGPU()) {
      const m = mask.dtype === "float32" ? mask : tf.cast(mask, "float32");
      const flat = tf.engine().runKernel(
        ATTENTION_KERNEL,
        { q: qi, k: ki, v: vi, mask: m } as tf.NamedTensorMap,
        { scale } as unknown as tf.NamedAttrMap,
      ) as tf.Tensor;
      value = tf.reshape(flat, q.shape) as tf.Tensor4D;
    } else {
      value = tf.matMul(probabilities(qi, ki, maskBias(mask), scale), vi) as tf.Tensor4D;
    }
    return {
      value,
      gradFunc: (dO: tf.Tensor4D, saved: tf.Tensor[]) =>
        tf.tidy(() => {
          const [qs, ks, vs] = saved;
          const p = probabilities(qs, ks, maskBias(mask), scale); // [B, A, T, T], recomputed
          const dV = tf.matMul(p, dO, true, false);
          const dP = tf.matMul(dO, vs, false, true);
          const dS = tf.mul(p, tf.sub(dP, tf.sum(tf.mul(dP, p), -1, true)));
          const dQ = tf.mul(tf.matMul(dS, ks), scale);
          const dK = tf.mul(tf.matMul(dS, qs, true, false), scale);
          return [dQ, dK, dV];
        }),
    };
  });
  return op(q, k, v);
}
