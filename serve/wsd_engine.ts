/**
 * WSD engines: what `/v1/wsd` runs. An engine takes texts and returns, per text, its tokens with
 * offsets, lemma, part of speech, sense key, synset, gloss and score. The knowledge-based engine
 * (extended Lesk with a sense-frequency prior, from `@cohesive/lexical`) needs no model and no
 * data, so the server always answers; a neural engine (LMGC) plugs in behind the same interface
 * with {@link CallbackWsdEngine}.
 *
 * @module
 */
import {
  type BaselineMethod,
  type DisambiguatedToken,
  disambiguateText,
  type SenseCounts,
  type WordNet,
} from "@cohesive/lexical";
import { MicroBatcher, type MicroBatcherOptions } from "./batcher.ts";

/** What kind of model answers: no trained weights, or a trained network. */
export type ModelKind = "knowledge-based" | "neural";

/** Public facts about a served model (`GET /v1/models`). */
export interface ModelInfo {
  /** The name requests use in `model`. */
  name: string;
  /** The task: `wsd` or `similarity`. */
  task: "wsd" | "similarity";
  /** Knowledge-based or neural. */
  kind: ModelKind;
  /** One line saying what it is. */
  description: string;
  /** Extra facts (WordNet version, checkpoint folder, paraphrase head...). */
  details?: Record<string, unknown>;
}

/** One disambiguated text. */
export interface WsdResult {
  /** Tokens in text order (punctuation and function words with `senseKey: null`). */
  tokens: DisambiguatedToken[];
}

/** A WSD engine: texts in, senses out. */
export interface WsdEngine {
  /** The model's name, as requests give it and answers report it. */
  readonly name: string;
  /** The WordNet inventory the senses come from. */
  readonly wordnet: WordNet;
  /** Facts for `/v1/models`. */
  info(): ModelInfo;
  /**
   * Disambiguate every text (one result per text, in order). Implementations queue the texts on
   * a {@link MicroBatcher}, so concurrent requests share batches.
   *
   * @throws {import("./errors.ts").OverloadedError} when the queue is full.
   */
  disambiguate(texts: readonly string[], signal?: AbortSignal): Promise<WsdResult[]>;
  /** Free model memory. */
  dispose?(): void;
}

/** Longest piece of text the knowledge-based engine disambiguates in one go, in characters. */
export const MAX_CHUNK_CHARS = 1000;

/**
 * Cut `text` into pieces of at most `maxChars` at sentence ends (after `.`, `!` or `?`, where
 * `disambiguateText` ends its sentences too, so each word keeps its whole sentence as context);
 * a sentence longer than `maxChars` is cut at a space. Returns `[start, end)` offsets that cover
 * the text.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { sentenceChunks } from "@cohesive/serve";
 * assert.deepEqual(sentenceChunks("One. Two. Three.", 10), [[0, 9], [9, 16]]);
 * ```
 */
export function sentenceChunks(text: string, maxChars = MAX_CHUNK_CHARS): [number, number][] {
  const out: [number, number][] = [];
  let start = 0;
  let boundary = -1;
  let space = -1;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "." || ch === "!" || ch === "?") boundary = i + 1;
    else if (ch === " " || ch === "\n" || ch === "\t") space = i;
    if (i + 1 - start > maxChars) {
      let cut = boundary > start ? boundary : space > start ? space : i;
      if (cut <= start) cut = i;
      const code = text.charCodeAt(cut);
      if (code >= 0xdc00 && code <= 0xdfff && cut - 1 > start) cut--; // keep surrogate pairs
      out.push([start, cut]);
      start = cut;
    }
  }
  if (start < text.length || out.length === 0) out.push([start, text.length]);
  return out;
}

/** Options of {@link KnowledgeWsdEngine}. */
export interface KnowledgeWsdOptions {
  /** The method. Default `extended-lesk`. */
  method?: BaselineMethod;
  /** SemCor counts, required by `mfs`. */
  counts?: SenseCounts;
  /** The model name. Default the method's name. */
  name?: string;
  /** Batching: texts per batch (default 8) and wait (default 0: CPU-bound, no gain in waiting). */
  batching?: MicroBatcherOptions;
}

/**
 * Knowledge-based WSD (`disambiguateText` of `@cohesive/lexical`): extended Lesk with a
 * sense-frequency prior by default, or first sense, simple Lesk, MFS. Texts are cut into
 * sentence chunks ({@link sentenceChunks}) before batching, so a long text is worked on a
 * piece at a time, interleaved with other requests; the answer equals `disambiguateText` on the
 * whole text (its context is the sentence anyway).
 */
export class KnowledgeWsdEngine implements WsdEngine {
  /** The model's name. */
  readonly name: string;
  /** The WordNet inventory. */
  readonly wordnet: WordNet;
  /** The knowledge-based method. */
  readonly method: BaselineMethod;
  readonly #counts: SenseCounts | undefined;
  readonly #batcher: MicroBatcher<string, DisambiguatedToken[]>;

