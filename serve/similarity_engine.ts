/**
 * Similarity engines: what `/v1/similarity` and `/v1/plagiarism` run. An engine scores text
 * pairs (a similarity in [-1, 1], in practice [0, 1]) and, when it has a trained pair head, gives
 * a paraphrase probability. The lexical engine needs no model: TF-IDF cosine over WordNet lemmas
 * plus WordNet synonym overlap (words that share a synset among their first senses meet on a
 * synset feature, so `car` and `automobile` match), with inverse document frequencies taken
 * from WordNet's sense-tag counts, so no corpus is needed.
 *
 * @module
 */
import { analyzeText, STOP_WORDS, type WordNet } from "@cohesive/lexical";
import { MicroBatcher, type MicroBatcherOptions } from "./batcher.ts";
import { ClientClosedError } from "./errors.ts";
import { LruCache } from "./lru.ts";
import type { ModelInfo } from "./wsd_engine.ts";

/** A text pair. */
export type TextPair = readonly [string, string];

/** A similarity engine. */
export interface SimilarityEngine {
  /** The model's name, as requests give it and answers report it. */
  readonly name: string;
  /** The model that gives paraphrase probabilities, or `null` when this engine has none. */
  readonly paraphraseModel: string | null;
  /** The similarity above which plagiarism alignment pairs two sentences by default. */
  readonly defaultThreshold: number;
  /** Facts for `/v1/models`. */
  info(): ModelInfo;
  /** The similarity of each pair, in order. */
  similarity(pairs: readonly TextPair[], signal?: AbortSignal): Promise<number[]>;
  /** All-pairs similarities, row-major `[a.length, b.length]`. */
  similarityMatrix(
    a: readonly string[],
    b: readonly string[],
    signal?: AbortSignal,
  ): Promise<Float32Array>;
  /**
   * The `k` most similar entries of `b` for each entry of `a`, best first, without building the
   * `[a.length, b.length]` matrix, yielding to the event loop while it works.
   */
  nearest?(
    a: readonly string[],
    b: readonly string[],
    k: number,
    signal?: AbortSignal,
  ): Promise<{ col: number; score: number }[][]>;
  /** P(paraphrase) of each pair, or `null` when the engine has no pair head. */
  paraphrase(pairs: readonly TextPair[], signal?: AbortSignal): Promise<number[] | null>;
  /** Free model memory. */
  dispose?(): void;
}

/** A sparse unit vector: feature → weight. */
export type SparseVector = Map<string, number>;

/** Options of {@link LexicalSimilarityEngine}. */
export interface LexicalSimilarityOptions {
  /** The model name. Default `lexical`. */
  name?: string;
  /** How many first senses of each word add a synset feature. Default 3. */
  senses?: number;
  /** Batching of text analysis (default 4 texts, no wait: a batch takes about 10 ms). */
  batching?: MicroBatcherOptions;
  /** Most text vectors kept in the LRU cache. Default 20,000 (about 20 MB). */
  cacheEntries?: number;
}

/** Scale of the inverse frequency `ln(1 + K / (1 + tag count))`. */
const IDF_SCALE = 1000;
/** Weight of the k-th sense's synset feature, relative to the lemma's. */
const SENSE_WEIGHTS = [1, 0.6, 0.4, 0.3, 0.2];
const WORDLIKE = /^[\p{L}\p{N}]/u;

/** Yield to the event loop. */
export function yieldNow(): Promise<void> {
  return new Promise((r) => setTimeout(r, 0));
}

/**
 * A clock for cooperative work: `due()` is true once `sliceMs` have passed since the last yield,
 * so a loop can `if (slice.due()) await slice.yield()` and keep the event loop answering.
 */
