/**
 * `lexical pretrain` (LMGC-M: masked-LM + gloss classification, 1:1, on the same context–gloss
 * pairs) and `lexical finetune` (LMGC: gloss classification only). Both train on SemCor (plus,
 * optionally, WordNet's example sentences), select on semeval2007 (never on a test set; without a
 * data folder both are WordNet's examples), keep the best checkpoint in `best/`, and report the
 * parameter count before and after (equal: the gloss classifier is the existing 2-way head).
 *
 * @module
 */
import { basename, join } from "node:path";
import {
  BertModel,
  dataDir,
  fixedBatches,
  initRuntime,
  latestCheckpoint,
  loadCheckpoint,
  maskRows,
  mlmHeldoutLoss,
  MlmStream,
  Progress,
  resolveBertConfig,
  resolveRunConfig,
  Rng,
  saveCheckpoint,
  sparseCrossEntropy,
  train,
  WordPieceTokenizer,
  writeFileAtomic,
} from "@cohesive/shared";
import { tf } from "@cohesive/shared/tf";
import { readKeys, readRaganatoXml, type WsdCorpus, type WsdKeys } from "./raganato.ts";
import { wordnetExamples } from "./wordnet_examples.ts";
import { WordNet } from "./wordnet.ts";
import {
  encodePairs,
  instancePairs,
  NEGATIVE_SAMPLINGS,
  type NegativeSampling,
  PAIR_POOLINGS,
  type PairBatch,
  type PairPooling,
  pairPoolingOf,
  predictSenses,
  trainingPairs,
} from "./lmgc.ts";
import { scoreKeys } from "./score_quick.ts";
import {
  keysWithPrior,
  type PriorSetting,
  readPriorSetting,
  selectPriorWeight,
  tunePrior,
  writePriorSetting,
} from "./prior.ts";
import { wordnetLines } from "./wordnet_text.ts";

/** Settings of an LMGC / LMGC-M run. */
export interface LmgcRunConfig {
  /** Starting model: a checkpoint or run folder (the distilled student, usually). */
  model: string;
  /** Add the masked-LM loss (LMGC-M). */
  mlm: boolean;
  /** Weight of the MLM loss relative to the gloss loss (1:1 by default). */
  mlmWeight: number;
  /**
   * Training corpus (`*.data.xml`, its gold key beside it as `*.gold.key.txt`), or `wordnet`
   * (WordNet's example sentences, their train split); default SemCor, or `wordnet` when there is
   * no data folder.
   */
  train: string;
  /**
   * Model-selection corpus, or `wordnet` (the examples' held-out 1 %); default semeval2007, or
   * `wordnet` when there is no data folder.
   */
  dev: string;
  /**
   * Also train on WordNet's example sentences (their train split, polysemous lemmas only): this
   * many, a seeded sample (-1: all, 0: none).
   */
  examples: number;
  /** Sense inventory: `3.0` (what the framework's keys use), `3.1`, or a dict folder. */
  wordnet: string;
  /** Passes over the training pairs. */
  epochs: number;
  /** Pairs per batch. */
  batchSize: number;
  /** Peak learning rate (BERT-base used 2e-5; small students learn faster). */
  lr: number;
  /** Warm-up fraction. */
  warmup: number;
  /** Longest pair in tokens. */
  maxLength: number;
  /**
   * Dropout of the model during this training (hidden states; attention probabilities get 0.1
   * when it is > 0). -1: the starting checkpoint's own dropouts — a model pretrained without
   * dropout reads its inputs very differently with it (the order student's held-out MLM loss is
   * 4.84 nats without, 6.54 with dropout 0.2 on), so the default keeps what it was trained with.
   */
  dropout: number;
  /** Wrong candidates kept per instance (-1: all, as GlossBERT). */
  negatives: number;
  /**
   * How they are drawn (`lmgc.ts` `NegativeSampling`): `uniform`, or `frequency` (in proportion to
   * how often each sense is gold in the training data, so a gloss alone does not tell a match).
   */
  negativeSampling: NegativeSampling;
  /** Train on a seeded random sample of N instances (0: all). */
  maxInstances: number;
  /** Candidates of every part of speech. */
  allPos: boolean;
  /**
   * What the 2-way head reads (`lmgc.ts` `PairPooling`): `cls` (BERT's NSP, GlossBERT Sent-CLS)
   * or `target` (the target word's pieces, GlossBERT Token-CLS). Kept in the checkpoint. Empty:
   * the starting checkpoint's (`cls` for a model no LMGC run has trained), so fine-tuning after
   * LMGC-M's lexical pre-training reads the way the head was pre-trained.
   */
  pooling: PairPooling | "";
  /** Evaluate dev F1 every this many steps (0: once per epoch). */
  evalEvery: number;
  /** Held-out text for the MLM loss check: `wordnet` or a folder (default: the corpus). */
  mlmText: string;
  /** Seed of pair sampling, masking and dropout. */
  seed: number;
}