  /**
   * Create the engine over `wn`.
   *
   * @throws {TypeError} when `method` is `mfs` and no counts are given.
   */
  constructor(wn: WordNet, options: KnowledgeWsdOptions = {}) {
    this.wordnet = wn;
    this.method = options.method ?? "extended-lesk";
    if (this.method === "mfs" && !options.counts) {
      throw new TypeError("the mfs method needs SemCor counts");
    }
    this.#counts = options.counts;
    this.name = options.name ?? this.method;
    this.#batcher = new MicroBatcher(
      (texts: string[]) =>
        texts.map((t) => disambiguateText(t, wn, { method: this.method, counts: this.#counts })),
      { maxBatchSize: 8, maxWaitMs: 0, ...options.batching },
    );
  }

  /** Facts for `/v1/models`. */
  info(): ModelInfo {
    const what: Record<BaselineMethod, string> = {
      "extended-lesk": "extended Lesk (gloss overlap over related synsets) with a sense prior",
      "lesk": "simplified Lesk (gloss overlap) with a sense prior",
      "first-sense": "WordNet's first sense",
      "mfs": "most frequent sense in SemCor",
      "ppr": "personalised PageRank over WordNet's graph",
    };
    return {
      name: this.name,
      task: "wsd",
      kind: "knowledge-based",
      description: what[this.method],
      details: { wordnet: this.wordnet.version, batching: this.#batcher.stats() },
    };
  }

  /** Disambiguate every text, sentence chunk by sentence chunk. */
  async disambiguate(texts: readonly string[], signal?: AbortSignal): Promise<WsdResult[]> {
    const pieces = texts.flatMap((text, t) =>
      sentenceChunks(text).map(([start, end]) => ({ t, start, text: text.slice(start, end) }))
    );
    const done = await this.#batcher.run(pieces.map((p) => p.text), signal);
    const out: WsdResult[] = texts.map(() => ({ tokens: [] }));
    pieces.forEach((p, k) => {
      for (const tok of done[k]) {
        out[p.t].tokens.push({ ...tok, start: tok.start + p.start, end: tok.end + p.start });
      }
    });
    return out;
  }
}

/** Options of {@link CallbackWsdEngine}. */
export interface CallbackWsdOptions {
  /** The model's name. */
  name: string;
  /** The WordNet inventory the callback's senses come from. */
  wordnet: WordNet;
  /** Disambiguate one batch of texts (e.g. LMGC's `disambiguateNeural` per text). */
  process: (texts: string[]) => Promise<DisambiguatedToken[][]>;
  /** Knowledge-based or neural. Default `neural`. */
  kind?: ModelKind;
  /** One line for `/v1/models`. */
  description?: string;
  /** Extra facts for `/v1/models`. */
  details?: Record<string, unknown>;
  /** Batching (default 16 texts, 5 ms wait). */
  batching?: MicroBatcherOptions;
  /** Called by `dispose()` (free the model's tensors). */
  dispose?: () => void;
}

/**
 * A WSD engine over any batch function: how a neural engine plugs in.
 *
 * @example
 * ```ts ignore
 * import { CallbackWsdEngine } from "@cohesive/serve";
 * import { disambiguateNeural } from "@cohesive/lexical";
 * const engine = new CallbackWsdEngine({
 *   name: "lmgc",
 *   wordnet: wn,
 *   process: (texts) => Promise.all(texts.map((t) => disambiguateNeural(t, wn, model, tok))),
 * });
 * ```
 */
export class CallbackWsdEngine implements WsdEngine {
  /** The model's name. */
  readonly name: string;
  /** The WordNet inventory. */
  readonly wordnet: WordNet;
  readonly #options: CallbackWsdOptions;
  readonly #batcher: MicroBatcher<string, WsdResult>;

  /** Wrap `options.process`. */
  constructor(options: CallbackWsdOptions) {
    this.name = options.name;
    this.wordnet = options.wordnet;
    this.#options = options;
    this.#batcher = new MicroBatcher(
      async (texts: string[]) => (await options.process(texts)).map((tokens) => ({ tokens })),
      { maxBatchSize: 16, maxWaitMs: 5, ...options.batching },
    );
  }

  /** Facts for `/v1/models`. */
  info(): ModelInfo {
    return {
      name: this.name,
      task: "wsd",
      kind: this.#options.kind ?? "neural",
      description: this.#options.description ?? "WSD model",
      details: {
        wordnet: this.wordnet.version,
        ...this.#options.details,
        batching: this.#batcher.stats(),
      },
    };
  }

  /** Disambiguate every text. */
  disambiguate(texts: readonly string[], signal?: AbortSignal): Promise<WsdResult[]> {
    return this.#batcher.run(texts, signal);
  }

  /** Free the model. */
  dispose(): void {
    this.#options.dispose?.();
  }
}
