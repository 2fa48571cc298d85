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
  /** Batching of text analysis (default 32 texts, no wait). */
  batching?: MicroBatcherOptions;
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

  /** Create the engine over `wn`. */
  constructor(wn: WordNet, options: LexicalSimilarityOptions = {}) {
    this.wordnet = wn;
    this.name = options.name ?? "lexical";
    this.#senses = Math.min(options.senses ?? 3, SENSE_WEIGHTS.length);
    this.#batcher = new MicroBatcher((texts: string[]) => texts.map((t) => this.vector(t)), {
      maxBatchSize: 32,
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

  /** The vectors of `texts`, computed on the batcher (duplicates once). */
  async vectors(texts: readonly string[], signal?: AbortSignal): Promise<SparseVector[]> {
    const unique = [...new Set(texts)];
    const vs = await this.#batcher.run(unique, signal);
    const byText = new Map(unique.map((t, i) => [t, vs[i]]));
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

  /** No pair head: always `null`. */
  paraphrase(): Promise<null> {
    return Promise.resolve(null);
  }
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}
