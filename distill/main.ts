/**
 * `deno task distill <command>`: multi-teacher masked-LM distillation.
 *
 * @module
 */
import {
  BACKEND_FLAG,
  defaultTextCorpus,
  defineCommand,
  type FlagValues,
  type Program,
  runMain,
  UsageError,
} from "@cohesive/shared";
import { pretrainTeacher } from "./pretrain.ts";
import { distillStudent } from "./student.ts";
import { buildCache, parseShard } from "./cache.ts";
import { compare, DEFAULT_VARIANTS, type Variant } from "./compare.ts";
import { DEFAULT_MLM_RUN as D } from "./run_config.ts";
import { WEIGHTINGS } from "./weighting.ts";

/** Flags of every training run (teacher, train, compare); absent ones come from --config. */
const RUN_FLAGS = {
  out: {
    type: "string",
    arg: "DIR",
    required: true,
    help: "run folder (config, metrics, checkpoints)",
  },
  data: {
    type: "string",
    arg: "PATH",
    defaultText: "the data folder's corpus, else wordnet",
    help: "text folder or file (one line = one example), or wordnet (its embedded text)",
  },
  vocab: {
    type: "string",
    arg: "SPEC",
    defaultText: D.vocab,
    help: "bert-base-uncased, or a vocab.txt / tokenizer.json",
  },
  layers: { type: "int", min: 1, defaultText: "2", help: "transformer layers" },
  hidden: { type: "int", min: 1, defaultText: "128", help: "hidden size" },
  heads: { type: "int", min: 1, defaultText: "2", help: "attention heads" },
  intermediate: { type: "int", min: 1, defaultText: "4 x hidden", help: "feed-forward size" },
  steps: { type: "int", min: 1, defaultText: String(D.steps), help: "optimizer updates" },
  batch: { type: "int", min: 1, defaultText: String(D.batchSize), help: "rows per micro-batch" },
  seq: { type: "int", min: 8, defaultText: String(D.seqLen), help: "tokens per row" },
  lr: { type: "number", above: 0, defaultText: String(D.lr), help: "peak learning rate (AdamW)" },
  warmup: {
    type: "number",
    min: 0,
    max: 0.99,
    defaultText: String(D.warmup),
    help: "warm-up share of the steps, then linear decay to 0",
  },
  dropout: {
    type: "number",
    min: 0,
    max: 0.99,
    defaultText: "0.1",
    help: "hidden and attention dropout (also overrides a --from checkpoint's;\n" +
      "0 learns faster in short, data-rich runs)",
  },
  seed: { type: "int", min: 0, defaultText: "0", help: "seed of weights, masking and dropout" },
  accum: { type: "int", min: 1, defaultText: "1", help: "micro-batches per update" },
  "eval-every": {
    type: "int",
    min: 0,
    defaultText: String(D.evalEvery),
    help: "held-out evaluation every N steps (0: at the end)",
  },
  "save-every": {
    type: "int",
    min: 0,
    defaultText: String(D.saveEvery),
    help: "checkpoint every N steps (0: at the end)",
  },
  config: {
    type: "string",
    arg: "FILE",
    help: "JSON run config (its keys; unknown keys are an error); flags override it",
  },
  resume: { type: "boolean", help: "continue the run in --out exactly where it stopped" },
  backend: BACKEND_FLAG,
} as const;

/** Distillation flags shared by `train` and `compare`. */
const KD_FLAGS = {
  teachers: {
    type: "string",
    arg: "A,B",
    list: true,
    help: "teacher run or checkpoint folders (same vocabulary as the student)",
  },
  cache: { type: "string", arg: "DIR", help: "read teacher outputs and batches from a cache" },
  temperature: { type: "number", above: 0, defaultText: "2", help: "distillation temperature" },
  "alpha-kd": { type: "number", min: 0, defaultText: "5", help: "weight of the KL term" },
  "alpha-mlm": { type: "number", min: 0, defaultText: "2", help: "weight of the MLM term" },
  "alpha-cos": {
    type: "number",
    min: 0,
    defaultText: "1",
    help: "weight of the hidden-state cosine term (when sizes match)",
  },
  topk: {
    type: "int",
    min: 1,
    defaultText: "64",
    help: "teacher probabilities kept per position (the rest stays an even tail;\n" +
      'config key "topkTail": false renormalises the top-k instead)',
  },
  init: {
    type: "string",
    choices: ["random", "teacher"],
    defaultText: "random",
    help: "teacher: every other layer of the first teacher of the same width",
  },
} as const;

type RunValues = Partial<FlagValues<typeof RUN_FLAGS>>;
type KdValues = Partial<FlagValues<typeof KD_FLAGS>>;

