import assert from "node:assert/strict";
import { unigramCrossEntropy } from "./mlm.ts";

Deno.test("unigramCrossEntropy: add-one counts over training rows, specials skipped", () => {
  // Vocabulary of 4; rows hold id 3 twice and id 2 (special) once: counts 1,1,1(skip),3 → total 6.
  const b = {
    B: 1,
    T: 2,
    inputIds: new Int32Array(2),
    attentionMask: new Int32Array(2),
    positions: Int32Array.from([0, 1]),
    labels: Int32Array.from([3, 0]),
  };
  const h = unigramCrossEntropy([[2, 3, 3]], [b], 4, [2]);
  assert.ok(Math.abs(h - -(Math.log(3 / 6) + Math.log(1 / 6)) / 2) < 1e-12);
});
