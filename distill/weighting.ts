/**
 * Mixing K teachers into one target distribution per masked position.
 *
 * For position i with gold token y, teacher k gives p_k = softmax(z_k / T). The target is
 * q = Σ_k w_k(i) p_k, with the weights of one of these schemes:
 *
 * - `confidence` (prediction weighting, the default): w_k = p_k(y) / Σ_j p_j(y);
 * - `uniform` (TextBrewer's): w_k = 1 / K;
 * - `entropy`: w_k = (1 − H_k / Σ_j H_j) / (K − 1), lower entropy weighs more;
 * - `camkd`: w_k = (1 − softmax_k(CE_k)) / (K − 1), CE_k = −log p_k(y);
 * - `single`: the one teacher given by index.
 *
 * With K = 1 every scheme gives w = 1. Teachers reach this module through their cached top-k, so
 * per position and teacher we keep the top-k ids and probabilities plus the exact scalars the
 * weights need (p_k(y) and H_k computed over the whole vocabulary when the cache was made).
 *
 * @module
 */

/** How teachers are weighted per token. */
export type Weighting = "confidence" | "uniform" | "entropy" | "camkd" | "single";

/** All weightings, for CLIs and help texts. */
export const WEIGHTINGS: readonly Weighting[] = [
  "confidence",
  "uniform",
  "entropy",
  "camkd",
  "single",
];

/** One teacher's view of N masked positions. */
export interface TeacherTopK {
  /** Top-k token ids, `[N·K]` row-major. */
  ids: Int32Array;
  /** Their probabilities at the distillation temperature, `[N·K]`. */
  probs: Float32Array;
  /** k. */
  k: number;
  /** Probability of the gold token at temperature 1, `[N]` (for `confidence` and `camkd`). */
  pGold: Float32Array;
  /** Entropy of the full distribution, `[N]` (for `entropy`). */
  entropy: Float32Array;
}

/**
 * Per-position teacher weights, `[N·K]` row-major (row i sums to 1).
 *
 * @param stats per teacher: p(gold) and entropy at each of the N positions
 * @param single the teacher index for `single`
 * @throws {RangeError} for an empty teacher list or a bad `single` index
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { teacherWeights } from "@cohesive/distill";
 * const w = teacherWeights("confidence", [
 *   { pGold: new Float32Array([0.6]), entropy: new Float32Array([1]) },
 *   { pGold: new Float32Array([0.2]), entropy: new Float32Array([2]) },
 * ]);
 * assert.deepEqual([...w].map((x) => x.toFixed(2)), ["0.75", "0.25"]);
 * ```
 */
export function teacherWeights(
  scheme: Weighting,
  stats: { pGold: Float32Array; entropy: Float32Array }[],
  single = 0,
): Float32Array {
  const K = stats.length;
  if (K === 0) throw new RangeError("at least one teacher is needed");
  const N = stats[0].pGold.length;
  const w = new Float32Array(N * K);
  if (scheme === "single" && !(single >= 0 && single < K)) {
    throw new RangeError(`single teacher index ${single} is out of range (0..${K - 1})`);
  }
  for (let i = 0; i < N; i++) {
    const row = w.subarray(i * K, (i + 1) * K);
    if (K === 1) {
      row[0] = 1;
      continue;
    }
    switch (scheme) {
      case "uniform":
        row.fill(1 / K);
        break;
      case "single":
        row[single] = 1;
        break;
      case "confidence": {
        let s = 0;
        for (let k = 0; k < K; k++) s += stats[k].pGold[i];
        for (let k = 0; k < K; k++) row[k] = s > 0 ? stats[k].pGold[i] / s : 1 / K;
        break;
      }
      case "entropy": {
        let s = 0;
        for (let k = 0; k < K; k++) s += stats[k].entropy[i];
        for (let k = 0; k < K; k++) {
          row[k] = s > 0 ? (1 - stats[k].entropy[i] / s) / (K - 1) : 1 / K;
        }
        break;
      }
      case "camkd": {
        // softmax over teachers of their cross-entropies CE_k = −log p_k(y)
        const ce = stats.map((t) => -Math.log(Math.max(t.pGold[i], 1e-30)));
        const m = Math.max(...ce);
        const e = ce.map((c) => Math.exp(c - m));
        const z = e.reduce((a, b) => a + b, 0);
        for (let k = 0; k < K; k++) row[k] = (1 - e[k] / z) / (K - 1);
        break;
      }
      default:
        throw new RangeError(`unknown weighting "${scheme}": use one of ${WEIGHTINGS.join(", ")}`);
    }
  }
  return w;
}

