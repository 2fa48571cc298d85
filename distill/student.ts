/**
 * `distill train`: distil a student from K teachers. Per masked position the teachers' top-k
 * distributions are mixed with per-token weights (default: confidence on the gold token) and the
 * student learns `α_kd·T²·KL(q ‖ p_s(·/T)) + α_mlm·CE(y) (+ α_cos·(1 − cos(h_s, h_t)) when
 * hidden sizes match and teachers run live)`. Teachers run live, or their outputs come from a
 * cache made by `distill cache` (then the batches — data and masks — come from the cache too).
 *
 * @module
 */
import {
  batchTensors,
  type BertConfig,
  BertModel,
  heldoutEvaluator,
  type HostTensor,
  initRuntime,
  kdLossTopK,
  loadCheckpoint,
  type MlmBatch,
  type MlmStream,
  resolveRunConfig,
  resolveStrict,
  Rng,
  sparseCrossEntropy,
  train,
  type TrainResult,
} from "@cohesive/shared";
import { tf } from "@cohesive/shared/tf";
import { DEFAULT_MLM_RUN, type MlmRunConfig, resolveMlmRun } from "./run_config.ts";
import { trainConfigOf } from "./run_config.ts";
import { finishRun, heldoutBatches, modelConfigOf, writeRunFile } from "./run_folder.ts";
import { loadTokenizer, mlmTokenizer, openText } from "./text_source.ts";
import {
  assertSameVocab,
  loadTeachers,
  resolveCheckpointDir,
  type Teacher,
  teacherTopK,
} from "./teachers.ts";
import {
  mixTopK,
  type TeacherTopK,
  teacherWeights,
  type Weighting,
  WEIGHTINGS,
} from "./weighting.ts";
import { CacheReader } from "./cache.ts";

/** A distillation run: the MLM run fields plus the distillation ones. */
export interface DistillRunConfig extends MlmRunConfig {
  /** Teacher run or checkpoint folders (empty: plain MLM, no teacher). */
  teachers: string[];
  /** A teacher cache folder (`distill cache`); empty: teachers run live. */
  cache: string;
  /** Per-token teacher weighting. */
  weighting: Weighting;
  /** The teacher used by `single` (index into `teachers`). */
  single: number;
  /** Distillation temperature T. */
  temperature: number;
  /** Weight of the T²-scaled KL term (0: no distillation). */
  alphaKd: number;
  /** Weight of the MLM cross-entropy. */
  alphaMlm: number;
  /** Weight of the hidden-state cosine loss (live teachers of the student's width only). */
  alphaCos: number;
  /** Teacher probabilities kept per position (live mode; a cache has its own). */
  topk: number;
  /**
   * Keep each teacher's probability mass outside its top-k as an even tail (true), or renormalise
   * the top-k to 1 (false: what sparse-KD shortcuts do; wrong for flat teachers, see `mixTopK`).
   */
  topkTail: boolean;
  /** Student initialisation: `random` or `teacher` (every other layer of the first teacher of its width). */
  init: "random" | "teacher";
}

/** DistilBERT's recipe on a BERT-tiny student. */
export const DEFAULT_DISTILL_RUN: Readonly<DistillRunConfig> = Object.freeze({
  ...DEFAULT_MLM_RUN,
  teachers: [] as string[], // none: plain MLM
  cache: "", // teachers run live
  weighting: "confidence" as Weighting, // prediction weighting
  single: 0, // teacher index for `single`
  temperature: 2, // DistilBERT's T
  alphaKd: 5, // DistilBERT's α_ce (the KL term)
  alphaMlm: 2, // DistilBERT's α_mlm
  alphaCos: 1, // DistilBERT's α_cos
  topk: 64, // teacher probabilities kept per position
  topkTail: true, // the mass outside the top-k stays in the target
  init: "random" as const, // or "teacher"
});

/** Resolve a distillation config strictly (unknown keys are an error). */
export function resolveDistillRun(
  partial: Record<string, unknown>,
  source = "run config",
): DistillRunConfig {
  const mlm: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(partial)) if (k in DEFAULT_MLM_RUN) mlm[k] = v;
  const c = resolveStrict(DEFAULT_DISTILL_RUN, partial, source, { merge: ["model"] });
  Object.assign(c, resolveMlmRun(mlm, source));
  if (!WEIGHTINGS.includes(c.weighting)) {
    throw new RangeError(
      `${source}: unknown weighting "${c.weighting}" (use ${WEIGHTINGS.join(", ")})`,
    );
  }
  if (!["random", "teacher"].includes(c.init)) {
    throw new RangeError(`${source}: init must be random or teacher`);
  }
  if (!(c.temperature > 0)) throw new RangeError(`${source}: temperature must be > 0`);
  return c;
}

