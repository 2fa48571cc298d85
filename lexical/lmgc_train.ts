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
  type BertConfig,
  BertModel,
  dataDir,
  defaultTextCorpus,
  fixedBatches,
  initRuntime,
  latestCheckpoint,
  loadCheckpoint,
  type LoadedCheckpoint,
  maskRows,
  type MlmBatch,
  mlmHeldoutLoss,
  MlmStream,
  Progress,
  requireOneOf,
  resolveBertConfig,
  resolveRunConfig,
  resolveStrict,
  Rng,
  saveCheckpoint,
  sparseCrossEntropy,
  train,
  type TrainConfig,
  WordPieceTokenizer,
  writeFileAtomic,
} from "@cohesive/shared";
import { tf } from "@cohesive/shared/tf";
import { readKeys, readRaganatoXml, type WsdCorpus, type WsdKeys } from "./raganato.ts";
import { wordnetExamples } from "./wordnet_examples.ts";
import { WordNet } from "./wordnet.ts";
import {
  encodePairs,
  type InstancePairs,
  instancePairs,
  NEGATIVE_SAMPLINGS,
  type NegativeSampling,
  PAIR_POOLINGS,
  type PairBatch,
  type PairPooling,
  pairPoolingOf,
  type PairRef,
  predictSenses,
  trainingPairs,
} from "./lmgc.ts";
import { scoreKeys } from "./scorer.ts";
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

/** Resolve strictly: unknown keys and wrong types are errors. */
export function resolveLmgcRun(
  partial: Record<string, unknown>,
  source = "run config",
): LmgcRunConfig {
  const r = resolveStrict(DEFAULT_LMGC_RUN, partial, source);
  requireOneOf(source, "pooling", r.pooling, ["", ...PAIR_POOLINGS]);
  if (!(r.dropout === -1 || (r.dropout >= 0 && r.dropout < 1))) {
    throw new RangeError(
      `${source}: "dropout" must be in [0, 1), or -1 (the model's), got ${r.dropout}`,
    );
  }
  requireOneOf(source, "negativeSampling", r.negativeSampling, NEGATIVE_SAMPLINGS);
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
  if (which === "text") return defaultTextCorpus();
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
  const cfg = await resolveRunConfig(runDir, partial, opts.resume, resolveLmgcRun);
  // Inputs first; the run folder only once everything reads.
  const inputs = await lmgcInputs(cfg, opts.backend, opts.progress);
  const { ck, pairs, pooling, heldout } = inputs;
  const model = BertModel.fromWeights(modelConfigOf(cfg, ck.config), ck.weights, cfg.seed);
  const before = model.parameterCount();
  const mlmBefore = (await mlmHeldoutLoss(model, heldout)).loss;
  await Deno.mkdir(runDir, { recursive: true });
  const kind = cfg.mlm ? "lmgc-m" : "lmgc";
  if (!opts.resume) {
    await writeFileAtomic(
      join(runDir, "run.json"),
      JSON.stringify({ kind, config: cfg, start: inputs.startDir }, null, 2),
    );
  }
  const perEpoch = Math.ceil(pairs.length / cfg.batchSize);
  const steps = perEpoch * cfg.epochs;
  const evalEvery = cfg.evalEvery > 0 ? cfg.evalEvery : perEpoch;
  const data = new PairData(cfg, inputs, perEpoch);
  const dev = await DevSelection.open(runDir, model, inputs, cfg, opts.progress);
  const hooks = {
    next: () => Promise.resolve(data.next()),
    loss: (b: LmgcBatch, seed: number) => lmgcLoss(model, b, cfg.mlmWeight, seed),
    dataState: () => data.state(),
    restoreData: (s: unknown) => data.restore(s),
    evaluate: (step: number) => dev.evaluate(step, kind),
    count: (b: PairBatch) => ({ tokens: b.B * b.T }),
  };
  const r = await train(model, runDir, lmgcTrainConfig(cfg, steps, evalEvery), hooks, {
    vocab: ck.vocab,
    resume: opts.resume,
    progress: opts.progress,
    meta: { kind, pairPooling: pooling },
  });
  if (!r.interrupted && r.step % evalEvery !== 0) await dev.evaluate(r.step, kind);
  if (dev.best.f1 < 0) await dev.evaluate(steps, kind);
  const after = await dev.bestModelFacts(inputs, cfg);
  model.dispose();
  const result: LmgcResult = {
    config: cfg,
    best: dev.best,
    parameters: { before, after: after.parameters },
    mlmLoss: { before: mlmBefore, after: after.mlmLoss },
    checkpoint: dev.bestDir,
    prior: after.prior,
    pairs: pairs.length,
    seconds: (performance.now() - t0) / 1000,
  };
  await writeFileAtomic(join(runDir, "result.json"), JSON.stringify(result, null, 2));
  if (r.interrupted) {
    throw new Deno.errors.Interrupted(`interrupted; continue with --resume (${runDir})`);
  }
  return result;
}

