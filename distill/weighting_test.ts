import assert from "node:assert/strict";
import { mixTopK, teacherWeights } from "./weighting.ts";

const f = (...x: number[]) => new Float32Array(x);
const close = (a: ArrayLike<number>, b: number[], tol = 1e-6) =>
  b.forEach((v, i) => assert.ok(Math.abs(a[i] - v) < tol, `index ${i}: ${a[i]} vs ${v}`));

// Two positions, three teachers. Teacher k's p(gold) and entropy per position.
const stats = [
  { pGold: f(0.6, 0.1), entropy: f(1.0, 2.0) },
  { pGold: f(0.3, 0.1), entropy: f(2.0, 2.0) },
  { pGold: f(0.1, 0.8), entropy: f(3.0, 1.0) },
];

Deno.test("confidence weighting is each teacher's p(gold) over their sum", () => {
  // position 0: 0.6/1.0, 0.3/1.0, 0.1/1.0; position 1: 0.1/1.0, 0.1/1.0, 0.8/1.0
  close(teacherWeights("confidence", stats), [0.6, 0.3, 0.1, 0.1, 0.1, 0.8]);
});

Deno.test("uniform weighting gives every teacher 1/K", () => {
  close(teacherWeights("uniform", stats), [1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3, 1 / 3]);
});

Deno.test("entropy weighting is (1 − H_k/ΣH)/(K−1)", () => {
  // position 0: ΣH = 6 → (1−1/6)/2 = 5/12, (1−2/6)/2 = 4/12, (1−3/6)/2 = 3/12
  // position 1: ΣH = 5 → (1−2/5)/2 = 0.3, 0.3, (1−1/5)/2 = 0.4
  close(teacherWeights("entropy", stats), [5 / 12, 4 / 12, 3 / 12, 0.3, 0.3, 0.4]);
});

Deno.test("camkd weighting is (1 − softmax over teachers of CE)/(K−1)", () => {
  // position 0: CE = −log(0.6, 0.3, 0.1); softmax(CE) ∝ 1/0.6, 1/0.3, 1/0.1 = 5/3, 10/3, 10
  // sum = 15 → 1/9, 2/9, 6/9 → weights (8/9)/2, (7/9)/2, (3/9)/2
  const w = teacherWeights("camkd", stats);
  close(w.subarray(0, 3), [4 / 9, 7 / 18, 1 / 6], 1e-5);
  // position 1: softmax ∝ 1/0.1, 1/0.1, 1/0.8 = 10, 10, 1.25 → 8/17, 8/17, 1/17
  close(w.subarray(3, 6), [9 / 34, 9 / 34, 16 / 34], 1e-5);
});

Deno.test("single weighting picks one teacher and rejects a bad index", () => {
  close(teacherWeights("single", stats, 2), [0, 0, 1, 0, 0, 1]);
  assert.throws(() => teacherWeights("single", stats, 3), RangeError);
});

Deno.test("every weighting gives weight 1 to a lone teacher", () => {
  for (const s of ["confidence", "uniform", "entropy", "camkd", "single"] as const) {
    close(teacherWeights(s, [stats[0]]), [1, 1]);
  }
});

Deno.test("mixTopK merges shared ids, renormalises each teacher and sums to 1", () => {
  const a = { ids: Int32Array.of(5, 7), probs: f(0.5, 0.3), k: 2, pGold: f(0.5), entropy: f(1) };
  const b = { ids: Int32Array.of(7, 9), probs: f(0.6, 0.2), k: 2, pGold: f(0.5), entropy: f(1) };
  const m = mixTopK([a, b], f(0.5, 0.5));
  assert.equal(m.width, 4);
  assert.deepEqual([...m.ids], [5, 7, 9, 0]);
  // a renormalised: 0.625, 0.375; b: 0.75, 0.25 → 5: 0.3125, 7: 0.1875 + 0.375, 9: 0.125
  close(m.probs, [0.3125, 0.5625, 0.125, 0]);
});

Deno.test("mixTopK with a vocabulary keeps each teacher's mass outside its top-k as a tail", () => {
  const a = { ids: Int32Array.of(5, 7), probs: f(0.5, 0.3), k: 2, pGold: f(0.5), entropy: f(1) };
  const b = { ids: Int32Array.of(7, 9), probs: f(0.6, 0.1), k: 2, pGold: f(0.5), entropy: f(1) };
  const m = mixTopK([a, b], f(0.5, 0.5), 10);
  assert.deepEqual([...m.ids], [5, 7, 9, 0]);
  // Tails: a 0.2 over 8 ids = 0.025 each, b 0.3 over 8 = 0.0375; τ = 0.03125.
  // 5: 0.5·0.5 + 0.5·0.0375; 7: 0.5·0.3 + 0.5·0.6; 9: 0.5·0.025 + 0.5·0.1; id 0 (filler): τ.
  close(m.probs, [0.26875, 0.45, 0.0625, 0.03125]);
  close(m.tail!, [0.03125]);
  // The whole distribution sums to 1: three listed ids plus 7 others at τ.
  close(f(0.26875 + 0.45 + 0.0625 + 7 * m.tail![0]), [1]);
});
