/**
 * `deno task distill <subcommand>`: multi-teacher masked-LM distillation.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { runCli, usage, UsageError } from "@cohesive/shared";
import { pretrainTeacher } from "./teacher.ts";

const HELP = `usage: deno task distill <subcommand> [options]

subcommands:
  teacher   pretrain a masked-LM teacher on a text folder (one line = one example)

teacher options:
  --out DIR          run folder (config, metrics.jsonl, checkpoints)            [required]
  --data PATH|wordnet  text folder or file; default: the embedded WordNet text
  --vocab SPEC       bert-base-uncased (default) or a vocab.txt / tokenizer.json
  --layers N --hidden N --heads N --intermediate N   model sizes (default 2/128/2/512)
  --steps N --batch N --seq N --lr X --seed N --accum N
  --eval-every N --save-every N
  --config FILE      JSON run config (keys of the run config; unknown keys are an error)
  --resume           continue the run in --out exactly where it stopped
  --backend B        webgpu | wasm | cpu | auto
Ctrl-C saves a checkpoint and exits; --resume continues it.
`;

async function teacher(args: string[]) {
  const { values } = usage(() =>
    parseArgs({
      args,
      options: {
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
        seed: { type: "string" },
        accum: { type: "string" },
        "eval-every": { type: "string" },
        "save-every": { type: "string" },
        config: { type: "string" },
        resume: { type: "boolean", default: false },
        backend: { type: "string" },
        help: { type: "boolean", short: "h", default: false },
      },
    })
  );
  if (values.help) return console.log(HELP);
  if (!values.out) throw new UsageError("--out DIR is required (see --help)");
  const num = (name: string, v: string | undefined) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isFinite(n)) throw new UsageError(`--${name} must be a number, got "${v}"`);
    return n;
  };
  const fromFile = values.config ? JSON.parse(await Deno.readTextFile(values.config)) : {};
  const model: Record<string, number> = { ...(fromFile.model ?? {}) };
  const sizes = {
    num_hidden_layers: num("layers", values.layers),
    hidden_size: num("hidden", values.hidden),
    num_attention_heads: num("heads", values.heads),
    intermediate_size: num("intermediate", values.intermediate),
  };
  for (const [k, v] of Object.entries(sizes)) if (v !== undefined) model[k] = v;
  if (sizes.hidden_size && !sizes.intermediate_size) {
    model.intermediate_size = 4 * sizes.hidden_size;
  }
  const partial = {
    ...fromFile,
    data: values.data ?? fromFile.data,
    vocab: values.vocab ?? fromFile.vocab,
    model,
    steps: num("steps", values.steps),
    batchSize: num("batch", values.batch),
    seqLen: num("seq", values.seq),
    lr: num("lr", values.lr),
    seed: num("seed", values.seed),
    accumSteps: num("accum", values.accum),
    evalEvery: num("eval-every", values["eval-every"]),
    saveEvery: num("save-every", values["save-every"]),
  };
  const r = await pretrainTeacher(values.out, partial, {
    resume: values.resume,
    backend: values.backend,
  });
  console.log(
    `${
      r.interrupted ? "interrupted" : "done"
    } at step ${r.step}/${r.config.steps}: held-out MLM loss ` +
      `${r.heldout.loss.toFixed(4)} (perplexity ${r.heldout.ppl.toFixed(1)}), ${
        r.seconds.toFixed(0)
      } s; ` +
      `checkpoint ${r.checkpoint}`,
  );
  if (r.interrupted) Deno.exit(130);
}

async function main() {
  const [sub, ...rest] = Deno.args;
  switch (sub) {
    case "teacher":
      return await teacher(rest);
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
