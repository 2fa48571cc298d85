import assert from "node:assert/strict";
import { accuracy, f1Macro, f1Score, matthews, pearson, ranks, spearman } from "./metrics.ts";

const close = (a: number, b: number, eps = 1e-6) =>
  assert.ok(Math.abs(a - b) < eps, `${a} is not ${b}`);

Deno.test("accuracy() and f1Score() count hits, false positives and misses", () => {
  const pred = [1, 1, 0, 0, 1], gold = [1, 0, 1, 0, 1];
  close(accuracy(pred, gold), 3 / 5);
  close(f1Score(pred, gold), 4 / 6); // TP 2, FP 1, FN 1
  close(f1Score(pred, gold, 0), 2 / 4); // TP 1, FP 1, FN 1
  close(f1Macro(pred, gold), (4 / 6 + 2 / 4) / 2);
  assert.equal(f1Score([0, 0], [0, 0]), 0); // no positives at all: 0, as scikit-learn
  assert.throws(() => accuracy([1], [1, 0]), RangeError);
});

Deno.test("matthews() matches the two-class formula and is 0 for a constant predictor", () => {
  // TP 1, FP 1, TN 2, FN 0: (1·2 − 1·0) / √(2·1·3·2)
  close(matthews([1, 1, 0, 0], [1, 0, 0, 0]), 2 / Math.sqrt(12));
  close(matthews([0, 1, 0, 1], [0, 1, 0, 1]), 1);
  close(matthews([1, 0, 1, 0], [0, 1, 0, 1]), -1);
  assert.equal(matthews([1, 1, 1], [1, 0, 1]), 0);
});

Deno.test("pearson() and spearman() agree with hand computations, ties taking mean ranks", () => {
  close(pearson([1, 2, 3], [2, 4, 7]), 5 / Math.sqrt(2 * 114 / 9));
  assert.deepEqual(ranks([10, 20, 20, 5]), [2, 3.5, 3.5, 1]);
  close(spearman([1, 2, 2, 3], [1, 3, 2, 4]), 4.5 / Math.sqrt(4.5 * 5));
  close(spearman([1, 2, 3, 4], [1, 4, 9, 100]), 1);
  assert.equal(pearson([1, 1, 1], [1, 2, 3]), 0);
});