/** Defaults (the BERT-base recipe of Wahle et al. 2021, learning rate raised for small students). */
export const DEFAULT_LMGC_RUN: Readonly<LmgcRunConfig> = Object.freeze({
  model: "", // required
  mlm: false, // LMGC; true = LMGC-M
  mlmWeight: 1, // 1:1
  train: "", // default: SemCor of the data folder
  dev: "", // default: semeval2007 of the data folder
  examples: 0, // SemCor alone
  wordnet: "3.0", // the framework's keys are WordNet 3.0
  epochs: 3, // the paper's
  batchSize: 32, // the paper's
  lr: 1e-4, // the paper used 2e-5 for BERT-base
  warmup: 0.1, // 10 %
  maxLength: 160, // the paper's
  dropout: -1, // the starting model's (the paper's 0.2 was for BERT-base, pretrained with 0.1)
  negatives: -1, // all candidates
  negativeSampling: "uniform",
  maxInstances: 0, // all
  allPos: false, // the instance's own part of speech
  pooling: "", // the starting checkpoint's; `cls` (BERT's NSP reading) for any other model
  evalEvery: 0, // once per epoch
  mlmText: "", // default: the corpus of the data folder
  seed: 0,
});

function oneOf(source: string, key: string, value: string, allowed: readonly string[]): void {
  if (!allowed.includes(value)) {
    throw new RangeError(
      `${source}: "${key}" must be one of ${allowed.filter(Boolean).join(", ")}, got ${
        JSON.stringify(value)
      }`,
    );
  }
}

/** Resolve strictly: unknown keys and wrong types are errors. */
export function resolveLmgcRun(
  partial: Record<string, unknown>,
  source = "run config",
): LmgcRunConfig {
  const c: Record<string, unknown> = { ...DEFAULT_LMGC_RUN };
  for (const [k, v] of Object.entries(partial)) {
    if (v === undefined) continue;
    if (!(k in DEFAULT_LMGC_RUN)) throw new TypeError(`${source}: unknown key "${k}"`);
    const want: string = typeof (DEFAULT_LMGC_RUN as unknown as Record<string, unknown>)[k];
    const got: string = typeof v;
    if (got !== want) {
      throw new TypeError(`${source}: "${k}" must be a ${want}, got ${JSON.stringify(v)}`);
    }
    c[k] = v;
  }
  const r = c as unknown as LmgcRunConfig;
  oneOf(source, "pooling", r.pooling, ["", ...PAIR_POOLINGS]);
  if (!(r.dropout === -1 || (r.dropout >= 0 && r.dropout < 1))) {
    throw new RangeError(
      `${source}: "dropout" must be in [0, 1), or -1 (the model's), got ${r.dropout}`,
    );
  }
  oneOf(source, "negativeSampling", r.negativeSampling, NEGATIVE_SAMPLINGS);
  if (!r.model) throw new TypeError(`${source}: "model" (the starting checkpoint) is required`);
  return r;
}

function goldKeyOf(dataXml: string): string {
  return dataXml.replace(/\.data\.xml$/, ".gold.key.txt");
}

/**
 * The default training corpus (SemCor), selection set (semeval2007) and MLM text (the corpus) of
 * the data folder; `wordnet` (WordNet's examples, its text) when there is no data folder.
 */
export function defaultCorpus(which: "train" | "dev" | "text"): string {
  const data = dataDir();
  if (!data) return "wordnet";
  return join(
    data,
    {
      train: "wsd/Training_Corpora/SemCor/semcor.data.xml",
      dev: "wsd/Evaluation_Datasets/semeval2007/semeval2007.data.xml",
      text: "corpus",
    }[which],
  );
}

