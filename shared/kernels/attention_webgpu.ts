/**
 * The WGSL program of the fused attention (forward only) and its tile sizes.
 *
 * @module
 */
import { MASK_BIAS } from "./attention_reference.ts";
import { type WebGPUProgram, WORKGROUP_INDEX } from "./kernel_util.ts";

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
export class AttentionProgram implements WebGPUProgram {
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
