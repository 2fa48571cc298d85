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
export const MASK_BIAS: number = -1e9;

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
 * const x = tf.ones([1, 1, 2, 4]) as tf.Tensor4D;
 * const v = tf.tensor4d([[[[1, 1, 1, 1], [3, 3, 3, 3]]]]);
 * const out = attentionReference(x, x, v, tf.tensor2d([[1, 1]]), 0.5);
 * console.log(out.dataSync()[0]); // 2: equal scores average the two values
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

// ---------------------------------------------------------------------------------------------
// WebGPU kernel
// ---------------------------------------------------------------------------------------------

/** Threads per workgroup. */
const ATTENTION_THREADS = 64;
/** Shared memory the kernel may use, in f32 words (16 KiB, WebGPU's guaranteed minimum). */
const SHARED_WORDS = 4096;

/**
 * Query rows (bq) and keys (bc) per tile for head size D, or undefined when no tile fits in 16 KiB
 * of shared memory (then {@link attention} uses the reference ops on WebGPU too).
 */
export function attentionTile(D: number): { bq: number; bc: number } | undefined {
  const rowVec4 = Math.ceil(D / 4) + 1; // a tile row: D padded to vec4s, plus one against conflicts
  const candidates = [[16, 32], [16, 16], [8, 16], [8, 8], [4, 8], [2, 4], [1, 4]];
  for (const [bq, bc] of candidates) {
    if (4 * rowVec4 * (bq + bc) + bq * bc <= SHARED_WORDS) return { bq, bc };
  }
  return undefined;
}

/**
 * Flash-attention-style tiling: one workgroup per (b, a, block of bq query rows), P = 64 / bq
 * threads per row. The scaled query block stays in shared memory; keys are visited in chunks of bc:
 * the K chunk is loaded cooperatively, thread (r, c) scores keys c, c + P, … of row r, the row's
 * chunk max updates its running max, the V chunk replaces K in shared memory, and each thread
 * rescales and accumulates its output vec4 columns c, c + P, … (online softmax: the [T, T] score
 * matrix is never stored). Tiles hold vec4s (D padded to a multiple of 4) with rows padded by one
 * vec4 against shared-memory bank conflicts.
 *
 * llvmpipe notes: loop bounds come from uniforms (compile-time bounds get unrolled and compile for
 * minutes), and the tiles are vec4 arrays (scalar f32 tiles of this size also take minutes to
 * compile with a cold Mesa shader cache; compile time grows with the shared memory used). Real GPU compilers need neither, and lose nothing.
 */