/** Everything a run reads before it starts: the starting model, the pairs, the selection set. */
interface LmgcInputs {
  /** The checkpoint folder the run starts from. */
  startDir: string;
  ck: LoadedCheckpoint & { vocab: string[] };
  tok: WordPieceTokenizer;
  pooling: PairPooling;
  wn: WordNet;
  /** Training instances and their pairs. */
  insts: InstancePairs[];
  pairs: PairRef[];
  /** The selection set: instances, gold keys, name. */
  devInsts: InstancePairs[];
  devKeys: WsdKeys;
  devName: string;
  /** Fixed held-out batches of the MLM text. */
  heldout: MlmBatch[];
}

async function lmgcInputs(
  cfg: LmgcRunConfig,
  backend: string | undefined,
  progress: boolean | undefined,
): Promise<LmgcInputs> {
  // Without a data folder the defaults are WordNet's own examples and text (the quick start).
  const trainXml = cfg.train || defaultCorpus("train");
  const devXml = cfg.dev || defaultCorpus("dev");
  if (trainXml === "wordnet" && cfg.examples !== 0) {
    throw new RangeError(
      `"examples" adds WordNet's examples to another corpus; train is them already`,
    );
  }
  await initRuntime({ backend, quiet: progress === false });
  const startDir = (await latestCheckpoint(cfg.model)) ?? cfg.model;
  const ck = await loadCheckpoint(startDir);
  const pooling = cfg.pooling || pairPoolingOf(ck.meta, join(startDir, "config.json"));
  if (!ck.vocab) throw new RangeError(`${startDir}: no vocab.txt`);
  const tok = WordPieceTokenizer.fromVocab(ck.vocab);
  const wn = await WordNet.open(cfg.wordnet);
  const [train, dev] = await Promise.all([
    readLabelledCorpus(trainXml, wn, "train"),
    readLabelledCorpus(devXml, wn, "dev"),
  ]);
  if (cfg.maxLength > ck.config.max_position_embeddings) {
    throw new RangeError(
      `maxLength ${cfg.maxLength} exceeds the model's max_position_embeddings ${ck.config.max_position_embeddings}`,
    );
  }
  const insts = await trainingInstances(cfg, wn, train);
  const devInsts = instancePairs(dev.corpus, wn, undefined, { allPos: cfg.allPos });
  const negatives = cfg.negatives < 0 ? undefined : cfg.negatives;
  const pairs = trainingPairs(insts, new Rng(cfg.seed + 17), negatives, cfg.negativeSampling);
  if (pairs.length === 0) {
    throw new RangeError(`${trainXml}: no training pairs (no gold sense among the candidates)`);
  }
  const heldout = await mlmHeldout(cfg.mlmText || defaultCorpus("text"), tok, ck.config);
  const vck = ck as LmgcInputs["ck"];
  return {
    startDir,
    ck: vck,
    tok,
    pooling,
    wn,
    insts,
    pairs,
    devKeys: dev.keys,
    devName: dev.name,
    devInsts,
    heldout,
  };
}

