/**
 * A BERT sequence classifier, Hugging Face `BertForSequenceClassification` style: a `classifier`
 * head (`classifier.weight` `[num_labels, H]`, `classifier.bias` `[num_labels]`) on the pooled
 * `[CLS]` output, with dropout before it; `num_labels = 1` is regression (mean squared error).
 * Fine-tuning runs through shared's training loop (`train()`: schedule, clipping, metrics log,
 * progress); the fine-tuned folder is a checkpoint folder whose `model.safetensors` also holds
 * the head, which `loadCheckpoint` hands back in `extra`.
 *
 * @module
 */
import { join } from "node:path";
import {
  type BertInputs,
  BertModel,
  latestCheckpoint,
  loadCheckpoint,
  resolveModelDir as sharedResolveModelDir,
  Rng,
  saveCheckpoint,
  sparseCrossEntropy,
  tfSeed,
  train,
  type TrainConfig,
  WordPieceTokenizer,
  writeAtomic,
  writeSafetensorsFile,
} from "@cohesive/shared";
import { tf } from "@cohesive/shared/tf";

/** One input of a classifier: a sentence or a sentence pair. */
export interface TextInput {
  /** First (or only) sentence. */
  a: string;
  /** Second sentence of a pair. */
  b?: string;
}

/** A labelled input. */
export interface LabelledInput extends TextInput {
  /** Class id, or the target value of a regression. */
  label: number;
}

/** A model folder without the head an operation needs; the message says what to do. */
export class MissingHeadError extends Error {
  /** Build the error from its one-line message. */
  constructor(message: string) {
    super(message);
    this.name = "MissingHeadError";
  }
}

/** Options of {@link SequenceClassifier.load}. */
export interface ClassifierLoadOptions {
  /** Classes (1: regression). */
  numLabels: number;
  /**
   * Require a trained `classifier` head of `numLabels` rows (evaluation without fine-tuning);
   * otherwise a missing head is created (truncated normal, σ = initializer_range; bias 0).
   */
  requireHead?: boolean;
  /** Seed of the new head and of any missing BERT head. Default 0. */
  seed?: number;
}

/** Hugging Face names of the head's tensors. */
export const CLASSIFIER_WEIGHT = "classifier.weight";
/** Hugging Face names of the head's tensors. */
export const CLASSIFIER_BIAS = "classifier.bias";

/** A run folder resolves to its `best/` or newest checkpoint; a checkpoint folder is itself. */
export const resolveModelDir: (spec: string) => Promise<string> = sharedResolveModelDir;

/** A BERT encoder with a sequence classification (or regression) head. */
export class SequenceClassifier {
  /** The encoder (with its pooler). */
  private readonly bert: BertModel;
  /** `classifier.weight` and `classifier.bias`. */
  private readonly head: Map<string, tf.Variable>;
  /** Classes; 1 for regression. */
  readonly numLabels: number;
  /** The model's tokenizer (its `vocab.txt`). */
  private readonly tokenizer: WordPieceTokenizer;
  /** The checkpoint folder it was read from. */
  readonly source: string;
  /** The `cohesive` block of the folder's config (task, seed, ...). */
  readonly meta: Record<string, unknown>;
  /** Whether the folder already held a classifier head. */
  readonly hadHead: boolean;
  /** BERT heads the folder lacked (initialised randomly), e.g. `bert.pooler`. */
  readonly missingHeads: string[];

  private constructor(
    init: {
      bert: BertModel;
      head: Map<string, tf.Variable>;
      numLabels: number;
      tokenizer: WordPieceTokenizer;
      source: string;
      meta: Record<string, unknown>;
      hadHead: boolean;
      missingHeads: string[];
    },
  ) {
    this.bert = init.bert;
    this.head = init.head;
    this.numLabels = init.numLabels;
    this.tokenizer = init.tokenizer;
    this.source = init.source;
    this.meta = init.meta;
    this.hadHead = init.hadHead;
    this.missingHeads = init.missingHeads;
  }

