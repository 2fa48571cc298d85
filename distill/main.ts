/**
 * `deno task distill <subcommand>`: multi-teacher masked-LM distillation.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { runCli, usage, UsageError } from "@cohesive/shared";
import { pretrainTeacher } from "./pretrain.ts";
import { distillStudent } from "./student.ts";
import { buildCache, parseShard } from "./cache.ts";
import { compare, DEFAULT_VARIANTS, type Variant } from "./compare.ts";

const HELP = `usage: deno task distill <subcommand> [options]

subcommands:
  teacher   pretrain a masked-LM teacher on a text folder (one line = one example)
  cache     run the teachers once over the training batches; store top-k per masked position
  train     distil a student from K teachers (live, or from a cache)
  compare   the convergence experiment: none / single best / uniform / confidence / entropy /
            camkd students of equal compute; table, curves.svg, compare.json

teacher options:
  --out DIR          run folder (config, metrics.jsonl, checkpoints)            [required]
  --data PATH|wordnet  text folder or file; default: the embedded WordNet text
  --vocab SPEC       bert-base-uncased (default) or a vocab.txt / tokenizer.json
  --vocab-size N     (teacher) train a WordPiece vocabulary of N entries on --data instead
                     (kept in DIR/tokenizer/ and in every checkpoint)
  --layers N --hidden N --heads N --intermediate N   model sizes (default 2/128/2/512)
  --steps N --batch N --seq N --lr X --seed N --accum N
  --warmup F         warm-up share of the steps (default 0.05), then linear decay to 0
  --dropout X        hidden and attention dropout (default 0.1; also overrides a --from
                     checkpoint's; 0 learns faster in short, data-rich runs)
  --eval-every N --save-every N
  --config FILE      JSON run config (keys of the run config; unknown keys are an error)
  --resume           continue the run in --out exactly where it stopped
  --stop-at N        (teacher) pause at step N of the --steps schedule; --resume continues
  --from DIR         (teacher) continue pretraining a checkpoint (e.g. a distilled student on
                     more text) instead of starting from random weights; sizes are its own
  --backend B        webgpu | wasm | cpu | auto
Ctrl-C saves a checkpoint and exits; --resume continues it.

train options (also: every teacher option above; the model options size the student,
default 2 layers / hidden 128 / 2 heads):
  --teachers A,B,C   teacher run or checkpoint folders (same vocabulary as the student)
  --cache DIR        read teacher outputs and batches from a cache (see cache)
  --weighting W      confidence (default) | uniform | entropy | camkd | single
  --single I         teacher index for --weighting single (default 0)
  --temperature T --alpha-kd X --alpha-mlm X --alpha-cos X --topk K
  (a teacher's mass outside its top-k stays in the target as an even tail; config key
  "topkTail": false renormalises the top-k instead)
  --init random|teacher   teacher: every other layer of the first teacher of the same width

compare options (plus the run options, which size and schedule the students, and the
distillation options of train: --temperature --alpha-kd --alpha-mlm --alpha-cos --topk --init):
  --teachers A,B,C --out DIR [--cache DIR] [--variants none,single,uniform,confidence,...]
  Re-running continues unfinished variants and reuses finished ones.

cache options:
  --teachers A,B,C --out DIR --data PATH --vocab SPEC --batches N --batch N --seq N --seed N
  --topk K (64) --temperature T (2) --shard i/N
  A cluster fans the pass out with one process per shard, e.g. a Kubernetes indexed Job running
  \`deno task distill cache ... --shard $JOB_COMPLETION_INDEX/N\` or a Slurm array running
  \`... --shard $SLURM_ARRAY_TASK_ID/N\`, all writing the same --out (shared storage); a shard
  that restarts skips the parts it already wrote. --seed, --batch and --seq must equal the
  student run's.
`;

const RUN_OPTIONS = {
  out: { type: "string" },
  data: { type: "string" },
  vocab: { type: "string" },
  layers: { type: "string" },
  hidden: { type: "string" },
  heads: { type: "string" },
  intermediate: { type: "string" },
  steps: { type: "string" },
  batch: { type: "string" },
  seq: { type: "string" },
  lr: { type: "string" },
  warmup: { type: "string" },
  dropout: { type: "string" },
  seed: { type: "string" },
  accum: { type: "string" },
  "eval-every": { type: "string" },
  "save-every": { type: "string" },
  config: { type: "string" },
  resume: { type: "boolean", default: false },
  backend: { type: "string" },
  help: { type: "boolean", short: "h", default: false },
} as const;

const num = (name: string, v: string | undefined) => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got "${v}"`);
  return n;
};

async function readConfigFile(path: string | undefined): Promise<Record<string, unknown>> {
  if (!path) return {};
  try {
    return JSON.parse(await Deno.readTextFile(path));
  } catch (e) {
    throw new TypeError(
      `${path}: cannot read the run config (${(e as Error).message.split("\n")[0]})`,
    );
  }
}

/** The run config fields common to teacher and train, from flags over a --config file. */
/** Distillation options shared by `train` and `compare`. */
const KD_OPTIONS = {
  temperature: { type: "string" },
  "alpha-kd": { type: "string" },
  "alpha-mlm": { type: "string" },
  "alpha-cos": { type: "string" },
  topk: { type: "string" },
  init: { type: "string" },
} as const;