/** A sense-annotated corpus, its gold keys and a short name. */
export interface LabelledCorpus {
  /** The corpus. */
  corpus: WsdCorpus;
  /** Instance id → gold sense keys. */
  keys: WsdKeys;
  /** `semeval2007` for `…/semeval2007.data.xml`; `wordnet-examples-train` / `-dev`. */
  name: string;
}

/**
 * Read a corpus with its gold keys: a framework `*.data.xml` file (the key beside it as
 * `*.gold.key.txt`) or `wordnet` (WordNet's examples, the given split).
 */
export async function readLabelledCorpus(
  spec: string,
  wn: WordNet,
  split: "train" | "dev",
): Promise<LabelledCorpus> {
  if (spec === "wordnet") {
    const ex = await wordnetExamples(wn, { split });
    return { corpus: ex.corpus, keys: ex.keys, name: `wordnet-examples-${split}` };
  }
  const [corpus, keys] = await Promise.all([readRaganatoXml(spec), readKeys(goldKeyOf(spec))]);
  return { corpus, keys, name: basename(spec).replace(/\.data\.xml$/, "") };
}

/** The gloss-classification loss of a batch: cross-entropy of the 2-way head. */
function glossLoss(
  model: BertModel,
  b: PairBatch,
  opts: { training: boolean; seed: number },
): {
  loss: tf.Scalar;
  hidden: tf.Tensor3D;
} {
  const ids = tf.tensor2d(b.ids, [b.B, b.T], "int32");
  const types = tf.tensor2d(b.typeIds, [b.B, b.T], "int32");
  const mask = tf.tensor2d(b.mask, [b.B, b.T], "int32");
  const hidden = model.forward({ inputIds: ids, tokenTypeIds: types, attentionMask: mask }, opts);
  const select = b.select ? tf.tensor2d(b.select, [b.B, b.T]) : undefined;
  const logits = model.seqLogits(hidden, opts, select); // [B, 2]
  const logp = tf.logSoftmax(logits);
  const onehot = tf.oneHot(tf.tensor1d(b.labels, "int32"), 2);
  return { loss: tf.neg(tf.mean(tf.sum(tf.mul(onehot, logp), -1))) as tf.Scalar, hidden };
}

/** What a run returns. */
export interface LmgcResult {
  /** Resolved config. */
  config: LmgcRunConfig;
  /** Best dev F1 and its step. */
  best: { f1: number; step: number };
  /** Parameter count before and after training (equal by construction). */
  parameters: { before: number; after: number };
  /** Held-out MLM loss of the starting model and of the best model. */
  mlmLoss: { before: number; after: number };
  /** Folder of the best checkpoint. */
  checkpoint: string;
  /** The sense-prior weight chosen on the selection set for the best checkpoint (its `wsd.json`). */
  prior: PriorSetting;
  /** Training pairs per epoch. */
  pairs: number;
  /** Seconds. */
  seconds: number;
}

/**
 * Train LMGC (or LMGC-M when `mlm`) into `runDir`.
 *
 * @throws {Deno.errors.AlreadyExists} when `runDir` holds a run and `resume` is not set.
 */