export class TimeSlice {
  #last = performance.now();
  /** Slices of `sliceMs` (default 8 ms). */
  constructor(readonly sliceMs = 8) {}
  /** Whether the slice is used up. */
  due(): boolean {
    return performance.now() - this.#last >= this.sliceMs;
  }
  /**
   * Yield to the event loop, then start a new slice.
   *
   * @throws {ClientClosedError} when `signal` has aborted.
   */
  async yield(signal?: AbortSignal): Promise<void> {
    await yieldNow();
    if (signal?.aborted) throw new ClientClosedError();
    this.#last = performance.now();
  }
}

/**
 * Most postings of one feature scanned by {@link LexicalSimilarityEngine.nearest}: features in
 * more texts than this (or than 5% of them, when that is more) say little about which is nearest.
 */
export const MAX_POSTINGS = 64;

/** Insert `(col, score)` into `best` (sorted, best first), keeping at most `k`. */
export function pushTopK(
  best: { col: number; score: number }[],
  col: number,
  score: number,
  k: number,
): void {
  if (best.length === k && score <= best[k - 1].score) return;
  let at = best.length;
  while (at > 0 && best[at - 1].score < score) at--;
  best.splice(at, 0, { col, score });
  if (best.length > k) best.pop();
}

/** The dot product of two sparse vectors. */
export function sparseDot(a: SparseVector, b: SparseVector): number {
  if (a.size > b.size) [a, b] = [b, a];
  let s = 0;
  for (const [k, w] of a) {
    const v = b.get(k);
    if (v !== undefined) s += w * v;
  }
  return s;
}

/**
 * The lexical (non-neural) similarity engine: TF-IDF cosine over lemmas plus WordNet synonym
 * overlap. No paraphrase probability.
 */
export class LexicalSimilarityEngine implements SimilarityEngine {
  /** The model's name. */
  readonly name: string;
  /** No paraphrase head. */
  readonly paraphraseModel: null = null;
  /** Default alignment threshold for plagiarism (cosine of the lexical vectors). */
  readonly defaultThreshold = 0.5;
  /** The WordNet inventory. */
  readonly wordnet: WordNet;
  readonly #senses: number;
  readonly #batcher: MicroBatcher<string, SparseVector>;
  readonly #cache: LruCache<string, SparseVector>;