/**
 * Student weights taken from a teacher of the same width: embeddings, heads and layers
 * 0, 2, 4, … (DistilBERT's initialisation).
 *
 * @throws {RangeError} when the widths differ or the teacher has too few layers.
 */
export function weightsFromTeacher(
  student: BertConfig,
  teacher: BertConfig,
  w: Map<string, HostTensor>,
): Map<string, HostTensor> {
  for (
    const k of ["hidden_size", "intermediate_size", "num_attention_heads", "vocab_size"] as const
  ) {
    if (student[k] !== teacher[k]) {
      throw new RangeError(
        `cannot initialise the student from the teacher: ${k} ${student[k]} vs ${teacher[k]}`,
      );
    }
  }
  if (2 * (student.num_hidden_layers - 1) >= teacher.num_hidden_layers) {
    throw new RangeError(
      `cannot take every other layer: the student has ${student.num_hidden_layers} layers, ` +
        `the teacher ${teacher.num_hidden_layers}`,
    );
  }
  const out = new Map<string, HostTensor>();
  for (const [name, t] of w) {
    const m = /^bert\.encoder\.layer\.(\d+)\.(.*)$/.exec(name);
    if (!m) {
      if (name === "bert.embeddings.position_embeddings.weight") {
        const rows = student.max_position_embeddings;
        out.set(name, { shape: [rows, t.shape[1]], data: t.data.slice(0, rows * t.shape[1]) });
      } else out.set(name, t);
      continue;
    }
    const l = Number(m[1]);
    if (l % 2 === 0 && l / 2 < student.num_hidden_layers) {
      out.set(`bert.encoder.layer.${l / 2}.${m[2]}`, t);
    }
  }
  return out;
}

/** What {@link distillStudent} returns. */
export interface DistillResult extends TrainResult {
  /** Resolved config. */
  config: DistillRunConfig;
  /** Final held-out MLM loss and perplexity. */
  heldout: { loss: number; ppl: number }; // NaN when interrupted
  /** Final checkpoint folder. */
  checkpoint: string;
  /** Wall time (this process), seconds. */
  seconds: number;
}

/** Options of {@link distillStudent}. */
export interface DistillOptions {
  /** Continue the run in `runDir`. */
  resume?: boolean;
  /** tfjs backend. */
  backend?: string;
  /** Show progress. */
  progress?: boolean;
}

/** One micro-batch ready for the loss. */
interface Micro {
  batch: MlmBatch;
  /** Mixture ids, probabilities and labels, made outside the gradient tape. */
  target?: { ids: tf.Tensor2D; probs: tf.Tensor2D; labels: tf.Tensor1D; tail?: tf.Tensor1D };
  teacherHidden?: tf.Tensor3D;
}

/**
 * Distil a student into the run folder `runDir`.
 *
 * @throws {Deno.errors.AlreadyExists} when `runDir` already holds a run and `resume` is not set.
 */
export async function distillStudent(
  runDir: string,
  partial: Record<string, unknown>,
  opts: DistillOptions = {},
): Promise<DistillResult> {
  const t0 = performance.now();
  const withStudent = {
    ...partial,
    model: { ...DEFAULT_STUDENT, ...((partial.model as object | undefined) ?? {}) },
  };
  const cfg = await resolveRunConfig(runDir, withStudent, opts.resume, resolveDistillRun);
  // Validate every input before the run folder is created.
  const cache = cfg.cache ? await CacheReader.open(cfg.cache) : undefined;
  if (cache) checkCache(cfg, cache);
  const tok = await loadTokenizer(cfg.vocab);
  const useTeachers = cfg.alphaKd > 0 && cfg.teachers.length > 0;
  const runtime = await initRuntime({ backend: opts.backend, quiet: opts.progress === false });
  const teachers = useTeachers ? await checkedTeachers(cfg, tok.vocab, !cache) : [];
  const stream = cache
    ? undefined
    : (await openText(cfg.data, mlmTokenizer(tok), cfg.seqLen)).only("train", cfg.heldoutPercent);
  const heldout = await heldoutBatches(cfg, mlmTokenizer(tok));
  const modelCfg = modelConfigOf(cfg, tok.vocabSize);
  const student = await initStudent(cfg, modelCfg, teachers);
  await writeRunFile(runDir, opts.resume, {
    kind: "distill",
    config: cfg,
    model: modelCfg,
    backend: runtime.backend,
  });
  const data = new StudentData(cfg, student, teachers, useTeachers, cache, stream);
  const hooks = {
    next: () => data.next(),
    loss: (m: Micro, seed: number) => studentLoss(student, cfg, m, seed),
    dataState: () => data.state(),
    restoreData: (s: unknown) => data.restore(s),
    evaluate: heldoutEvaluator(student, heldout, { order: true }),
    count: (m: Micro) => ({ tokens: m.batch.B * m.batch.T }),
  };
  let result: TrainResult;
  try {
    result = await train(student, runDir, trainConfigOf(cfg), hooks, {
      vocab: [...tok.vocab],
      resume: opts.resume,
      progress: opts.progress,
      meta: { kind: "student", weighting: cfg.weighting, teachers: cfg.teachers, seed: cfg.seed },
    });
  } finally {
    data.dispose();
  }
  const done = await finishRun(student, runDir, heldout, t0, result.interrupted);
  for (const t of teachers) t.model.dispose();
  return { ...result, config: cfg, ...done };
}

