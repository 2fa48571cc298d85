/**
 * The neural similarity engine over a BERT-family checkpoint (a trained student, or any Hugging
 * Face BERT folder with `vocab.txt`):
 *
 * - similarity: the cosine of the mean-pooled last hidden states (padding left out);
 * - paraphrase probability: softmax of the 2-way sequence head on the pair
 *   `[CLS] a [SEP] b [SEP]`, class {@link PARAPHRASE_CLASS} (the class LMGC calls "match",
 *   BERT's "is next"). This is only meaningful once that head is fine-tuned on pairs (LMGC-M
 *   trains it on context–gloss pairs; a paraphrase corpus trains it for paraphrase); a
 *   checkpoint without the head gives `null`.
 *
 * Texts longer than `maxLength` word pieces are truncated.
 *
 * @module
 */
import { basename, dirname } from "node:path";
import {
  BertModel,
  CheckpointError,
  latestCheckpoint,
  loadCheckpoint,
  WordPieceTokenizer,
} from "@cohesive/shared";
import { tf } from "@cohesive/shared/tf";
import { MicroBatcher, type MicroBatcherOptions } from "./batcher.ts";
import {
  pushTopK,
  type SimilarityEngine,
  type TextPair,
  TimeSlice,
  yieldNow,
} from "./similarity_engine.ts";
import type { ModelInfo } from "./wsd_engine.ts";

/** The class of the 2-way sequence head read as "paraphrase" (LMGC's `MATCH`, BERT's is-next). */
export const PARAPHRASE_CLASS = 0;

/** Options of {@link BertSimilarityEngine}. */
export interface BertEngineOptions {
  /** The model name. Default: the folder's name (a run folder's, for `runs/x/checkpoint-N`). */
  name?: string;
  /** Longest input in word pieces, special tokens included. Default 256 (capped by the model). */
  maxLength?: number;
  /** Alignment threshold for plagiarism (cosine of mean-pooled states). Default 0.85. */
  threshold?: number;
  /** Batching (default 16 texts, 5 ms wait). */
  batching?: MicroBatcherOptions;
}

/** Where a checkpoint was loaded from, for `/v1/models`. */
export interface BertEngineSource {
  /** The folder given (a run folder or a checkpoint folder). */
  spec: string;
  /** The checkpoint folder actually loaded. */
  dir: string;
  /** Whether the pooler and sequence head were in the checkpoint. */
  pairHead: boolean;
  /** Warnings from loading. */
  warnings: string[];
}

/** Similarity and paraphrase probability from a BERT-family model. */
export class BertSimilarityEngine implements SimilarityEngine {
  /** The model's name. */
  readonly name: string;
  /** The model answering paraphrase probabilities (this one), or `null` without a pair head. */
  readonly paraphraseModel: string | null;
  /** Default alignment threshold for plagiarism. */
  readonly defaultThreshold: number;
  /** The encoder. */
  readonly model: BertModel;
  /** Its tokenizer. */
  readonly tokenizer: WordPieceTokenizer;
  /** Longest input in word pieces. */
  readonly maxLength: number;
  readonly #source: BertEngineSource;
  readonly #embed: MicroBatcher<string, Float32Array>;
  readonly #pairs: MicroBatcher<TextPair, number>;

