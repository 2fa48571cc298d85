/**
 * The WGSL program of the fused distillation loss (dense or top-k teacher, loss alone or loss and
 * gradient in one pass).
 *
 * @module
 */
import { type WebGPUProgram, WORKGROUP_INDEX } from "./kernel_util.ts";

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
export class KdLossProgram implements WebGPUProgram {
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
