/**
 * `distill teacher`: pretrain a masked-LM teacher on a text folder. We have no downloadable
 * teachers, so the project makes its own (different sizes and seeds), with bert-base-uncased's
 * vocabulary, a given one, or one trained on its own text (`vocabSize`).
 *
 * @module
 */
import { join } from "node:path";
import {
  batchTensors,
  BertModel,
  heldoutEvaluator,
  initRuntime,
  loadCheckpoint,
  type MlmBatch,
  resolveModelDir,
  resolveRunConfig,
  resolveStrict,
  Rng,
  type RuntimeInfo,
  sparseCrossEntropy,
  train,
  type TrainResult,
  WordPieceTokenizer,
} from "@cohesive/shared";
import { DEFAULT_MLM_RUN, type MlmRunConfig, resolveMlmRun } from "./run_config.ts";
import { trainConfigOf } from "./run_config.ts";
import { finishRun, heldoutBatches, modelConfigOf, writeRunFile } from "./run_folder.ts";
import { loadTokenizer, mlmTokenizer, openText, trainTokenizer } from "./text_source.ts";

/** A pretraining run: the masked-LM settings and where its weights start. */
export interface TeacherRunConfig extends MlmRunConfig {
  /**
   * Start from this checkpoint or run folder (continued pretraining, e.g. of a distilled
   * student on more text) instead of a random initialisation; "" = random. The model's sizes
   * are the checkpoint's.
   */
  from: string;
  /**
   * Train a WordPiece vocabulary of this many entries on the run's text (saved in the run folder's
   * `tokenizer/`, and with every checkpoint) instead of using `vocab`; 0 = use `vocab`.
   */
  vocabSize: number;
}

/** Resolve a pretraining config strictly: {@link resolveMlmRun} plus `from` and `vocabSize`. */
export function resolveTeacherRun(
  partial: Record<string, unknown>,
  source = "run config",
): TeacherRunConfig {
  const { from, vocabSize, ...rest } = partial;
  const own = resolveStrict({ from: "", vocabSize: 0 }, { from, vocabSize }, source);
  if (!Number.isInteger(own.vocabSize) || own.vocabSize < 0) {
    throw new RangeError(`${source}: "vocabSize" must be 0 or a positive integer`);
  }
  if (own.vocabSize > 0 && own.from) {
    throw new RangeError(
      `${source}: "vocabSize" trains a new vocabulary, "from" keeps its checkpoint's: choose one`,
    );
  }
  return { ...resolveMlmRun(rest, source), ...own };
}

/**
 * The run's tokenizer: `vocab`, or with `vocabSize` a vocabulary trained on the run's text (on
 * `--resume`, the one the run saved).
 */
async function runTokenizer(
  cfg: TeacherRunConfig,
  runDir: string,
  resume: boolean | undefined,
): Promise<WordPieceTokenizer> {
  if (cfg.vocabSize === 0) return await loadTokenizer(cfg.vocab);
  if (resume) return await WordPieceTokenizer.fromFile(join(runDir, TRAINED_TOKENIZER));
  return await trainTokenizer(cfg.data, cfg.vocabSize);
}

/** Where a run keeps the vocabulary it trained. */
const TRAINED_TOKENIZER = "tokenizer";

/** Options of {@link pretrainTeacher}. */
export interface PretrainOptions {
  /** Continue the run in `runDir` from its latest checkpoint, with its saved config. */
  resume?: boolean;
  /** tfjs backend (default: automatic). */
  backend?: string;
  /** Show progress (default true). */
  progress?: boolean;
  /** Pause at this step of the schedule (see `TrainOptions.stopAt`). */
  stopAt?: number;
}

/** What {@link pretrainTeacher} returns. */
export interface PretrainResult extends TrainResult {
  /** The resolved run config. */
  config: TeacherRunConfig;
  /** Final held-out MLM loss and perplexity. */
  heldout: { loss: number; ppl: number }; // NaN when interrupted
  /** Folder of the final checkpoint (Hugging Face layout). */
  checkpoint: string;
  /** Wall time in seconds (this process). */
  seconds: number;
}

/**
 * The checkpoint a `from` run starts at: its config (the run's sizes must not contradict it) and
 * weights, with the vocabulary size checked against the run's tokenizer.
 */