export async function trainLmgc(
  runDir: string,
  partial: Record<string, unknown>,
  opts: { resume?: boolean; backend?: string; progress?: boolean } = {},
): Promise<LmgcResult> {
  const t0 = performance.now();
  const runFile = join(runDir, "run.json");
  const cfg = await resolveRunConfig(runDir, partial, opts.resume, resolveLmgcRun);
  // Without a data folder the defaults are WordNet's own examples and text (the quick start).
  const trainXml = cfg.train || defaultCorpus("train");
  const devXml = cfg.dev || defaultCorpus("dev");
  const text = cfg.mlmText || defaultCorpus("text");

  if (trainXml === "wordnet" && cfg.examples !== 0) {
    throw new RangeError(
      `"examples" adds WordNet's examples to another corpus; train is them already`,
    );
  }
  // Inputs first; the run folder only once everything reads.
  await initRuntime({ backend: opts.backend, quiet: opts.progress === false });
  const startDir = (await latestCheckpoint(cfg.model)) ?? cfg.model;
  const ck = await loadCheckpoint(startDir);
  const pooling = cfg.pooling || pairPoolingOf(ck.meta, join(startDir, "config.json"));
  if (!ck.vocab) throw new RangeError(`${startDir}: no vocab.txt`);
  const tok = WordPieceTokenizer.fromVocab(ck.vocab);
  const wn = await WordNet.open(cfg.wordnet);
  const [
    { corpus: trainCorpus, keys: trainKeys },
    { corpus: devCorpus, keys: devKeys, name: devName },
  ] = await Promise.all([
    readLabelledCorpus(trainXml, wn, "train"),
    readLabelledCorpus(devXml, wn, "dev"),
  ]);
  if (cfg.maxLength > ck.config.max_position_embeddings) {
    throw new RangeError(
      `maxLength ${cfg.maxLength} exceeds the model's max_position_embeddings ${ck.config.max_position_embeddings}`,
    );
  }
  let insts = instancePairs(trainCorpus, wn, trainKeys, { allPos: cfg.allPos });
  if (cfg.maxInstances > 0 && cfg.maxInstances < insts.length) {
    // A seeded sample across the whole corpus (SemCor's first documents alone are one genre).
    insts = new Rng(cfg.seed + 41).shuffle(insts).slice(0, cfg.maxInstances);
  }
  if (cfg.examples !== 0) {
    const ex = await wordnetExamples(wn, { split: "train" });
    let extra = instancePairs(ex.corpus, wn, ex.keys, { allPos: cfg.allPos })
      .filter((p) => p.candidates.length > 1);
    if (cfg.examples > 0) extra = new Rng(cfg.seed + 43).shuffle(extra).slice(0, cfg.examples);
    insts = insts.concat(extra);
  }
  const devInsts = instancePairs(devCorpus, wn, undefined, { allPos: cfg.allPos });
  const rng = new Rng(cfg.seed + 17);
  const pairs = trainingPairs(
    insts,
    rng,
    cfg.negatives < 0 ? undefined : cfg.negatives,
    cfg.negativeSampling,
  );
  if (pairs.length === 0) {
    throw new RangeError(`${trainXml}: no training pairs (no gold sense among the candidates)`);
  }
  const mlmLen = Math.min(128, ck.config.max_position_embeddings);
  const stream = text === "wordnet"
    ? MlmStream.fromLines(await wordnetLines(), tok, mlmLen)
    : await MlmStream.fromPath(text, tok, mlmLen);
  const heldout = await fixedBatches(stream.only("heldout", 2), 8, 16, 1234);

  const config = resolveBertConfig({
    ...ck.config,
    ...(cfg.dropout < 0 ? {} : {
      hidden_dropout_prob: cfg.dropout,
      attention_probs_dropout_prob: cfg.dropout > 0 ? 0.1 : 0,
    }),
  });
  const model = BertModel.fromWeights(config, ck.weights, cfg.seed);
  const before = model.parameterCount();
  const mlmBefore = (await mlmHeldoutLoss(model, heldout)).loss;
  await Deno.mkdir(runDir, { recursive: true });
  if (!opts.resume) {
    await writeFileAtomic(
      runFile,
      JSON.stringify({ kind: cfg.mlm ? "lmgc-m" : "lmgc", config: cfg, start: startDir }, null, 2),
    );
  }

  const perEpoch = Math.ceil(pairs.length / cfg.batchSize);
  const steps = perEpoch * cfg.epochs;
  const evalEvery = cfg.evalEvery > 0 ? cfg.evalEvery : perEpoch;
  let cursor = 0;
  const maskRng = new Rng(cfg.seed + 29);
  const next = (): Promise<PairBatch & { mlm?: { positions: Int32Array; labels: Int32Array } }> => {
    const start = (cursor % perEpoch) * cfg.batchSize;
    const chunk = pairs.slice(start, start + cfg.batchSize);
    cursor++;
    const b = encodePairs(
      tok,
      chunk.map((p) => ({
        context: insts[p.inst].context,
        gloss: insts[p.inst].glosses[p.cand],
        match: p.label === 1,
        target: insts[p.inst].target,
      })),
      cfg.maxLength,
      pooling,
    );
    if (!cfg.mlm) return Promise.resolve(b);
    // Mask the pair (both segments) with BERT's 80/10/10 rule; the gloss head sees the same
    // masked input, as BERT's pre-training computes MLM and NSP from one pass.
    const rows: number[][] = [];
    for (let r = 0; r < b.B; r++) {
      const row = Array.from(b.ids.subarray(r * b.T, (r + 1) * b.T));
      const len = b.mask.subarray(r * b.T, (r + 1) * b.T).reduce((a, x) => a + x, 0);
      rows.push(row.slice(0, len));
    }
    const m = maskRows(rows, b.T, tok, maskRng);
    return Promise.resolve({
      ...b,
      ids: m.inputIds,
      mlm: { positions: m.positions, labels: m.labels },
    });
  };
  const kind = cfg.mlm ? "lmgc-m" : "lmgc";
  const bestDir = join(runDir, "best");
  let best = { f1: -1, step: 0 };
  try {
    best = JSON.parse(await Deno.readTextFile(join(runDir, "best.json")));
  } catch { /* first run */ }
  const evaluate = async (step: number) => {
    const bar = opts.progress === false ? undefined : new Progress("dev", devInsts.length);
    const { scores } = await predictSenses(model, tok, devInsts, {
      maxLength: cfg.maxLength,
      pooling,
    });
    bar?.tick(devInsts.length);
    const s = scoreKeys(devKeys, keysWithPrior(devInsts, scores, 0));
    const mlm = (await mlmHeldoutLoss(model, heldout)).loss;
    if (s.f1 > best.f1) {
      best = { f1: s.f1, step };
      await saveCheckpoint(bestDir, {
        config: model.config,
        weights: await model.weights(),
        vocab: ck.vocab!,
        meta: { kind, pairPooling: pooling, step, dev_f1: s.f1 },
      });
      // The sense-prior weight of this checkpoint, from the same selection-set scores.
      await writePriorSetting(bestDir, selectPriorWeight(devInsts, scores, devKeys, devName));
      await writeFileAtomic(join(runDir, "best.json"), JSON.stringify(best));
    }
    return { dev_f1: s.f1, eval_mlm_loss: mlm };
  };
  const hooks = {
    next,
    loss: (b: Awaited<ReturnType<typeof next>>, seed: number) => {
      const { loss, hidden } = glossLoss(model, b, { training: true, seed });
      if (!b.mlm) return loss;
      const mlm = sparseCrossEntropy(
        model.mlmLogits(hidden, tf.tensor1d(b.mlm.positions, "int32")),
        tf.tensor1d(b.mlm.labels, "int32"),
      );
      return tf.add(loss, tf.mul(mlm, cfg.mlmWeight)) as tf.Scalar;
    },
    dataState: () => ({ cursor, mask: maskRng.state }),
    restoreData: (s: unknown) => {
      const st = s as { cursor: number; mask: number };
      cursor = st.cursor;
      maskRng.restore(st.mask);
    },
    evaluate,
    count: (b: PairBatch) => ({ tokens: b.B * b.T }),
  };
  const r = await train(
    model,
    runDir,
    {
      steps,
      lr: cfg.lr,
      warmupSteps: Math.round(cfg.warmup * steps),
      weightDecay: 0.01,
      clipNorm: 1,
      accumSteps: 1,
      seed: cfg.seed,
      saveEvery: Math.max(1, Math.min(evalEvery, 500)),
      logEvery: 10,
      evalEvery,
    },
    hooks,
    {
      vocab: ck.vocab,
      resume: opts.resume,
      progress: opts.progress,
      meta: { kind, pairPooling: pooling },
    },
  );
  const interrupted = r.interrupted;
  if (!interrupted && r.step % evalEvery !== 0) await evaluate(r.step);
  if (best.f1 < 0) await evaluate(steps);
  const bestCk = await loadCheckpoint(bestDir);
  const bestModel = BertModel.fromWeights(bestCk.config, bestCk.weights);
  const after = bestModel.parameterCount();
  const mlmAfter = (await mlmHeldoutLoss(bestModel, heldout)).loss;
  // Written with the best checkpoint; a best/ left by an older version has none yet.
  const prior = (await readPriorSetting(bestDir)) ??
    await tunePrior(bestModel, tok, { insts: devInsts, gold: devKeys, name: devName }, bestDir, {
      maxLength: cfg.maxLength,
      pooling,
    });
  bestModel.dispose();
  model.dispose();
  const result: LmgcResult = {
    config: cfg,
    best,
    parameters: { before, after },
    mlmLoss: { before: mlmBefore, after: mlmAfter },
    checkpoint: bestDir,
    prior,
    pairs: pairs.length,
    seconds: (performance.now() - t0) / 1000,
  };
  await writeFileAtomic(join(runDir, "result.json"), JSON.stringify(result, null, 2));
  if (interrupted) {
    throw new Deno.errors.Interrupted(`interrupted; continue with --resume (${runDir})`);
  }
  return result;
}