  /**
   * Load a checkpoint or run folder as a classifier.
   *
   * @throws {CheckpointError} for an unreadable folder (one line naming the file).
   * @throws {MissingHeadError} when `requireHead` is set and the folder has no classifier head
   *   (or one of another size, or no pooler), or when the folder has no vocab.txt.
   */
  static async load(spec: string, opts: ClassifierLoadOptions): Promise<SequenceClassifier> {
    const dir = await resolveModelDir(spec);
    const ck = await loadCheckpoint(dir, { onWarning: () => {} });
    if (!ck.vocab) {
      throw new MissingHeadError(`${dir}: no vocab.txt (the tokenizer's vocabulary is needed)`);
    }
    const w = ck.extra.get(CLASSIFIER_WEIGHT), b = ck.extra.get(CLASSIFIER_BIAS);
    const H = ck.config.hidden_size, L = opts.numLabels;
    if (opts.requireHead) checkHead(spec, dir, ck, L);
    const seed = opts.seed ?? 0;
    const bert = BertModel.fromWeights(ck.config, ck.weights, seed);
    const useHead = w && b && w.shape.join() === `${L},${H}` && b.shape.join() === `${L}`;
    const head = new Map<string, tf.Variable>();
    const uid = `clf${nextId++}`;
    head.set(
      CLASSIFIER_WEIGHT,
      tf.variable(
        useHead ? tf.tensor2d(w.data as Float32Array, [L, H]) : tf.truncatedNormal(
          [L, H],
          0,
          ck.config.initializer_range,
          "float32",
          tfSeed(seed + 17),
        ),
        true,
        `${uid}/${CLASSIFIER_WEIGHT}`,
      ),
    );
    head.set(
      CLASSIFIER_BIAS,
      tf.variable(
        useHead ? tf.tensor1d(b.data as Float32Array) : tf.zeros([L]),
        true,
        `${uid}/${CLASSIFIER_BIAS}`,
      ),
    );
    return new SequenceClassifier({
      bert,
      head,
      numLabels: L,
      tokenizer: WordPieceTokenizer.fromVocab(ck.vocab),
      source: dir,
      meta: ck.meta,
      hadHead: Boolean(useHead),
      missingHeads: ck.missingHeads,
    });
  }

  /** Width of the encoder's hidden states (and of {@link SequenceClassifier.embed}'s vectors). */
  get hiddenSize(): number {
    return this.bert.config.hidden_size;
  }

  /** Longest input the position embeddings allow. */
  get maxPositions(): number {
    return this.bert.config.max_position_embeddings;
  }

  /** Tokenize a batch into model inputs (padded to the longest row, at most `maxLength`). */
  private encode(batch: readonly TextInput[], maxLength: number): BertInputs {
    const enc = this.tokenizer.encodeBatch(
      batch.map((x) => (x.b === undefined ? x.a : [x.a, x.b] as const)),
      { maxLength: Math.min(maxLength, this.maxPositions), padding: "longest" },
    );
    return {
      inputIds: tf.tensor2d(enc.ids, enc.shape, "int32"),
      tokenTypeIds: tf.tensor2d(enc.typeIds, enc.shape, "int32"),
      attentionMask: tf.tensor2d(enc.attentionMask, enc.shape, "int32"),
    };
  }

  /** Logits `[B, num_labels]` (call inside `tf.tidy` or a gradient function). */
  private logits(
    inputs: BertInputs,
    opts: { training?: boolean; seed?: number } = {},
  ): tf.Tensor2D {
    const hidden = this.bert.forward(inputs, opts); // [B, T, H]
    let pooled = this.bert.pooled(hidden); // [B, H]
    const rate = this.bert.config.hidden_dropout_prob;
    if (opts.training && rate > 0) {
      pooled = tf.dropout(
        pooled,
        rate,
        undefined,
        tfSeed(((opts.seed ?? 0) * 31 + 7) >>> 0),
      ) as tf.Tensor2D;
    }
    return tf.add(
      tf.matMul(pooled, this.head.get(CLASSIFIER_WEIGHT)!, false, true),
      this.head.get(CLASSIFIER_BIAS)!,
    ); // [B, L]
  }