  /** Wrap a loaded model (see {@link BertSimilarityEngine.load}). */
  constructor(
    model: BertModel,
    tokenizer: WordPieceTokenizer,
    source: BertEngineSource,
    options: BertEngineOptions = {},
  ) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.#source = source;
    this.name = options.name ?? defaultName(source.spec);
    this.paraphraseModel = source.pairHead ? this.name : null;
    this.defaultThreshold = options.threshold ?? 0.85;
    this.maxLength = Math.min(options.maxLength ?? 256, model.config.max_position_embeddings);
    const batching = { maxBatchSize: 16, maxWaitMs: 5, ...options.batching };
    this.#embed = new MicroBatcher((texts: string[]) => this.#embedBatch(texts), batching);
    this.#pairs = new MicroBatcher((pairs: TextPair[]) => this.#pairBatch(pairs), batching);
  }

  /**
   * Load a checkpoint folder, or a run folder's newest checkpoint (its `latest.json`).
   *
   * @throws {CheckpointError} when the folder is not a usable checkpoint or has no `vocab.txt`.
   */
  static async load(spec: string, options: BertEngineOptions = {}): Promise<BertSimilarityEngine> {
    const dir = (await latestCheckpoint(spec)) ?? spec;
    const warnings: string[] = [];
    const ck = await loadCheckpoint(dir, { onWarning: (m) => warnings.push(m) });
    if (!ck.vocab) {
      throw new CheckpointError(`${dir}: no vocab.txt; the server needs the model's vocabulary`);
    }
    const tokenizer = WordPieceTokenizer.fromVocab(ck.vocab);
    const model = BertModel.fromWeights(ck.config, ck.weights);
    const pairHead = !ck.missingHeads.includes("cls.seq_relationship") &&
      !ck.missingHeads.includes("bert.pooler");
    return new BertSimilarityEngine(model, tokenizer, { spec, dir, pairHead, warnings }, options);
  }

  /** Facts for `/v1/models`. */
  info(): ModelInfo {
    const c = this.model.config;
    return {
      name: this.name,
      task: "similarity",
      kind: "neural",
      description: "cosine of mean-pooled last hidden states" +
        (this.paraphraseModel
          ? "; paraphrase probability from the 2-way sequence head (meaningful once fine-tuned)"
          : "; no sequence head in the checkpoint, so no paraphrase probability"),
      details: {
        checkpoint: this.#source.dir,
        layers: c.num_hidden_layers,
        hidden: c.hidden_size,
        vocab: c.vocab_size,
        maxLength: this.maxLength,
        paraphrase: this.paraphraseModel !== null,
        defaultThreshold: this.defaultThreshold,
        backend: tf.getBackend(),
        warnings: this.#source.warnings,
        batching: { embed: this.#embed.stats(), pairs: this.#pairs.stats() },
      },
    };
  }

  /** Unit-length mean-pooled embeddings of `texts` (through the batcher). */
  embed(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    return this.#embed.run(texts, signal);
  }

  async #embedBatch(texts: string[]): Promise<Float32Array[]> {
    const enc = this.tokenizer.encodeBatch(texts, { maxLength: this.maxLength });
    const [B, T] = enc.shape;
    const H = this.model.config.hidden_size;
    const out = tf.tidy(() => {
      const mask = tf.tensor2d(enc.attentionMask, [B, T], "int32");
      const hidden = this.model.forward({
        inputIds: tf.tensor2d(enc.ids, [B, T], "int32"),
        tokenTypeIds: tf.tensor2d(enc.typeIds, [B, T], "int32"),
        attentionMask: mask,
      }); // [B, T, H]
      const m = tf.cast(mask, "float32").expandDims(2); // [B, T, 1]
      const mean = tf.div(tf.sum(tf.mul(hidden, m), 1), tf.maximum(tf.sum(m, 1), 1)); // [B, H]
      return tf.div(mean, tf.maximum(tf.norm(mean, "euclidean", 1, true), 1e-12)); // [B, H]
    });
    const data = await out.data() as Float32Array;
    out.dispose();
    return texts.map((_, b) => data.slice(b * H, (b + 1) * H));
  }

  async #pairBatch(pairs: TextPair[]): Promise<number[]> {
    const enc = this.tokenizer.encodeBatch(pairs, { maxLength: this.maxLength });
    const [B, T] = enc.shape;
    const out = tf.tidy(() => {
      const hidden = this.model.forward({
        inputIds: tf.tensor2d(enc.ids, [B, T], "int32"),
        tokenTypeIds: tf.tensor2d(enc.typeIds, [B, T], "int32"),
        attentionMask: tf.tensor2d(enc.attentionMask, [B, T], "int32"),
      }); // [B, T, H]
      return tf.softmax(this.model.seqLogits(hidden)); // [B, 2]
    });
    const p = await out.data();
    out.dispose();
    return pairs.map((_, b) => p[b * 2 + PARAPHRASE_CLASS]);
  }

  /** Embeddings of `texts`, each distinct text once. */
  async #embedDistinct(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    const unique = [...new Set(texts)];
    const e = await this.embed(unique, signal);
    const byText = new Map(unique.map((t, i) => [t, e[i]]));
    return texts.map((t) => byText.get(t)!);
  }

  /** Cosine of the embeddings of each pair. */
  async similarity(pairs: readonly TextPair[], signal?: AbortSignal): Promise<number[]> {
    const e = await this.#embedDistinct(pairs.flat(), signal);
    return pairs.map((_, i) => dot(e[2 * i], e[2 * i + 1]));
  }

  /** The `k` nearest columns per row by cosine, in time slices, without the full matrix. */
  async nearest(
    a: readonly string[],
    b: readonly string[],
    k: number,
    signal?: AbortSignal,
  ): Promise<{ col: number; score: number }[][]> {
    const ea = await this.#embedDistinct(a, signal);
    const eb = await this.#embedDistinct(b, signal);
    const slice = new TimeSlice();
    const out: { col: number; score: number }[][] = [];
    for (const x of ea) {
      const best: { col: number; score: number }[] = [];
      for (let j = 0; j < eb.length; j++) {
        pushTopK(best, j, dot(x, eb[j]), k);
        if ((j & 255) === 255 && slice.due()) await slice.yield(signal);
      }
      out.push(best);
      if (slice.due()) await slice.yield(signal);
    }
    return out;
  }

  /** All-pairs cosines, row-major `[a.length, b.length]`, yielding every 16 rows. */
  async similarityMatrix(
    a: readonly string[],
    b: readonly string[],
    signal?: AbortSignal,
  ): Promise<Float32Array> {
    const ea = await this.embed(a, signal);
    const eb = await this.embed(b, signal);
    const out = new Float32Array(a.length * b.length);
    for (let i = 0; i < ea.length; i++) {
      for (let j = 0; j < eb.length; j++) out[i * b.length + j] = dot(ea[i], eb[j]);
      if (i % 16 === 15) await yieldNow();
    }
    return out;
  }

  /** P(paraphrase) of each pair from the sequence head, or `null` without one. */
  async paraphrase(pairs: readonly TextPair[], signal?: AbortSignal): Promise<number[] | null> {
    if (!this.paraphraseModel) return null;
    return await this.#pairs.run(pairs, signal);
  }

  /** Free the model's tensors. */
  dispose(): void {
    this.model.dispose();
  }
}

function dot(a: Float32Array, b: Float32Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

function defaultName(spec: string): string {
  const base = basename(spec.replace(/[\\/]+$/, ""));
  // A run's `best/` or `checkpoint-N/` is named with its run: `lmgcm/best`, not `best`.
  return /^(checkpoint-\d+|best)$/.test(base) ? `${basename(dirname(spec))}/${base}` : base;
}