function kdPartial(
  values: Record<string, string | boolean | undefined>,
  fromFile: Record<string, unknown>,
) {
  const s = (k: string) => values[k] as string | undefined;
  return {
    temperature: num("temperature", s("temperature")) ?? fromFile.temperature,
    alphaKd: num("alpha-kd", s("alpha-kd")) ?? fromFile.alphaKd,
    alphaMlm: num("alpha-mlm", s("alpha-mlm")) ?? fromFile.alphaMlm,
    alphaCos: num("alpha-cos", s("alpha-cos")) ?? fromFile.alphaCos,
    topk: num("topk", s("topk")) ?? fromFile.topk,
    init: s("init") ?? fromFile.init,
  };
}

function runPartial(
  values: Record<string, string | boolean | undefined>,
  fromFile: Record<string, unknown>,
) {
  const s = (k: string) => values[k] as string | undefined;
  const model: Record<string, unknown> = { ...((fromFile.model as object | undefined) ?? {}) };
  const sizes = {
    num_hidden_layers: num("layers", s("layers")),
    hidden_size: num("hidden", s("hidden")),
    num_attention_heads: num("heads", s("heads")),
    intermediate_size: num("intermediate", s("intermediate")),
  };
  for (const [k, v] of Object.entries(sizes)) if (v !== undefined) model[k] = v;
  const dropout = num("dropout", s("dropout"));
  if (dropout !== undefined) {
    model.hidden_dropout_prob = dropout;
    model.attention_probs_dropout_prob = dropout;
  }
  if (sizes.hidden_size && !sizes.intermediate_size) {
    model.intermediate_size = 4 * sizes.hidden_size;
  }
  return {
    ...fromFile,
    data: s("data") ?? fromFile.data,
    vocab: s("vocab") ?? fromFile.vocab,
    model,
    steps: num("steps", s("steps")),
    batchSize: num("batch", s("batch")),
    seqLen: num("seq", s("seq")),
    lr: num("lr", s("lr")),
    warmup: num("warmup", s("warmup")),
    seed: num("seed", s("seed")),
    accumSteps: num("accum", s("accum")),
    evalEvery: num("eval-every", s("eval-every")),
    saveEvery: num("save-every", s("save-every")),
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
  const how = r.interrupted ? "interrupted" : r.step < r.config.steps ? "paused" : "done";
  console.log(
    `${how} at step ${r.step}/${r.config.steps}: held-out MLM loss ${r.heldout.loss.toFixed(4)} ` +
      `(perplexity ${r.heldout.ppl.toFixed(1)}), ${
        r.seconds.toFixed(0)
      } s; checkpoint ${r.checkpoint}`,
  );
  if (r.interrupted) Deno.exit(130);
}

async function teacher(args: string[]) {
  const { values } = usage(() =>
    parseArgs({
      args,
      options: {
        ...RUN_OPTIONS,
        "stop-at": { type: "string" },
        from: { type: "string" },
        "vocab-size": { type: "string" },
      },
    })
  );
  if (values.help) return console.log(HELP);
  if (!values.out) throw new UsageError("--out DIR is required (see --help)");
  const fromFile = await readConfigFile(values.config);
  const partial = {
    ...runPartial(values, fromFile),
    from: values.from ?? fromFile.from,
    vocabSize: num("vocab-size", values["vocab-size"]) ?? fromFile.vocabSize,
  };
  const r = await pretrainTeacher(values.out, partial, {
    resume: values.resume,
    backend: values.backend,
    stopAt: num("stop-at", values["stop-at"]),
  });
  report(r);
}

async function trainCmd(args: string[]) {
  const { values } = usage(() =>
    parseArgs({
      args,
      options: {
        ...RUN_OPTIONS,
        ...KD_OPTIONS,
        teachers: { type: "string" },
        cache: { type: "string" },
        weighting: { type: "string" },
        single: { type: "string" },
      },
    })
  );
  if (values.help) return console.log(HELP);
  if (!values.out) throw new UsageError("--out DIR is required (see --help)");
  const fromFile = await readConfigFile(values.config);
  const partial = {
    ...runPartial(values, fromFile),
    teachers: values.teachers?.split(",").filter(Boolean) ?? fromFile.teachers,
    cache: values.cache ?? fromFile.cache,
    weighting: values.weighting ?? fromFile.weighting,
    single: num("single", values.single) ?? fromFile.single,
    ...kdPartial(values, fromFile),
  };
  const r = await distillStudent(values.out, partial, {
    resume: values.resume,
    backend: values.backend,
  });
  report(r);
}

async function cacheCmd(args: string[]) {
  const { values } = usage(() =>
    parseArgs({
      args,
      options: {
        teachers: { type: "string" },
        out: { type: "string" },
        data: { type: "string", default: "wordnet" },
        vocab: { type: "string", default: "bert-base-uncased" },
        batches: { type: "string" },
        batch: { type: "string", default: "32" },
        seq: { type: "string", default: "128" },
        seed: { type: "string", default: "0" },
        topk: { type: "string", default: "64" },
        temperature: { type: "string", default: "2" },
        shard: { type: "string" },
        backend: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    })
  );
  if (values.help) return console.log(HELP);
  if (!values.out) throw new UsageError("--out DIR is required (see --help)");
  if (!values.teachers) throw new UsageError("--teachers A,B,... is required");
  if (!values.batches) {
    throw new UsageError("--batches N is required (the student's steps x accum)");
  }
  const { initRuntime } = await import("@cohesive/shared");
  await initRuntime({ backend: values.backend });
  const m = await buildCache({
    teachers: values.teachers.split(",").filter(Boolean),
    out: values.out,
    data: values.data!,
    vocab: values.vocab,
    batches: num("batches", values.batches)!,
    batchSize: num("batch", values.batch)!,
    seqLen: num("seq", values.seq)!,
    seed: num("seed", values.seed)!,
    topk: num("topk", values.topk),
    temperature: num("temperature", values.temperature),
    shard: parseShard(values.shard),
  });
  console.log(
    `cached ${m.batches} micro-batches of ${m.teachers.length} teachers into ${values.out}`,
  );
}

async function compareCmd(args: string[]) {
  const { values } = usage(() =>
    parseArgs({
      args,
      options: {
        ...RUN_OPTIONS,
        ...KD_OPTIONS,
        teachers: { type: "string" },
        cache: { type: "string" },
        variants: { type: "string" },
      },
    })
  );
  if (values.help) return console.log(HELP);
  if (!values.out) throw new UsageError("--out DIR is required (see --help)");
  if (!values.teachers) throw new UsageError("--teachers A,B,... is required");
  const variants =
    (values.variants?.split(",").filter(Boolean) ?? [...DEFAULT_VARIANTS]) as Variant[];
  for (const v of variants) {
    if (!DEFAULT_VARIANTS.includes(v)) {
      throw new UsageError(`unknown variant "${v}" (${DEFAULT_VARIANTS.join(", ")})`);
    }
  }
  const fromFile = await readConfigFile(values.config);
  const run = { ...runPartial(values, fromFile), ...kdPartial(values, fromFile) };
  const r = await compare({
    teachers: values.teachers.split(",").filter(Boolean),
    out: values.out,
    run,
    variants,
    cache: values.cache,
    backend: values.backend,
  });
  console.log(`report: ${values.out}/compare.md (ratio ${r.ratio?.toFixed(2) ?? "n/a"})`);
}

async function main() {
  const [sub, ...rest] = Deno.args;
  switch (sub) {
    case "teacher":
      return await teacher(rest);
    case "train":
      return await trainCmd(rest);
    case "cache":
      return await cacheCmd(rest);
    case "compare":
      return await compareCmd(rest);
    case undefined:
    case "-h":
    case "--help":
    case "help":
      return console.log(HELP);
    default:
      throw new UsageError(`unknown subcommand "${sub}" (see --help)`);
  }
}

if (import.meta.main) await runCli(main);