  /** Cross-entropy over the classes, or mean squared error for regression. */
  private loss(logits: tf.Tensor2D, labels: readonly number[]): tf.Scalar {
    if (this.numLabels === 1) {
      const y = tf.tensor2d(labels as number[], [labels.length, 1], "float32");
      return tf.mean(tf.square(tf.sub(logits, y))) as tf.Scalar;
    }
    return sparseCrossEntropy(logits, tf.tensor1d(labels as number[], "int32"));
  }

  /** Logits of every input, in order (rows of `num_labels` numbers). */
  async predict(
    inputs: readonly TextInput[],
    opts: { batchSize?: number; maxLength?: number } = {},
  ): Promise<number[][]> {
    const bs = opts.batchSize ?? 64, maxLength = opts.maxLength ?? 128;
    const out: number[][] = [];
    // Sort by length so each batch pads little; results go back to input order.
    const order = inputs.map((x, i) => [i, x.a.length + (x.b?.length ?? 0)] as const)
      .sort((p, q) => p[1] - q[1]).map(([i]) => i);
    for (let s = 0; s < order.length; s += bs) {
      const idx = order.slice(s, s + bs);
      const logits = tf.tidy(() => this.logits(this.encode(idx.map((i) => inputs[i]), maxLength)));
      const data = (await logits.data()) as Float32Array;
      logits.dispose();
      idx.forEach((i, r) => {
        out[i] = Array.from(data.subarray(r * this.numLabels, (r + 1) * this.numLabels));
      });
    }
    return out;
  }

  /**
   * Sentence embeddings: the mean of the last hidden states over the real tokens of each text
   * (no head involved), in input order.
   */
  async embed(
    texts: readonly string[],
    opts: { batchSize?: number; maxLength?: number } = {},
  ): Promise<Float32Array[]> {
    const bs = opts.batchSize ?? 64, maxLength = opts.maxLength ?? 128;
    const H = this.bert.config.hidden_size;
    const out: Float32Array[] = [];
    for (let s = 0; s < texts.length; s += bs) {
      const batch = texts.slice(s, s + bs).map((a) => ({ a }));
      const pooled = tf.tidy(() => {
        const inputs = this.encode(batch, maxLength);
        const h = this.bert.forward(inputs); // [B, T, H]
        const mask = tf.expandDims(tf.cast(inputs.attentionMask!, "float32"), -1); // [B, T, 1]
        return tf.div(tf.sum(tf.mul(h, mask), 1), tf.sum(mask, 1)); // [B, H]
      });
      const data = (await pooled.data()) as Float32Array;
      pooled.dispose();
      for (let r = 0; r < batch.length; r++) out.push(data.slice(r * H, (r + 1) * H));
    }
    return out;
  }

  /** The training loss of one batch (inside `train()`'s gradient tape). */
  private trainingLoss(
    batch: readonly LabelledInput[],
    maxLength: number,
    seed: number,
  ): tf.Scalar {
    const logits = this.logits(this.encode(batch, maxLength), { training: true, seed });
    return this.loss(logits, batch.map((x) => x.label));
  }

  /**
   * The model as `train()` sees it: its parameters are the encoder's plus the head (so the
   * optimizer updates both), while `weights()` stays the encoder's, the set `saveCheckpoint`
   * accepts in the run's intermediate checkpoints. The full model is written by {@link save}.
   */
  private trainable(): BertModel {
    // Object.create keeps BertModel's prototype (and so its type) while shadowing two members.
    const view: BertModel = Object.create(this.bert);
    Object.defineProperty(view, "params", { value: new Map([...this.bert.params, ...this.head]) });
    Object.defineProperty(view, "weights", { value: () => this.bert.weights() });
    return view;
  }