  /** Create the engine over `wn`. */
  constructor(wn: WordNet, options: LexicalSimilarityOptions = {}) {
    this.wordnet = wn;
    this.name = options.name ?? "lexical";
    this.#senses = Math.min(options.senses ?? 3, SENSE_WEIGHTS.length);
    this.#cache = new LruCache(options.cacheEntries ?? 20_000);
    this.#batcher = new MicroBatcher((texts: string[]) => texts.map((t) => this.vector(t)), {
      maxBatchSize: 1,
      maxWaitMs: 0,
      ...options.batching,
    });
  }

  /** Facts for `/v1/models`. */
  info(): ModelInfo {
    return {
      name: this.name,
      task: "similarity",
      kind: "knowledge-based",
      description: "TF-IDF cosine over WordNet lemmas plus synonym (synset) overlap; " +
        "no paraphrase probability",
      details: {
        wordnet: this.wordnet.version,
        paraphrase: false,
        defaultThreshold: this.defaultThreshold,
        batching: this.#batcher.stats(),
        cache: this.#cache.stats(),
      },
    };
  }

  /** The unit feature vector of one text (synchronous; the batcher calls it). */
  vector(text: string): SparseVector {
    const v: SparseVector = new Map();
    const add = (k: string, w: number) => v.set(k, (v.get(k) ?? 0) + w);
    for (const t of analyzeText(text, this.wordnet)) {
      if (t.pos && t.lemma) {
        let tags = 0;
        for (const s of t.candidates) tags += s.tagCount;
        const idf = Math.log1p(IDF_SCALE / (1 + tags));
        add(`l:${t.lemma}`, idf);
        t.candidates.slice(0, this.#senses).forEach((s, k) =>
          add(`s:${s.synset.id}`, idf * SENSE_WEIGHTS[k])
        );
      } else if (WORDLIKE.test(t.text)) {
        const w = t.text.toLowerCase();
        if (!STOP_WORDS.has(w) && !/^\d+([.,]\d+)*$/.test(w)) add(`w:${w}`, Math.log1p(IDF_SCALE));
      }
    }
    let norm = 0;
    for (const w of v.values()) norm += w * w;
    norm = Math.sqrt(norm);
    if (norm > 0) { for (const [k, w] of v) v.set(k, w / norm); }
    return v;
  }

  /** The vectors of `texts`: from the cache, else computed on the batcher (duplicates once). */
  async vectors(texts: readonly string[], signal?: AbortSignal): Promise<SparseVector[]> {
    const byText = new Map<string, SparseVector>();
    for (const t of texts) {
      const v = this.#cache.get(t);
      if (v) byText.set(t, v);
    }
    const missing = [...new Set(texts.filter((t) => !byText.has(t)))];
    const vs = await this.#batcher.run(missing, signal);
    missing.forEach((t, i) => {
      byText.set(t, vs[i]);
      this.#cache.set(t, vs[i]);
    });
    return texts.map((t) => byText.get(t)!);
  }

  /** Cosine similarity of each pair. */
  async similarity(pairs: readonly TextPair[], signal?: AbortSignal): Promise<number[]> {
    const vs = await this.vectors(pairs.flat(), signal);
    return pairs.map((_, i) => clamp01(sparseDot(vs[2 * i], vs[2 * i + 1])));
  }

  /** All-pairs cosine similarities through an inverted index of `b`, yielding every 64 rows. */
  async similarityMatrix(
    a: readonly string[],
    b: readonly string[],
    signal?: AbortSignal,
  ): Promise<Float32Array> {
    const va = await this.vectors(a, signal);
    const vb = await this.vectors(b, signal);
    const index = new Map<string, { j: number; w: number }[]>();
    vb.forEach((v, j) => {
      for (const [k, w] of v) {
        let list = index.get(k);
        if (!list) index.set(k, list = []);
        list.push({ j, w });
      }
    });
    const out = new Float32Array(a.length * b.length);
    for (let i = 0; i < va.length; i++) {
      const row = i * b.length;
      for (const [k, w] of va[i]) {
        const list = index.get(k);
        if (list) { for (const p of list) out[row + p.j] += w * p.w; }
      }
      if (i % 64 === 63) await yieldNow();
    }
    for (let i = 0; i < out.length; i++) out[i] = clamp01(out[i]);
    return out;
  }

  /**
   * The `k` nearest columns per row through an inverted index of `b` (features shared by more
   * than {@link MAX_POSTINGS} texts are skipped), in time slices.
   */
  async nearest(
    a: readonly string[],
    b: readonly string[],
    k: number,
    signal?: AbortSignal,
  ): Promise<{ col: number; score: number }[][]> {
    const va = await this.vectors(a, signal);
    const vb = await this.vectors(b, signal);
    const index = new Map<string, { j: number; w: number }[]>();
    vb.forEach((v, j) => {
      for (const [f, w] of v) {
        let list = index.get(f);
        if (!list) index.set(f, list = []);
        list.push({ j, w });
      }
    });
    const slice = new TimeSlice();
    const cap = Math.max(MAX_POSTINGS, Math.ceil(0.05 * b.length));
    const acc = new Float64Array(b.length);
    const touched: number[] = [];
    const out: { col: number; score: number }[][] = [];
    for (const v of va) {
      for (const [f, w] of v) {
        const list = index.get(f);
        if (!list || list.length > cap) continue;
        for (const p of list) {
          if (acc[p.j] === 0) touched.push(p.j);
          acc[p.j] += w * p.w;
        }
      }
      const best: { col: number; score: number }[] = [];
      for (const j of touched) {
        pushTopK(best, j, clamp01(acc[j]), k);
        acc[j] = 0;
      }
      touched.length = 0;
      out.push(best);
      if (slice.due()) await slice.yield(signal);
    }
    return out;
  }

  /** No pair head: always `null`. */
  paraphrase(): Promise<null> {
    return Promise.resolve(null);
  }
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}