async function startingPoint(
  from: string,
  partial: Record<string, unknown>,
  vocabSize: number,
  seqLen: number,
) {
  const dir = await resolveModelDir(from);
  const ck = await loadCheckpoint(dir);
  const asked = (partial.model ?? {}) as Record<string, unknown>;
  for (const [k, v] of Object.entries(asked)) {
    const have = (ck.config as unknown as Record<string, unknown>)[k];
    if (k in DEFAULT_MLM_RUN.model && v !== undefined && v !== have) {
      throw new RangeError(
        `${dir}: ${k} is ${have}, the run asks for ${v} (drop the size options)`,
      );
    }
  }
  if (ck.config.vocab_size !== vocabSize) {
    throw new RangeError(
      `${dir}: vocabulary of ${ck.config.vocab_size} tokens, the run's tokenizer has ${vocabSize}`,
    );
  }
  if (ck.config.max_position_embeddings < seqLen) {
    throw new RangeError(
      `${dir}: ${ck.config.max_position_embeddings} positions, shorter than --seq ${seqLen}`,
    );
  }
  // Dropout is a training setting, not a size: the run's own value wins over the checkpoint's.
  const config = { ...ck.config };
  for (const k of ["hidden_dropout_prob", "attention_probs_dropout_prob"] as const) {
    if (typeof asked[k] === "number") config[k] = asked[k] as number;
  }
  return { dir, config, weights: ck.weights };
}

/**
 * Pretrain a teacher into the run folder `runDir` (config, metrics.jsonl, checkpoints).
 *
 * @throws {Deno.errors.AlreadyExists} when `runDir` already holds a run and `resume` is not set.
 */
export async function pretrainTeacher(
  runDir: string,
  partial: Record<string, unknown>,
  opts: PretrainOptions = {},
): Promise<PretrainResult> {
  const t0 = performance.now();
  const cfg = await resolveRunConfig(runDir, partial, opts.resume, resolveTeacherRun);
  // Validate every input before the run folder is created.
  const tok = await runTokenizer(cfg, runDir, opts.resume);
  const mtok = mlmTokenizer(tok);
  const trainStream = (await openText(cfg.data, mtok, cfg.seqLen)).only(
    "train",
    cfg.heldoutPercent,
  );
  const heldout = await heldoutBatches(cfg, mtok);
  const runtime: RuntimeInfo = await initRuntime({
    backend: opts.backend,
    quiet: opts.progress === false,
  });
  const start = cfg.from
    ? await startingPoint(cfg.from, partial, tok.vocabSize, cfg.seqLen)
    : undefined;
  const modelCfg = start?.config ?? modelConfigOf(cfg, tok.vocabSize);
  await writeRunFile(runDir, opts.resume, {
    kind: "teacher",
    config: cfg,
    model: modelCfg,
    start: start?.dir,
    backend: runtime.backend,
  });
  if (!opts.resume && cfg.vocabSize > 0) await tok.save(join(runDir, TRAINED_TOKENIZER));

  // On --resume the trainer loads the run's own latest checkpoint over these weights.
  const model = start
    ? BertModel.fromWeights(modelCfg, start.weights, cfg.seed)
    : BertModel.create(modelCfg, cfg.seed);
  const rng = new Rng(cfg.seed);
  const hooks = {
    next: () => trainStream.batch(cfg.batchSize, rng, cfg.maskProb),
    loss: (b: MlmBatch, seed: number) => {
      const t = batchTensors(b);
      const h = model.forward({ inputIds: t.inputIds, attentionMask: t.attentionMask }, {
        training: true,
        seed,
      });
      return sparseCrossEntropy(model.mlmLogits(h, t.positions), t.labels);
    },
    dataState: () => ({ stream: trainStream.state, rng: rng.state }),
    restoreData: (s: unknown) => {
      const st = s as { stream: typeof trainStream.state; rng: number };
      trainStream.restore(st.stream);
      rng.restore(st.rng);
    },
    evaluate: heldoutEvaluator(model, heldout, { order: true }),
    count: (b: MlmBatch) => ({ tokens: b.B * b.T }),
  };
  const result = await train(
    model,
    runDir,
    trainConfigOf(cfg),
    hooks,
    {
      vocab: [...tok.vocab],
      resume: opts.resume,
      progress: opts.progress,
      stopAt: opts.stopAt,
      meta: { kind: "teacher", seed: cfg.seed },
    },
  );
  return {
    ...result,
    config: cfg,
    ...await finishRun(model, runDir, heldout, t0, result.interrupted),
  };
}