class AttentionProgram implements WebGPUProgram {
  variableNames: string[] = ["q", "k", "v", "mask"];
  outputShape: number[];
  shaderKey: string;
  dispatchLayout: { x: number[] } = { x: [0] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [ATTENTION_THREADS, 1, 1];
  uniforms = "scale : f32, chunk : i32,";
  private readonly depth: number;
  private readonly bq: number;
  private readonly bc: number;

  constructor(shape: number[], tile: { bq: number; bc: number }) {
    const [B, A, T, D] = shape;
    this.outputShape = [B * A * T * D];
    this.depth = D;
    this.bq = tile.bq;
    this.bc = tile.bc;
    this.dispatch = [B * A * Math.ceil(T / tile.bq), 1, 1];
    // The WGSL depends on ceil(D / 4), bq and bc (tile sizes) and the workgroup size (which tfjs
    // adds to the key); D, B, A, T, bc and scale reach the code through uniforms.
    this.shaderKey = `cohesiveAttention_d4x${Math.ceil(D / 4)}_q${tile.bq}_c${tile.bc}`;
  }

  getUserCode(): string {
    const BQ = this.bq;
    const BC = this.bc;
    const P = ATTENTION_THREADS / BQ;
    const DP4 = Math.ceil(this.depth / 4) + 1;
    const NC = Math.ceil((DP4 - 1) / P);
    // Rows c0 … c0 + BC − 1 of this head of `src` (k or v) into kvTile, zero-padded to vec4s.
    const loadChunk = (src: string) => `
          for (var e = tid; e < BC * D4; e += NT) {
            let u = e / D4;
            let d4 = e - u * D4;
            var x = vec4<f32>(0.0);
            if (c0 + u < T) {
              let g = headBase + (c0 + u) * D + d4 * 4;
              for (var j = 0; j < 4; j++) {
                if (d4 * 4 + j < D) { x[j] = ${src}[g + j]; }
              }
            }
            kvTile[u * DP4 + d4] = x;
          }`;
    return `
      const BQ : i32 = ${BQ};
      const P : i32 = ${P};
      const NT : i32 = ${ATTENTION_THREADS};
      var<workgroup> qTile : array<vec4<f32>, ${BQ * DP4}>;
      var<workgroup> kvTile : array<vec4<f32>, ${BC * DP4}>;
      var<workgroup> sTile : array<vec4<f32>, ${(BQ * BC) / 4}>; // scores, 4 per vec4
      fn sGet(idx : i32) -> f32 { return sTile[idx / 4][idx % 4]; }
      fn sSet(idx : i32, x : f32) { sTile[idx / 4][idx % 4] = x; }

      fn main(index : i32) {
        let D = uniforms.qShape[3];
        let D4 = (D + 3) / 4;
        let DP4 = D4 + 1;
        let BC = uniforms.chunk;
        let NC = (D4 + P - 1) / P;
        let B = uniforms.qShape[0];
        let A = uniforms.qShape[1];
        let T = uniforms.qShape[2];
        let blocks = (T + BQ - 1) / BQ;
        let tid = i32(localId.x);
        let flatItem = ${WORKGROUP_INDEX};
        let item = min(flatItem, B * A * blocks - 1);
        let ba = item / blocks;                    // b * A + a
        let row0 = (item - ba * blocks) * BQ;      // first query row of the block
        let b = ba / A;
        let headBase = ba * T * D;
        let r = tid / P;                           // this thread's row in the block
        let c = tid - r * P;                       // and its part of that row
        let i = row0 + r;

        for (var e = tid; e < BQ * D4; e += NT) {
          let rr = e / D4;
          let d4 = e - rr * D4;
          var x = vec4<f32>(0.0);
          if (row0 + rr < T) {
            let g = headBase + (row0 + rr) * D + d4 * 4;
            for (var j = 0; j < 4; j++) {
              if (d4 * 4 + j < D) { x[j] = q[g + j]; }
            }
          }
          qTile[rr * DP4 + d4] = x * uniforms.scale;
        }

        var mRun = -3.402823e+38;
        var lRun = 0.0;
        var acc : array<vec4<f32>, ${NC}>;
        for (var c0 = 0; c0 < T; c0 += BC) {
          workgroupBarrier();                      // the previous chunk is done with the tiles
          ${loadChunk("k")}
          workgroupBarrier();
          for (var u = c; u < BC; u += P) {
            let t = c0 + u;
            var score = -3.402823e+38;
            if (t < T) {
              var dotv = 0.0;
              for (var d4 = 0; d4 < D4; d4++) {
                dotv += dot(qTile[r * DP4 + d4], kvTile[u * DP4 + d4]);
              }
              // f32(): an int32 mask cast to float32 on WebGPU keeps its int32 buffer.
              score = dotv + (1.0 - f32(mask[b * T + t])) * ${MASK_BIAS.toExponential()};
            }
            sSet(r * BC + u, score);
          }
          workgroupBarrier();
          var chunkMax = -3.402823e+38;
          for (var u = 0; u < BC; u++) { chunkMax = max(chunkMax, sGet(r * BC + u)); }
          let mNew = max(mRun, chunkMax);
          ${loadChunk("v")}
          workgroupBarrier();                      // all maxima read, V chunk loaded
          for (var u = c; u < BC; u += P) {
            sSet(r * BC + u, select(0.0, exp(sGet(r * BC + u) - mNew), c0 + u < T));
          }
          workgroupBarrier();
          let alpha = exp(mRun - mNew);
          var pSum = 0.0;
          for (var u = 0; u < BC; u++) { pSum += sGet(r * BC + u); }
          lRun = lRun * alpha + pSum;
          for (var j = 0; j < NC; j++) {
            let d4 = c + j * P;
            if (d4 < D4) {
              var sum = acc[j] * alpha;
              for (var u = 0; u < BC; u++) {
                sum += sGet(r * BC + u) * kvTile[u * DP4 + d4];
              }
              acc[j] = sum;
            }
          }
          mRun = mNew;
        }
        if (flatItem < B * A * blocks && i < T) {
          for (var j = 0; j < NC; j++) {
            let d4 = c + j * P;
            if (d4 < D4) {
              let o = acc[j] / lRun;
              for (var jj = 0; jj < 4; jj++) {
                if (d4 * 4 + jj < D) { result[headBase + i * D + d4 * 4 + jj] = o[jj]; }
              }
            }
          }
        }
      }`;
  }
}

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
 * await tf.setBackend("cpu");
 * const x = tf.ones([1, 1, 2, 4]) as tf.Tensor4D;
 * const v = tf.tensor4d([[[[1, 1, 1, 1], [3, 3, 3, 3]]]]);
 * // The padding key is ignored: the query sees only the first value.
 * console.log(attention(x, x, v, tf.tensor2d([[1, 0]]), 0.5).dataSync()[0]); // 1
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