async function readConfigFile(path: string | undefined): Promise<Record<string, unknown>> {
  if (!path) return {};
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new UsageError(`cannot read ${path}: no such file`);
    }
    throw e;
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${path}: not a JSON run config (${(e as Error).message})`);
  }
}

function kdPartial(v: KdValues, file: Record<string, unknown>) {
  return {
    temperature: v.temperature ?? file.temperature,
    alphaKd: v["alpha-kd"] ?? file.alphaKd,
    alphaMlm: v["alpha-mlm"] ?? file.alphaMlm,
    alphaCos: v["alpha-cos"] ?? file.alphaCos,
    topk: v.topk ?? file.topk,
    init: v.init ?? file.init,
  };
}

/** The run config from flags over a --config file; a new run's text defaults to the data folder. */
function runPartial(v: RunValues, file: Record<string, unknown>) {
  const model: Record<string, unknown> = { ...((file.model as object | undefined) ?? {}) };
  const sizes = {
    num_hidden_layers: v.layers,
    hidden_size: v.hidden,
    num_attention_heads: v.heads,
    intermediate_size: v.intermediate,
  };
  for (const [k, x] of Object.entries(sizes)) if (x !== undefined) model[k] = x;
  if (v.dropout !== undefined) {
    model.hidden_dropout_prob = v.dropout;
    model.attention_probs_dropout_prob = v.dropout;
  }
  if (sizes.hidden_size && !sizes.intermediate_size) {
    model.intermediate_size = 4 * sizes.hidden_size;
  }
  return {
    ...file,
    data: v.data ?? file.data ?? (v.resume ? undefined : defaultTextCorpus()),
    vocab: v.vocab ?? file.vocab,
    model,
    steps: v.steps,
    batchSize: v.batch,
    seqLen: v.seq,
    lr: v.lr,
    warmup: v.warmup,
    seed: v.seed,
    accumSteps: v.accum,
    evalEvery: v["eval-every"],
    saveEvery: v["save-every"],
  };
}

/** One line for a finished (or interrupted) run; exit 130 when interrupted. */
function report(
  r: {
    interrupted: boolean;
    step: number;
    config: { steps: number };
    heldout: { loss: number; ppl: number };
    seconds: number;
    checkpoint: string;
  },
): void {
  if (r.interrupted) {
    console.log(
      `interrupted at step ${r.step}/${r.config.steps}, ${r.seconds.toFixed(0)} s; checkpoint ` +
        `${r.checkpoint}; --resume continues it`,
    );
    Deno.exit(130);
  }
  const how = r.step < r.config.steps ? "paused" : "done";
  console.log(
    `${how} at step ${r.step}/${r.config.steps}: held-out MLM loss ${r.heldout.loss.toFixed(4)} ` +
      `(perplexity ${r.heldout.ppl.toFixed(1)}), ${r.seconds.toFixed(0)} s; checkpoint ` +
      r.checkpoint,
  );
}

const teacher = defineCommand({
  summary: "Pretrain a masked-LM teacher on a text folder (one line = one example).",
  notes: "Ctrl-C saves a checkpoint and exits; --resume continues it. With COHESIVE_DATA set " +
    "(or ../shared/data\npresent) the default text is its corpus/ folder, as for `eval mlm`.",
  flags: {
    ...RUN_FLAGS,
    "stop-at": {
      type: "int",
      min: 1,
      arg: "N",
      help: "pause at step N of the --steps schedule; --resume continues",
    },
    from: {
      type: "string",
      arg: "DIR",
      help: "continue pretraining a checkpoint or run folder (e.g. a distilled student on\n" +
        "more text) instead of random weights; sizes are its own",
    },
    "vocab-size": {
      type: "int",
      min: 16,
      arg: "N",
      help: "train a WordPiece vocabulary of N entries on --data instead of --vocab\n" +
        "(kept in DIR/tokenizer/ and in every checkpoint)",
    },
  },
  async run(v) {
    const file = await readConfigFile(v.config);
    const partial = {
      ...runPartial(v, file),
      from: v.from ?? file.from,
      vocabSize: v["vocab-size"] ?? file.vocabSize,
    };
    report(
      await pretrainTeacher(v.out, partial, {
        resume: v.resume,
        backend: v.backend,
        stopAt: v["stop-at"],
      }),
    );
  },
});

const trainCmd = defineCommand({
  summary: "Distil a student from K teachers (live, or from a cache).",
  notes: "The model flags size the student (default 2 layers / hidden 128 / 2 heads).",
  flags: {
    ...RUN_FLAGS,
    ...KD_FLAGS,
    weighting: {
      type: "string",
      choices: WEIGHTINGS,
      defaultText: "confidence",
      help: "how teachers are weighted per token",
    },
    single: { type: "int", min: 0, defaultText: "0", help: "teacher index for --weighting single" },
  },
  async run(v) {
    const file = await readConfigFile(v.config);
    const partial = {
      ...runPartial(v, file),
      teachers: v.teachers ?? file.teachers,
      cache: v.cache ?? file.cache,
      weighting: v.weighting ?? file.weighting,
      single: v.single ?? file.single,
      ...kdPartial(v, file),
    };
    report(await distillStudent(v.out, partial, { resume: v.resume, backend: v.backend }));
  },
});

const cacheCmd = defineCommand({
  summary: "Run the teachers once over the training batches; store top-k per masked position.",
  notes: "A cluster fans the pass out with one process per shard, e.g. a Kubernetes indexed Job " +
    "running\n`deno task distill cache ... --shard $JOB_COMPLETION_INDEX/N` or a Slurm array " +
    "running\n`... --shard $SLURM_ARRAY_TASK_ID/N`, all writing the same --out (shared storage); " +
    "a shard that\nrestarts skips the parts it already wrote. --seed, --batch and --seq must " +
    "equal the student run's.",
  flags: {
    teachers: { ...KD_FLAGS.teachers, required: true },
    out: { type: "string", arg: "DIR", required: true, help: "cache folder" },
    data: {
      type: "string",
      arg: "PATH",
      defaultText: "the data folder's corpus, else wordnet",
      help: "text folder or file, or wordnet",
    },
    vocab: { type: "string", arg: "SPEC", default: "bert-base-uncased", help: "vocabulary" },
    batches: {
      type: "int",
      min: 1,
      required: true,
      help: "micro-batches to cache (the student's steps x accum)",
    },
    batch: { type: "int", min: 1, default: 32, help: "rows per micro-batch" },
    seq: { type: "int", min: 8, default: 128, help: "tokens per row" },
    seed: { type: "int", min: 0, default: 0, help: "seed of the batches" },
    topk: { type: "int", min: 1, default: 64, help: "probabilities kept per position" },
    temperature: {
      type: "number",
      above: 0,
      default: 2,
      help: "temperature of the cached probabilities",
    },
    shard: { type: "string", arg: "i/N", help: "this process's share of the batches" },
    backend: BACKEND_FLAG,
  },
  async run(v) {
    let shard;
    try {
      shard = parseShard(v.shard);
    } catch (e) {
      throw new UsageError((e as Error).message);
    }
    const { initRuntime } = await import("@cohesive/shared");
    await initRuntime({ backend: v.backend });
    const m = await buildCache({
      teachers: v.teachers,
      out: v.out,
      data: v.data ?? defaultTextCorpus(),
      vocab: v.vocab,
      batches: v.batches,
      batchSize: v.batch,
      seqLen: v.seq,
      seed: v.seed,
      topk: v.topk,
      temperature: v.temperature,
      shard,
    });
    console.log(`cached ${m.batches} micro-batches of ${m.teachers.length} teachers into ${v.out}`);
  },
});

const compareCmd = defineCommand({
  summary: "The convergence experiment: none / single best / uniform / confidence / entropy /\n" +
    "camkd students of equal compute; table, curves.svg, compare.json.",
  notes: "The run flags size and schedule the students. Re-running continues unfinished " +
    "variants and\nreuses finished ones.",
  flags: {
    ...RUN_FLAGS,
    ...KD_FLAGS,
    teachers: { ...KD_FLAGS.teachers, required: true },
    variants: {
      type: "string",
      list: true,
      choices: DEFAULT_VARIANTS,
      defaultText: "all",
      help: "the students to train",
    },
  },
  async run(v) {
    const file = await readConfigFile(v.config);
    const run = { ...runPartial(v, file), ...kdPartial(v, file) };
    const r = await compare({
      teachers: v.teachers,
      out: v.out,
      run,
      variants: (v.variants ?? [...DEFAULT_VARIANTS]) as Variant[],
      cache: v.cache,
      backend: v.backend,
    });
    console.log(`report: ${v.out}/compare.md (ratio ${r.ratio?.toFixed(2) ?? "n/a"})`);
  },
});

/** `deno task distill`. */
export const DISTILL_PROGRAM: Program = {
  summary: "Multi-teacher masked-LM distillation.",
  commands: { teacher, train: trainCmd, cache: cacheCmd, compare: compareCmd } as Program[
    "commands"
  ],
};

if (import.meta.main) await runMain("deno task distill", DISTILL_PROGRAM);