/**
 * @throws {RangeError} when the cache was made with other settings than the run's, or holds too
 *   few batches; a run without teachers takes the cache's.
 */
function checkCache(cfg: DistillRunConfig, cache: CacheReader): void {
  const m = cache.manifest as unknown as Record<string, unknown>;
  const want = {
    batchSize: cfg.batchSize,
    seqLen: cfg.seqLen,
    seed: cfg.seed,
    data: cfg.data,
    vocab: cfg.vocab,
    temperature: cfg.temperature, // the cached probabilities are at the cache's T
  };
  for (const [k, v] of Object.entries(want)) {
    if (m[k] !== v) {
      throw new RangeError(
        `${cfg.cache}: the cache was made with ${k} ${JSON.stringify(m[k])}, this run has ${
          JSON.stringify(v)
        }`,
      );
    }
  }
  const needed = cfg.steps * cfg.accumSteps;
  if (cache.manifest.batches < needed) {
    throw new RangeError(
      `${cfg.cache}: holds ${cache.manifest.batches} micro-batches, the run needs ${needed}`,
    );
  }
  if (cfg.teachers.length === 0) cfg.teachers = cache.manifest.teachers;
}

/**
 * The live teachers (`load`; none when a cache stands in for them), each checked to share the
 * student's vocabulary, and the `single` index checked.
 */
async function checkedTeachers(
  cfg: DistillRunConfig,
  vocab: readonly string[],
  load: boolean,
): Promise<Teacher[]> {
  const name = `vocabulary ${cfg.vocab}`;
  const teachers = load ? await loadTeachers(cfg.teachers, { tokens: vocab, name }) : [];
  if (!load) {
    // The cache's teachers must still match the student's vocabulary.
    for (const t of cfg.teachers) {
      const ck = await loadCheckpoint(await resolveCheckpointDir(t));
      assertSameVocab(vocab, name, ck.vocab ?? [], `teacher ${t}`);
    }
  }
  if (cfg.weighting === "single" && !(cfg.single >= 0 && cfg.single < cfg.teachers.length)) {
    throw new RangeError(`single teacher index ${cfg.single} is out of range`);
  }
  return teachers;
}

/** A random student, or every other layer of the first teacher (`init: "teacher"`). */
async function initStudent(
  cfg: DistillRunConfig,
  modelCfg: BertConfig,
  teachers: Teacher[],
): Promise<BertModel> {
  if (cfg.init !== "teacher") return BertModel.create(modelCfg, cfg.seed);
  const src = teachers[0] ?? (await loadTeachers([cfg.teachers[0]]))[0];
  return BertModel.fromWeights(
    modelCfg,
    weightsFromTeacher(modelCfg, src.model.config, await src.model.weights()),
    cfg.seed,
  );
}

/**
 * The student's micro-batches: read from the cache or drawn from the stream and shown to the live
 * teachers, with the mixed top-k target (and the teachers' hidden states for the cosine loss)
 * made outside the gradient tape. The previous micro-batch's tensors are freed when the next one
 * is made.
 */
class StudentData {
  #cursor = 0; // micro-batches consumed (cache index)
  #live: tf.Tensor[] = [];
  readonly #rng: Rng;
  readonly #cosTeachers: Teacher[];

  constructor(
    private readonly cfg: DistillRunConfig,
    private readonly student: BertModel,
    private readonly teachers: Teacher[],
    private readonly useTeachers: boolean,
    private readonly cache: CacheReader | undefined,
    private readonly stream: MlmStream | undefined,
  ) {
    this.#rng = new Rng(cfg.seed);
    const width = student.config.hidden_size;
    this.#cosTeachers = teachers.filter((t) => t.model.config.hidden_size === width);
  }

