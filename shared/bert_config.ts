/**
 * The BERT-family model configuration, in Hugging Face `config.json` spelling, and the table of
 * tensors (Hugging Face names and shapes) a checkpoint of that configuration holds.
 *
 * @module
 */
import { requirePositiveIntegers, resolveStrict } from "./strict_config.ts";

/** Sizes and hyper-parameters of a BERT-family encoder (Hugging Face `config.json` keys). */
export interface BertConfig {
  /** Rows of the word-embedding matrix; must equal the tokenizer's vocabulary size. */
  vocab_size: number;
  /** Width of every hidden state (H). */
  hidden_size: number;
  /** Number of transformer blocks (L). */
  num_hidden_layers: number;
  /** Attention heads per block (A); must divide `hidden_size`. */
  num_attention_heads: number;
  /** Width of the feed-forward inner layer (usually 4·H). */
  intermediate_size: number;
  /** Feed-forward activation: `gelu` (erf form, BERT's) or `gelu_new` (tanh approximation). */
  hidden_act: "gelu" | "gelu_new" | "relu";
  /** Dropout on embeddings, attention output and feed-forward output. */
  hidden_dropout_prob: number;
  /** Dropout on the attention probabilities. */
  attention_probs_dropout_prob: number;
  /** Longest sequence the position embeddings cover. */
  max_position_embeddings: number;
  /** Number of segment (token type) ids, 2 for BERT. */
  type_vocab_size: number;
  /** Standard deviation of the truncated-normal initialisation. */
  initializer_range: number;
  /** LayerNorm epsilon. */
  layer_norm_eps: number;
  /** Id of the padding token. */
  pad_token_id: number;
  /** Always `bert` for this family. */
  model_type: string;
}

/** Defaults: `google/bert_uncased_L-4_H-256_A-4` (BERT-mini) with the bert-base-uncased vocabulary. */
export const DEFAULT_BERT_CONFIG: Readonly<BertConfig> = Object.freeze({
  vocab_size: 30522, // bert-base-uncased WordPiece vocabulary
  hidden_size: 256, // BERT-mini width
  num_hidden_layers: 4, // BERT-mini depth
  num_attention_heads: 4, // 64 dims per head
  intermediate_size: 1024, // 4·H
  hidden_act: "gelu", // exact erf GELU, as in BERT
  hidden_dropout_prob: 0.1, // BERT's default
  attention_probs_dropout_prob: 0.1, // BERT's default
  max_position_embeddings: 512, // BERT's default
  type_vocab_size: 2, // sentence A / sentence B
  initializer_range: 0.02, // BERT's default
  layer_norm_eps: 1e-12, // BERT's default
  pad_token_id: 0, // [PAD] in bert-base-uncased
  model_type: "bert",
});

/** Keys Hugging Face writes into `config.json` that carry no model size; accepted and ignored. */
const IGNORED_KEYS = new Set([
  "architectures",
  "transformers_version",
  "position_embedding_type",
  "use_cache",
  "classifier_dropout",
  "gradient_checkpointing",
  "torch_dtype",
  "_name_or_path",
  "directionality",
  "pooler_fc_size",
  "pooler_num_attention_heads",
  "pooler_num_fc_layers",
  "pooler_size_per_head",
  "pooler_type",
  "output_past",
  "id2label",
  "label2id",
  "problem_type",
  "finetuning_task",
  "is_decoder",
  "add_cross_attention",
  "chunk_size_feed_forward",
  "dtype",
  "cohesive",
]);

/**
 * Resolve a partial config against the defaults. Unknown keys are an error (nanoGPT's habit), so a
 * typo never silently trains the wrong model.
 *
 * @param partial keys to override, e.g. the parsed `config.json` of a checkpoint.
 * @param source where the keys came from, named in error messages.
 * @throws {TypeError} on an unknown key or a value of the wrong type.
 * @throws {RangeError} when the sizes are inconsistent (heads not dividing the width).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { resolveBertConfig } from "@cohesive/shared";
 * const c = resolveBertConfig({ hidden_size: 128, num_attention_heads: 2 });
 * assert.equal(c.hidden_size, 128);
 * assert.equal(c.intermediate_size, 1024); // a default: it does not follow hidden_size
 * assert.throws(() => resolveBertConfig({ hidden_sise: 128 }), /unknown config key "hidden_sise"/);
 * ```
 */