/**
 * The mixture q over the union of the teachers' top-k ids, as a top-k of width `K·k` per row
 * (ids unique within a row; unused slots hold the smallest ids not already in the row, so every
 * id is a valid vocabulary index).
 *
 * Without `vocabSize`, each teacher's top-k is renormalised to sum 1 before mixing (q sums to 1
 * over the slots; unused slots hold 0). With `vocabSize` V, nothing is renormalised: teacher k's
 * mass outside its top-k, r_k = 1 − Σ top-k, is spread evenly over its other V − k ids, the
 * mixture keeps it as `tail` τ = Σ_k w_k·r_k / (V − k) (the probability of every id outside the
 * union; unused slots hold τ), and slots hold the full mixture probability. This is what a
 * flat teacher (a small one, or any teacher at T = 2) needs: renormalising its top-64 (a few % of
 * its mass) would teach the student that only those 64 tokens can occur.
 */
export function mixTopK(
  teachers: TeacherTopK[],
  weights: Float32Array,
  vocabSize?: number,
): { ids: Int32Array; probs: Float32Array; width: number; tail?: Float32Array } {
  const K = teachers.length;
  const N = teachers[0].pGold.length;
  const width = teachers.reduce((s, t) => s + t.k, 0);
  const ids = new Int32Array(N * width);
  const probs = new Float32Array(N * width);
  const tail = vocabSize === undefined ? undefined : new Float32Array(N);
  const slot = new Map<number, number>();
  const tailOf = new Float64Array(K);
  const massOf = new Float64Array(K);
  for (let i = 0; i < N; i++) {
    slot.clear();
    let used = 0;
    let tau = 0;
    for (let t = 0; t < K; t++) {
      const { k, probs: tp } = teachers[t];
      let mass = 0;
      for (let j = 0; j < k; j++) mass += tp[i * k + j];
      massOf[t] = mass;
      tailOf[t] = vocabSize === undefined || vocabSize <= k
        ? 0
        : Math.max(0, 1 - mass) / (vocabSize - k);
      tau += weights[i * K + t] * tailOf[t];
    }
    const row = new Float64Array(width).fill(tau);
    for (let t = 0; t < K; t++) {
      const { k, ids: tid, probs: tp } = teachers[t];
      const mass = massOf[t];
      const w = weights[i * K + t];
      const scale = tail ? w : mass > 0 ? w / mass : 0;
      for (let j = 0; j < k; j++) {
        const id = tid[i * k + j];
        let s = slot.get(id);
        if (s === undefined) {
          s = used++;
          slot.set(id, s);
          ids[i * width + s] = id;
        }
        // With a tail: this teacher's τ_k is already in the slot (it starts at τ); replace it.
        row[s] += tp[i * k + j] * scale - (tail ? w * tailOf[t] : 0);
      }
    }
    for (let filler = 0; used < width; filler++) {
      if (!slot.has(filler)) ids[i * width + used++] = filler;
    }
    for (let s = 0; s < width; s++) probs[i * width + s] = tail ? row[s] : row[s] - tau;
    if (tail) tail[i] = tau;
  }
  return { ids, probs, width, ...(tail ? { tail } : {}) };
}