  /** Save as a checkpoint folder with the head in `model.safetensors` (atomic folder write). */
  async save(dir: string, meta: Record<string, unknown> = {}): Promise<void> {
    const weights = await this.bert.weights();
    await saveCheckpoint(dir, {
      config: this.bert.config,
      weights,
      vocab: [...this.tokenizer.vocab],
      meta: { ...meta, num_labels: this.numLabels, head: "classifier" },
    });
    // saveCheckpoint writes BertForPreTraining tensors only: rewrite the weights file with the
    // head added, atomically.
    const all = new Map(weights);
    for (const [name, v] of this.head) {
      all.set(name, { shape: [...v.shape], data: (await v.data()) as Float32Array });
    }
    await writeAtomic(
      join(dir, "model.safetensors"),
      (tmp) => writeSafetensorsFile(tmp, all, { format: "pt" }),
    );
  }

  /**
   * Fine-tune on `examples` into the run folder `runDir` (`metrics.jsonl`; `train()`'s
   * intermediate checkpoint, which lacks the head and cannot resume it, is removed at the end:
   * save the model with {@link SequenceClassifier.save}).
   */
  async fineTune(
    examples: readonly LabelledInput[],
    runDir: string,
    cfg: FineTuneConfig,
    opts: FineTuneOptions = {},
  ): Promise<FineTuneResult> {
    if (examples.length === 0) throw new RangeError("no training examples");
    const t0 = performance.now();
    const perEpoch = Math.ceil(examples.length / cfg.batchSize);
    const steps = Math.max(1, Math.round(perEpoch * cfg.epochs));
    let epoch = 0, pos = 0;
    let order: number[] = [];
    const shuffle = () => {
      // A fresh seeded permutation per epoch.
      order = new Rng((cfg.seed * 1_000_003 + epoch * 7919 + 1) >>> 0).shuffle(
        examples.map((_, i) => i),
      );
    };
    shuffle();
    const tcfg: TrainConfig = {
      steps,
      lr: cfg.lr,
      warmupSteps: Math.round(cfg.warmup * steps),
      weightDecay: cfg.weightDecay,
      clipNorm: 1,
      accumSteps: 1,
      seed: cfg.seed,
      saveEvery: 0,
      logEvery: Math.max(1, Math.min(50, Math.floor(steps / 10))),
      evalEvery: cfg.evalEvery,
    };
    const result = await train<LabelledInput[]>(
      this.trainable(),
      runDir,
      tcfg,
      {
        next: () => {
          if (pos >= order.length) {
            epoch++;
            pos = 0;
            shuffle();
          }
          const batch = order.slice(pos, pos + cfg.batchSize).map((i) => examples[i]);
          pos += cfg.batchSize;
          return Promise.resolve(batch);
        },
        loss: (batch, seed) => this.trainingLoss(batch, cfg.maxLength, seed),
        dataState: () => ({ epoch, pos }),
        restoreData: (s) => {
          ({ epoch, pos } = s as { epoch: number; pos: number });
          shuffle();
        },
        evaluate: opts.evaluate,
        count: (batch) => ({ examples: batch.length }),
      },
      { vocab: [...this.tokenizer.vocab], progress: opts.progress, meta: opts.meta, keep: 1 },
    );
    // The run's checkpoint lacks the head (and cannot resume it): the caller saves the model.
    const last = await latestCheckpoint(runDir);
    if (last) await Deno.remove(last, { recursive: true });
    await Deno.remove(join(runDir, "latest.json")).catch(() => {});
    return { ...result, seconds: (performance.now() - t0) / 1000 };
  }

  /** Free every tensor. */
  dispose(): void {
    this.bert.dispose();
    for (const v of this.head.values()) v.dispose();
    this.head.clear();
  }
}

let nextId = 0;

