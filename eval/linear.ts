/**
 * The non-neural baseline of the plagiarism benchmark: TF-IDF vectors (word n-grams or character
 * n-grams, sublinear tf, l2-normalised), logistic regression trained by seeded SGD, and the
 * classic sentence-pair similarity features (TF-IDF cosines, overlaps, length ratios) fed to it.
 *
 * @module
 */
import { Rng } from "@cohesive/shared";

/** A sparse vector: sorted feature indices and their values. */
export interface SparseVector {
  /** Feature indices, ascending. */
  idx: Int32Array;
  /** Values. */
  val: Float32Array;
}

/** Options of {@link TfidfVectorizer.fit}. */
export interface TfidfOptions {
  /** Word n-gram orders to use, e.g. `[1, 2]`. Default `[1]`. */
  ngrams?: number[];
  /** Character n-gram length instead of words (0: words). Default 0. */
  charNgram?: number;
  /** Keep the most frequent features only. Default 50,000. */
  maxFeatures?: number;
  /** Drop features seen in fewer documents. Default 1. */
  minDf?: number;
}

const WORD = /[a-z0-9]+(?:'[a-z]+)?/g;

/** Lower-cased word tokens. */
export function wordTokens(text: string): string[] {
  return text.toLowerCase().match(WORD) ?? [];
}

function terms(text: string, o: Required<TfidfOptions>): string[] {
  if (o.charNgram > 0) {
    const s = ` ${wordTokens(text).join(" ")} `;
    const out: string[] = [];
    for (let i = 0; i + o.charNgram <= s.length; i++) out.push(s.slice(i, i + o.charNgram));
    return out;
  }
  const w = wordTokens(text);
  const out: string[] = [];
  for (const n of o.ngrams) {
    for (let i = 0; i + n <= w.length; i++) out.push(n === 1 ? w[i] : w.slice(i, i + n).join(" "));
  }
  return out;
}

/**
 * TF-IDF: `(1 + log tf) · (1 + log((1 + N) / (1 + df)))`, l2-normalised (scikit-learn's smooth
 * idf with sublinear tf).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { cosine, TfidfVectorizer } from "@cohesive/eval";
 * const v = TfidfVectorizer.fit(["the cat sat", "the dog ran", "a cat ran"]);
 * assert.equal(cosine(v.transform("the cat"), v.transform("the cat")).toFixed(3), "1.000");
 * assert.equal(cosine(v.transform("the cat"), v.transform("dog ran")), 0);
 * ```
 */
export class TfidfVectorizer {
  /** Term → feature index. */
  readonly vocab: Map<string, number>;
  /** idf of each feature. */
  readonly idf: Float32Array;
  readonly #o: Required<TfidfOptions>;

  private constructor(vocab: Map<string, number>, idf: Float32Array, o: Required<TfidfOptions>) {
    this.vocab = vocab;
    this.idf = idf;
    this.#o = o;
  }

  /** Learn the vocabulary and idf of `texts`. */
  static fit(texts: readonly string[], opts: TfidfOptions = {}): TfidfVectorizer {
    const o: Required<TfidfOptions> = {
      ngrams: opts.ngrams ?? [1],
      charNgram: opts.charNgram ?? 0,
      maxFeatures: opts.maxFeatures ?? 50_000,
      minDf: opts.minDf ?? 1,
    };
    const df = new Map<string, number>();
    for (const t of texts) {
      for (const term of new Set(terms(t, o))) df.set(term, (df.get(term) ?? 0) + 1);
    }
    const kept = [...df].filter(([, n]) => n >= o.minDf)
      .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
      .slice(0, o.maxFeatures);
    const vocab = new Map<string, number>();
    const idf = new Float32Array(kept.length);
    kept.forEach(([term, n], i) => {
      vocab.set(term, i);
      idf[i] = 1 + Math.log((1 + texts.length) / (1 + n));
    });
    return new TfidfVectorizer(vocab, idf, o);
  }

  /** Number of features. */
  get size(): number {
    return this.idf.length;
  }

  /** The l2-normalised TF-IDF vector of `text` (empty when no term is known). */
  transform(text: string): SparseVector {
    const tf = new Map<number, number>();
    for (const term of terms(text, this.#o)) {
      const i = this.vocab.get(term);
      if (i !== undefined) tf.set(i, (tf.get(i) ?? 0) + 1);
    }
    const idx = Int32Array.from([...tf.keys()].sort((a, b) => a - b));
    const val = new Float32Array(idx.length);
    let norm = 0;
    idx.forEach((i, k) => {
      val[k] = (1 + Math.log(tf.get(i)!)) * this.idf[i];
      norm += val[k] * val[k];
    });
    norm = Math.sqrt(norm);
    if (norm > 0) { for (let k = 0; k < val.length; k++) val[k] /= norm; }
    return { idx, val };
  }
}

/** Dot product of two sparse vectors (their cosine when both are l2-normalised). */
export function cosine(a: SparseVector, b: SparseVector): number {
  let i = 0, j = 0, s = 0;
  while (i < a.idx.length && j < b.idx.length) {
    if (a.idx[i] === b.idx[j]) s += a.val[i++] * b.val[j++];
    else if (a.idx[i] < b.idx[j]) i++;
    else j++;
  }
  return s;
}

/** A dense vector as a {@link SparseVector}. */
export function dense(values: readonly number[]): SparseVector {
  return { idx: Int32Array.from(values.keys()), val: Float32Array.from(values) };
}

/** Options of {@link LogisticRegression.fit}. */
export interface LogisticOptions {
  /** Passes over the data. Default 20. */
  epochs?: number;
  /** Initial step size (decays as 1 / (1 + t / n)). Default 0.5. */
  lr?: number;
  /** L2 penalty. Default 1e-4. */
  l2?: number;
  /** Seed of the example order. Default 0. */
  seed?: number;
  /** Weight each class by n / (2 · n_class). Default true. */
  balanced?: boolean;
}

/**
 * Binary logistic regression trained by seeded SGD on sparse (or dense) features.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { dense, LogisticRegression } from "@cohesive/eval";
 * const X = [[0], [1], [2], [3]].map(dense), y = [0, 0, 1, 1];
 * const lr = LogisticRegression.fit(X, y, 1, { epochs: 200 });
 * assert.deepEqual([lr.predict(dense([3])), lr.predict(dense([0]))], [1, 0]);
 * ```
 */
export class LogisticRegression {
  /** Weights. */
  readonly w: Float64Array;
  /** Bias. */
  b: number;

  private constructor(dim: number) {
    this.w = new Float64Array(dim);
    this.b = 0;
  }

  /** Train on `X` (vectors of dimension `dim`) and 0/1 labels `y`. */
  static fit(
    X: readonly SparseVector[],
    y: readonly number[],
    dim: number,
    o: LogisticOptions = {},
  ): LogisticRegression {
    if (X.length !== y.length) throw new RangeError(`${X.length} vectors, ${y.length} labels`);
    const m = new LogisticRegression(dim);
    const n = X.length;
    if (n === 0) return m;
    const pos = y.filter((v) => v === 1).length;
    const cw = (o.balanced ?? true) && pos > 0 && pos < n
      ? [n / (2 * (n - pos)), n / (2 * pos)]
      : [1, 1];
    const epochs = o.epochs ?? 20, lr0 = o.lr ?? 0.5, l2 = o.l2 ?? 1e-4;
    const rng = new Rng(o.seed ?? 0);
    const order = X.map((_, i) => i);
    let t = 0;
    for (let e = 0; e < epochs; e++) {
      rng.shuffle(order);
      for (const i of order) {
        const lr = lr0 / (1 + t++ / n);
        const x = X[i];
        const g = (m.proba(x) - y[i]) * cw[y[i]];
        for (let k = 0; k < x.idx.length; k++) {
          const j = x.idx[k];
          m.w[j] -= lr * (g * x.val[k] + l2 * m.w[j]);
        }
        m.b -= lr * g;
      }
    }
    return m;
  }

  /** P(label 1 | x). */
  proba(x: SparseVector): number {
    let z = this.b;
    for (let k = 0; k < x.idx.length; k++) z += this.w[x.idx[k]] * x.val[k];
    return 1 / (1 + Math.exp(-z));
  }

  /** The more likely label. */
  predict(x: SparseVector): number {
    return this.proba(x) >= 0.5 ? 1 : 0;
  }
}

/** Per-feature mean and standard deviation of dense rows, to standardise them. */
export class Standardizer {
  /** Means. */
  readonly mean: number[];
  /** Standard deviations (1 where a feature is constant). */
  readonly std: number[];

  private constructor(mean: number[], std: number[]) {
    this.mean = mean;
    this.std = std;
  }

  /** Learn from `rows`. */
  static fit(rows: readonly number[][]): Standardizer {
    const d = rows[0]?.length ?? 0;
    const mean = new Array(d).fill(0), std = new Array(d).fill(0);
    for (const r of rows) r.forEach((v, j) => (mean[j] += v / rows.length));
    for (const r of rows) r.forEach((v, j) => (std[j] += (v - mean[j]) ** 2 / rows.length));
    return new Standardizer(mean, std.map((s) => Math.sqrt(s) || 1));
  }

  /** `(x − mean) / std`. */
  apply(row: readonly number[]): number[] {
    return row.map((v, j) => (v - this.mean[j]) / this.std[j]);
  }
}

function ngramSet(w: string[], n: number): Set<string> {
  const s = new Set<string>();
  for (let i = 0; i + n <= w.length; i++) s.add(w.slice(i, i + n).join(" "));
  return s;
}

function overlap(a: Set<string>, b: Set<string>): number {
  let k = 0;
  for (const x of a) if (b.has(x)) k++;
  return k;
}

/** Vectorizers of the pair features, fitted on training sentences. */
export interface PairVectorizers {
  /** Word unigrams. */
  words: TfidfVectorizer;
  /** Word bigrams. */
  bigrams: TfidfVectorizer;
  /** Character 3-grams. */
  chars: TfidfVectorizer;
}

/** Fit the {@link PairVectorizers} on the sentences of `pairs`. */
export function fitPairVectorizers(pairs: readonly { a: string; b?: string }[]): PairVectorizers {
  const texts = pairs.flatMap((p) => (p.b === undefined ? [p.a] : [p.a, p.b]));
  return {
    words: TfidfVectorizer.fit(texts),
    bigrams: TfidfVectorizer.fit(texts, { ngrams: [2] }),
    chars: TfidfVectorizer.fit(texts, { charNgram: 3 }),
  };
}

/** Names of {@link pairFeatures}' entries, in order. */
export const PAIR_FEATURES: readonly string[] = [
  "cos_words",
  "cos_bigrams",
  "cos_chars",
  "jaccard",
  "contain_a",
  "contain_b",
  "bigram_overlap",
  "trigram_overlap",
  "length_ratio",
  "log_length_diff",
];

/** The similarity features of a sentence pair (see {@link PAIR_FEATURES}). */
export function pairFeatures(a: string, b: string, v: PairVectorizers): number[] {
  const wa = wordTokens(a), wb = wordTokens(b);
  const sa = new Set(wa), sb = new Set(wb);
  const inter = overlap(sa, sb);
  const union = sa.size + sb.size - inter;
  const g = (n: number) => {
    const x = ngramSet(wa, n), y = ngramSet(wb, n);
    const m = Math.min(x.size, y.size);
    return m ? overlap(x, y) / m : 0;
  };
  return [
    cosine(v.words.transform(a), v.words.transform(b)),
    cosine(v.bigrams.transform(a), v.bigrams.transform(b)),
    cosine(v.chars.transform(a), v.chars.transform(b)),
    union ? inter / union : 0,
    sa.size ? inter / sa.size : 0,
    sb.size ? inter / sb.size : 0,
    g(2),
    g(3),
    Math.max(wa.length, wb.length)
      ? Math.min(wa.length, wb.length) / Math.max(wa.length, wb.length)
      : 1,
    Math.log(1 + Math.abs(wa.length - wb.length)),
  ];
}