export function resolveBertConfig(
  partial: Record<string, unknown> = {},
  source = "config",
): BertConfig {
  const c = resolveStrict(DEFAULT_BERT_CONFIG, partial, source, {
    ignore: IGNORED_KEYS,
    noun: "config key",
  });
  if (!["gelu", "gelu_new", "relu"].includes(c.hidden_act)) {
    throw new TypeError(`${source}: hidden_act "${c.hidden_act}" is not supported`);
  }
  requirePositiveIntegers(source, c, [
    "vocab_size",
    "hidden_size",
    "num_hidden_layers",
    "num_attention_heads",
    "intermediate_size",
    "max_position_embeddings",
    "type_vocab_size",
  ]);
  for (const k of ["hidden_dropout_prob", "attention_probs_dropout_prob"] as const) {
    if (!(c[k] >= 0 && c[k] < 1)) {
      throw new RangeError(`${source}: "${k}" must be in [0, 1), got ${c[k]}`);
    }
  }
  if (c.hidden_size % c.num_attention_heads !== 0) {
    throw new RangeError(
      `${source}: hidden_size ${c.hidden_size} is not divisible by num_attention_heads ${c.num_attention_heads}`,
    );
  }
  return c;
}

/**
 * Every tensor of a `BertForPreTraining` checkpoint of this config: Hugging Face name → shape.
 * Linear weights are `[out, in]` as in PyTorch; our model uses them in that layout.
 * `cls.predictions.decoder.weight` is tied to the word embeddings and therefore not listed.
 */
export function bertTensorShapes(c: BertConfig): Map<string, number[]> {
  const H = c.hidden_size, I = c.intermediate_size;
  const m = new Map<string, number[]>();
  m.set("bert.embeddings.word_embeddings.weight", [c.vocab_size, H]);
  m.set("bert.embeddings.position_embeddings.weight", [c.max_position_embeddings, H]);
  m.set("bert.embeddings.token_type_embeddings.weight", [c.type_vocab_size, H]);
  m.set("bert.embeddings.LayerNorm.weight", [H]);
  m.set("bert.embeddings.LayerNorm.bias", [H]);
  for (let l = 0; l < c.num_hidden_layers; l++) {
    const p = `bert.encoder.layer.${l}`;
    for (const n of ["query", "key", "value"]) {
      m.set(`${p}.attention.self.${n}.weight`, [H, H]);
      m.set(`${p}.attention.self.${n}.bias`, [H]);
    }
    m.set(`${p}.attention.output.dense.weight`, [H, H]);
    m.set(`${p}.attention.output.dense.bias`, [H]);
    m.set(`${p}.attention.output.LayerNorm.weight`, [H]);
    m.set(`${p}.attention.output.LayerNorm.bias`, [H]);
    m.set(`${p}.intermediate.dense.weight`, [I, H]);
    m.set(`${p}.intermediate.dense.bias`, [I]);
    m.set(`${p}.output.dense.weight`, [H, I]);
    m.set(`${p}.output.dense.bias`, [H]);
    m.set(`${p}.output.LayerNorm.weight`, [H]);
    m.set(`${p}.output.LayerNorm.bias`, [H]);
  }
  m.set("bert.pooler.dense.weight", [H, H]);
  m.set("bert.pooler.dense.bias", [H]);
  m.set("cls.predictions.transform.dense.weight", [H, H]);
  m.set("cls.predictions.transform.dense.bias", [H]);
  m.set("cls.predictions.transform.LayerNorm.weight", [H]);
  m.set("cls.predictions.transform.LayerNorm.bias", [H]);
  m.set("cls.predictions.bias", [c.vocab_size]);
  m.set("cls.seq_relationship.weight", [2, H]);
  m.set("cls.seq_relationship.bias", [2]);
  return m;
}