function checkHead(
  spec: string,
  dir: string,
  ck: Awaited<ReturnType<typeof loadCheckpoint>>,
  L: number,
): void {
  const w = ck.extra.get(CLASSIFIER_WEIGHT), b = ck.extra.get(CLASSIFIER_BIAS);
  const H = ck.config.hidden_size;
  if (!w || !b) {
    throw new MissingHeadError(
      `${dir}: no classifier head (${CLASSIFIER_WEIGHT}, ${CLASSIFIER_BIAS}); fine-tune the ` +
        `model first (deno task eval nlu --model ${spec} --task TASK)`,
    );
  }
  if (w.shape.join() !== `${L},${H}` || b.shape.join() !== `${L}`) {
    throw new MissingHeadError(
      `${dir}: classifier head has shape [${w.shape}], the task needs [${L},${H}]`,
    );
  }
  if (ck.missingHeads.includes("bert.pooler")) {
    throw new MissingHeadError(`${dir}: classifier head without a pooler (bert.pooler.dense)`);
  }
}

/**
 * Check, without building a model, that a folder holds a classifier head of `numLabels` rows
 * (and a pooler); returns the checkpoint folder and its `cohesive` meta.
 *
 * @throws {MissingHeadError} naming the folder and what to do.
 * @throws {CheckpointError} for an unreadable folder.
 */
export async function requireClassifierHead(
  spec: string,
  numLabels: number,
): Promise<{ dir: string; meta: Record<string, unknown> }> {
  const dir = await resolveModelDir(spec);
  const ck = await loadCheckpoint(dir, { onWarning: () => {} });
  checkHead(spec, dir, ck, numLabels);
  return { dir, meta: ck.meta };
}

/** Settings of {@link fineTune}. */
export interface FineTuneConfig {
  /** Passes over the training examples. */
  epochs: number;
  /** Examples per update. */
  batchSize: number;
  /** Peak learning rate (linear warm-up over `warmup` of the steps, then linear decay). */
  lr: number;
  /** Fraction of the steps spent warming up. */
  warmup: number;
  /** AdamW weight decay. */
  weightDecay: number;
  /** Longest input in tokens. */
  maxLength: number;
  /** Seed of shuffling and dropout. */
  seed: number;
  /** Evaluate every this many updates (0: only at the end, by the caller). */
  evalEvery: number;
}

/** Defaults of {@link FineTuneConfig}: BERT's GLUE recipe, shortened. */
export const DEFAULT_FINE_TUNE: Readonly<FineTuneConfig> = Object.freeze({
  epochs: 3, // BERT's GLUE recipe
  batchSize: 32, // BERT's GLUE recipe
  lr: 1e-4, // small models take a higher rate than BERT-base's 2e-5
  warmup: 0.1, // 10 % of the steps
  weightDecay: 0.01, // BERT's
  maxLength: 128, // GLUE's usual
  seed: 0,
  evalEvery: 0,
});

/** Options of {@link fineTune}. */
export interface FineTuneOptions {
  /** Dev metrics during training (logged in `metrics.jsonl`). */
  evaluate?: (step: number) => Promise<Record<string, number>>;
  /** Show a progress bar (default true). */
  progress?: boolean;
  /** Extra checkpoint metadata. */
  meta?: Record<string, unknown>;
}

/** What {@link fineTune} returns. */
export interface FineTuneResult {
  /** Updates run. */
  step: number;
  /** Whether the run was interrupted. */
  interrupted: boolean;
  /** Training loss of each update. */
  losses: number[];
  /** Wall seconds. */
  seconds: number;
}

/** Fine-tune `clf` on `examples` ({@link SequenceClassifier.fineTune}). */
export async function fineTune(
  clf: SequenceClassifier,
  examples: readonly LabelledInput[],
  runDir: string,
  cfg: FineTuneConfig,
  opts: FineTuneOptions = {},
): Promise<FineTuneResult> {
  return await clf.fineTune(examples, runDir, cfg, opts);
}
