import assert from "node:assert/strict";
import {
  cosine,
  dense,
  fitPairVectorizers,
  LogisticRegression,
  PAIR_FEATURES,
  pairFeatures,
  Standardizer,
  TfidfVectorizer,
} from "./linear.ts";

const close = (a: number, b: number, eps = 1e-6) =>
  assert.ok(Math.abs(a - b) < eps, `${a} is not ${b}`);

Deno.test("TfidfVectorizer uses smooth idf and sublinear tf, l2-normalised", () => {
  const v = TfidfVectorizer.fit(["a b b", "a c"]);
  close(v.idf[v.vocab.get("a")!], 1); // df 2 of 2: 1 + ln(3/3)
  close(v.idf[v.vocab.get("b")!], 1 + Math.log(3 / 2));
  const x = v.transform("a b b");
  const wa = 1, wb = (1 + Math.log(2)) * (1 + Math.log(3 / 2));
  const norm = Math.hypot(wa, wb);
  assert.deepEqual([...x.idx], [v.vocab.get("a")!, v.vocab.get("b")!].sort((p, q) => p - q));
  close(cosine(x, x), 1, 1e-5);
  close(cosine(x, v.transform("a")), wa / norm, 1e-5);
  assert.equal(cosine(v.transform("b"), v.transform("c")), 0);
  assert.equal(v.transform("zzz").idx.length, 0);
  const bi = TfidfVectorizer.fit(["the river bank", "the bank"], { ngrams: [2] });
  assert.deepEqual([...bi.vocab.keys()].sort(), ["river bank", "the bank", "the river"]);
  const ch = TfidfVectorizer.fit(["ab"], { charNgram: 3 });
  assert.deepEqual([...ch.vocab.keys()].sort(), [" ab", "ab "]);
});

Deno.test("LogisticRegression separates separable data and predicts both classes", () => {
  const X = [[0, 1], [1, 1], [0.2, 0.9], [3, 0], [4, 0.5], [3.5, 0.2]].map(dense);
  const y = [0, 0, 0, 1, 1, 1];
  const m = LogisticRegression.fit(X, y, 2, { epochs: 200, lr: 0.5 });
  assert.deepEqual(X.map((x) => m.predict(x)), y);
  assert.ok(m.proba(dense([5, 0])) > 0.9 && m.proba(dense([0, 2])) < 0.1);
  assert.throws(() => LogisticRegression.fit(X, [0], 2), RangeError);
});

Deno.test("pairFeatures() gives identical sentences full similarity", () => {
  const v = fitPairVectorizers([{ a: "the cat sat on the mat", b: "a dog ran" }]);
  const same = pairFeatures("the cat sat on the mat", "the cat sat on the mat", v);
  assert.equal(same.length, PAIR_FEATURES.length);
  for (const name of ["cos_words", "cos_bigrams", "cos_chars", "jaccard", "length_ratio"]) {
    close(same[PAIR_FEATURES.indexOf(name)], 1, 1e-5);
  }
  const other = pairFeatures("the cat sat on the mat", "a dog ran", v);
  assert.equal(other[PAIR_FEATURES.indexOf("jaccard")], 0);
  const st = Standardizer.fit([[1, 5], [3, 5]]);
  assert.deepEqual(st.apply([3, 5]), [1, 0]);
});