/** The training instances: the corpus (or a seeded sample of it) and WordNet's examples if asked. */
async function trainingInstances(
  cfg: LmgcRunConfig,
  wn: WordNet,
  train: LabelledCorpus,
): Promise<InstancePairs[]> {
  let insts = instancePairs(train.corpus, wn, train.keys, { allPos: cfg.allPos });
  if (cfg.maxInstances > 0 && cfg.maxInstances < insts.length) {
    // A seeded sample across the whole corpus (SemCor's first documents alone are one genre).
    insts = new Rng(cfg.seed + 41).shuffle(insts).slice(0, cfg.maxInstances);
  }
  if (cfg.examples === 0) return insts;
  const ex = await wordnetExamples(wn, { split: "train" });
  let extra = instancePairs(ex.corpus, wn, ex.keys, { allPos: cfg.allPos })
    .filter((p) => p.candidates.length > 1);
  if (cfg.examples > 0) extra = new Rng(cfg.seed + 43).shuffle(extra).slice(0, cfg.examples);
  return insts.concat(extra);
}

/** Fixed held-out batches of the MLM text (`wordnet` or a folder), for the MLM loss check. */
async function mlmHeldout(
  text: string,
  tok: WordPieceTokenizer,
  config: BertConfig,
): Promise<MlmBatch[]> {
  const mlmLen = Math.min(128, config.max_position_embeddings);
  const stream = text === "wordnet"
    ? MlmStream.fromLines(await wordnetLines(), tok, mlmLen)
    : await MlmStream.fromPath(text, tok, mlmLen);
  return await fixedBatches(stream.only("heldout", 2), 8, 16, 1234);
}

/** The starting model's config with the run's dropout (the model's own when `dropout` < 0). */
function modelConfigOf(cfg: LmgcRunConfig, start: BertConfig): BertConfig {
  return resolveBertConfig({
    ...start,
    ...(cfg.dropout < 0 ? {} : {
      hidden_dropout_prob: cfg.dropout,
      attention_probs_dropout_prob: cfg.dropout > 0 ? 0.1 : 0,
    }),
  });
}

/** The shared trainer's settings of an LMGC run. */
function lmgcTrainConfig(cfg: LmgcRunConfig, steps: number, evalEvery: number): TrainConfig {
  return {
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
  };
}

/** A batch of pairs, with the masked positions of LMGC-M. */
type LmgcBatch = PairBatch & { mlm?: { positions: Int32Array; labels: Int32Array } };

/** The pairs in batches, epoch after epoch; for LMGC-M each pair masked with BERT's rule. */
class PairData {
  #cursor = 0;
  readonly #maskRng: Rng;

  constructor(
    private readonly cfg: LmgcRunConfig,
    private readonly inputs: LmgcInputs,
    private readonly perEpoch: number,
  ) {
    this.#maskRng = new Rng(cfg.seed + 29);
  }