  async next(): Promise<Micro> {
    this.dispose();
    const { batch, outs } = await this.#draw();
    this.#cursor++;
    const micro: Micro = { batch };
    if (!this.useTeachers) return micro;
    micro.target = this.#target(batch, outs);
    const t = micro.target;
    this.#live.push(t.ids, t.probs, t.labels, ...(t.tail ? [t.tail] : []));
    if (this.cfg.alphaCos > 0 && this.#cosTeachers.length > 0) {
      micro.teacherHidden = this.#teacherHidden(batch);
      this.#live.push(micro.teacherHidden);
    }
    return micro;
  }

  state(): unknown {
    return { cursor: this.#cursor, stream: this.stream?.state ?? null, rng: this.#rng.state };
  }

  restore(s: unknown): void {
    const st = s as { cursor: number; stream?: MlmStream["state"]; rng: number };
    this.#cursor = st.cursor;
    if (this.stream && st.stream) this.stream.restore(st.stream);
    this.#rng.restore(st.rng);
  }

  dispose(): void {
    tf.dispose(this.#live);
    this.#live = [];
  }

  async #draw(): Promise<{ batch: MlmBatch; outs: TeacherTopK[] }> {
    if (this.cache) {
      const c = await this.cache.get(this.#cursor);
      return { batch: c.batch, outs: c.teachers };
    }
    const cfg = this.cfg;
    const batch = await this.stream!.batch(cfg.batchSize, this.#rng, cfg.maskProb);
    const outs: TeacherTopK[] = [];
    if (this.useTeachers) {
      for (const t of this.teachers) {
        outs.push(await teacherTopK(t.model, batch, cfg.temperature, cfg.topk));
      }
    }
    return { batch, outs };
  }

  #target(batch: MlmBatch, outs: TeacherTopK[]): NonNullable<Micro["target"]> {
    const cfg = this.cfg;
    const mix = mixTopK(
      outs,
      teacherWeights(cfg.weighting, outs, cfg.single),
      cfg.topkTail ? this.student.config.vocab_size : undefined,
    );
    const N = batch.labels.length;
    return {
      ids: tf.tensor2d(mix.ids, [N, mix.width], "int32"),
      probs: tf.tensor2d(mix.probs, [N, mix.width], "float32"),
      labels: tf.tensor1d(batch.labels, "int32"),
      ...(mix.tail ? { tail: tf.tensor1d(mix.tail, "float32") } : {}),
    };
  }

  #teacherHidden(batch: MlmBatch): tf.Tensor3D {
    return tf.tidy(() => {
      const t = batchTensors(batch);
      const hs = this.#cosTeachers.map((c) =>
        c.model.forward({ inputIds: t.inputIds, attentionMask: t.attentionMask })
      );
      return (hs.length === 1 ? hs[0] : tf.div(tf.addN(hs), hs.length)) as tf.Tensor3D;
    });
  }
}

/** The student's loss on one micro-batch: KD + MLM (or MLM alone), plus the cosine term. */
function studentLoss(student: BertModel, cfg: DistillRunConfig, m: Micro, seed: number): tf.Scalar {
  const t = batchTensors(m.batch);
  const h = student.forward({ inputIds: t.inputIds, attentionMask: t.attentionMask }, {
    training: true,
    seed,
  });
  const logits = student.mlmLogits(h, t.positions);
  let l: tf.Scalar;
  if (m.target) {
    const { ids, probs, labels, tail } = m.target;
    l = kdLossTopK(logits, ids, probs, labels, cfg.temperature, cfg.alphaKd, cfg.alphaMlm, tail);
  } else l = tf.mul(sparseCrossEntropy(logits, t.labels), cfg.alphaMlm) as tf.Scalar;
  if (!m.teacherHidden) return l;
  // 1 − cos(h_s, h_t) averaged over real tokens.
  const mask = tf.cast(t.attentionMask, "float32"); // [B, T]
  const dot = tf.sum(tf.mul(h, m.teacherHidden), -1);
  const norms = tf.mul(tf.norm(h, "euclidean", -1), tf.norm(m.teacherHidden, "euclidean", -1));
  const cos = tf.div(dot, tf.add(norms, 1e-8)); // [B, T]
  const c = tf.div(tf.sum(tf.mul(tf.sub(1, cos), mask)), tf.sum(mask));
  return tf.add(l, tf.mul(c, cfg.alphaCos)) as tf.Scalar;
}

/** The default student: BERT-tiny (2 layers, hidden 128, 2 heads). */
export const DEFAULT_STUDENT: Readonly<Partial<BertConfig>> = Object.freeze({
  hidden_size: 128,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  intermediate_size: 512,
});