  next(): LmgcBatch {
    const { cfg, inputs: { insts, pairs, tok, pooling } } = this;
    const start = (this.#cursor % this.perEpoch) * cfg.batchSize;
    const chunk = pairs.slice(start, start + cfg.batchSize);
    this.#cursor++;
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
    return cfg.mlm ? this.#masked(b) : b;
  }

  /**
   * The pair (both segments) masked with BERT's 80/10/10 rule; the gloss head sees the same
   * masked input, as BERT's pre-training computes MLM and NSP from one pass.
   */
  #masked(b: PairBatch): LmgcBatch {
    const rows: number[][] = [];
    for (let r = 0; r < b.B; r++) {
      const row = Array.from(b.ids.subarray(r * b.T, (r + 1) * b.T));
      const len = b.mask.subarray(r * b.T, (r + 1) * b.T).reduce((a, x) => a + x, 0);
      rows.push(row.slice(0, len));
    }
    const m = maskRows(rows, b.T, this.inputs.tok, this.#maskRng);
    return { ...b, ids: m.inputIds, mlm: { positions: m.positions, labels: m.labels } };
  }

  state(): unknown {
    return { cursor: this.#cursor, mask: this.#maskRng.state };
  }

  restore(s: unknown): void {
    const st = s as { cursor: number; mask: number };
    this.#cursor = st.cursor;
    this.#maskRng.restore(st.mask);
  }
}

/** The gloss loss, plus the weighted MLM loss of LMGC-M, of one batch. */
function lmgcLoss(model: BertModel, b: LmgcBatch, mlmWeight: number, seed: number): tf.Scalar {
  const { loss, hidden } = glossLoss(model, b, { training: true, seed });
  if (!b.mlm) return loss;
  const mlm = sparseCrossEntropy(
    model.mlmLogits(hidden, tf.tensor1d(b.mlm.positions, "int32")),
    tf.tensor1d(b.mlm.labels, "int32"),
  );
  return tf.add(loss, tf.mul(mlm, mlmWeight)) as tf.Scalar;
}

/**
 * Selection on the dev set: each evaluation scores dev F1 (and the held-out MLM loss), and the
 * best checkpoint so far is kept in `best/` with its sense-prior weight (`best.json` records it,
 * so a resumed run continues the comparison).
 */
class DevSelection {
  best: { f1: number; step: number };
  readonly bestDir: string;

  private constructor(
    private readonly runDir: string,
    private readonly model: BertModel,
    private readonly inputs: LmgcInputs,
    private readonly cfg: LmgcRunConfig,
    private readonly progress: boolean | undefined,
    best: { f1: number; step: number },
  ) {
    this.best = best;
    this.bestDir = join(runDir, "best");
  }

  static async open(
    runDir: string,
    model: BertModel,
    inputs: LmgcInputs,
    cfg: LmgcRunConfig,
    progress: boolean | undefined,
  ): Promise<DevSelection> {
    let best = { f1: -1, step: 0 };
    try {
      best = JSON.parse(await Deno.readTextFile(join(runDir, "best.json")));
    } catch { /* first run */ }
    return new DevSelection(runDir, model, inputs, cfg, progress, best);
  }

  async evaluate(step: number, kind: string): Promise<Record<string, number>> {
    const { devInsts, devKeys, devName, tok, pooling, heldout, ck } = this.inputs;
    const bar = this.progress === false ? undefined : new Progress("dev", devInsts.length);
    const { scores } = await predictSenses(this.model, tok, devInsts, {
      maxLength: this.cfg.maxLength,
      pooling,
    });
    bar?.tick(devInsts.length);
    const s = scoreKeys(devKeys, keysWithPrior(devInsts, scores, 0));
    const mlm = (await mlmHeldoutLoss(this.model, heldout)).loss;
    if (s.f1 > this.best.f1) {
      this.best = { f1: s.f1, step };
      await saveCheckpoint(this.bestDir, {
        config: this.model.config,
        weights: await this.model.weights(),
        vocab: ck.vocab,
        meta: { kind, pairPooling: pooling, step, dev_f1: s.f1 },
      });
      // The sense-prior weight of this checkpoint, from the same selection-set scores.
      await writePriorSetting(this.bestDir, selectPriorWeight(devInsts, scores, devKeys, devName));
      await writeFileAtomic(join(this.runDir, "best.json"), JSON.stringify(this.best));
    }
    return { dev_f1: s.f1, eval_mlm_loss: mlm };
  }

  /** The best checkpoint's parameter count, held-out MLM loss and sense-prior setting. */
  async bestModelFacts(
    inputs: LmgcInputs,
    cfg: LmgcRunConfig,
  ): Promise<{ parameters: number; mlmLoss: number; prior: PriorSetting }> {
    const bestCk = await loadCheckpoint(this.bestDir);
    const bestModel = BertModel.fromWeights(bestCk.config, bestCk.weights);
    const parameters = bestModel.parameterCount();
    const mlmLoss = (await mlmHeldoutLoss(bestModel, inputs.heldout)).loss;
    // Written with the best checkpoint; a best/ left by an older version has none yet.
    const dev = { insts: inputs.devInsts, gold: inputs.devKeys, name: inputs.devName };
    const prior = (await readPriorSetting(this.bestDir)) ??
      await tunePrior(bestModel, inputs.tok, dev, this.bestDir, {
        maxLength: cfg.maxLength,
        pooling: inputs.pooling,
      });
    bestModel.dispose();
    return { parameters, mlmLoss, prior };
  }
}
