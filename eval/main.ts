/**
 * `deno task eval`: WSD scoring, the WSD baselines, NLU fine-tuning, the plagiarism benchmark and
 * the report.
 *
 * ```sh
 * deno task eval score GOLD.key.txt SYSTEM.key [--data FILE.data.xml] [--json]
 * deno task eval wsd [--wordnet 3.0,3.1] [--methods first-sense,mfs] [--out DIR]
 * deno task eval nlu --model DIR --task sst2|cola|rte|mrpc|stsb|qqp|all [--max-train N] [--epochs N]
 * deno task eval plagiarism [--model NAME=DIR ...] [--max-train N] [--out DIR]
 * deno task eval report --out DIR [--nlu DIR] [--plagiarism DIR] [--compare DIR] [--bench DIR]
 * deno task eval mlm --model NAME=DIR ... [--data PATH|wordnet] [--out DIR]
 * ```
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { defaultCorpus, WordNet } from "@cohesive/lexical";
import { runCli, usage, UsageError, writeFileAtomic } from "@cohesive/shared";
import { NLU_TASKS, parseTasks, UnknownTaskError } from "./nlu_data.ts";
import { runNlu } from "./nlu.ts";
import { formatScorerOutput, scoreWsdFiles, WSD_POS } from "./wsd_score.ts";
import { formatWsdBaselines, runWsdBaselines } from "./wsd_baselines.ts";
import { runPlagiarism } from "./plagiarism.ts";
import { buildReport } from "./report.ts";
import { evaluateMlm, formatMlmTable } from "./mlm.ts";

const HELP = `deno task eval <command> [options]

Commands
  score GOLD SYSTEM   score a system key file against a gold key file (Scorer.java semantics)
        --data FILE.data.xml      parts of speech from the corpus (else from the gold keys)
        --skip-unknown            skip system ids not in the gold keys, as Scorer.java does
                                  (default: an error naming them)
        --system-wordnet 3.1|DIR  map the answers from this WordNet to the gold's (3.0) first
        --json                    the full breakdown as JSON
  wsd   the knowledge-based baselines on every evaluation set and ALL, WordNet 3.0 and 3.1
        --wordnet 3.0,3.1   --methods first-sense,mfs,lesk,extended-lesk,ppr   --out DIR (JSON + md)
  nlu   fine-tune and evaluate on GLUE-style tasks
        --model DIR (repeatable)  checkpoint or run folder          (required)
        --task ${NLU_TASKS.join("|")}|all (comma list allowed)      (required)
        --out DIR (default runs/nlu)  --epochs N (3)  --batch N (32)  --lr X (1e-4)
        --max-length N (128)  --max-train N  --max-eval N  --seed N (0)  --split-seed N (0)
        --eval-every N  --eval-only (use the classifier head in the folder)  --backend B
  plagiarism  machine-paraphrase (spinner) detection, PAN and MRPC pairs, STS-2016 correlation
        --model NAME=DIR (repeatable; a missing folder is reported as missing)
        --out DIR (default runs/plagiarism)  --paragraphs N (per split, 400)  --max-train N
        --max-eval N  --epochs N (2)  --batch N  --lr X  --max-length N (128)  --seed N (0)
        --parts spin,pan,mrpc,sts (default all)  --backend B
  mlm   held-out masked-LM loss, the loss with word order shuffled (order gain ≈ 0: the model is
        still a bag of words) and the unigram reference, per model, on the same masked rows
        --model NAME=DIR (repeatable; checkpoint or run folder)   (required)
        --data PATH|wordnet (default: the data folder's corpus, else wordnet)  --batches N (16)
        --rows N (32)  --seq N (128)  --seed N (1234)  --out DIR (default runs/mlm)  --backend B
  report  one markdown report + JSON + SVG plots of every result found
        --out DIR (required)  --nlu DIR  --plagiarism DIR  --compare DIR  --bench DIR
        (each repeatable)  --wsd NAME=FILE.key (repeatable, WordNet 3.0 answers on ALL)
        --model NAME=DIR (models expected in the report; absent ones are listed as missing)
        --no-baselines (skip running the WSD baselines)
  help  this text (also --help, -h)
`;

function int(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0) throw new UsageError(`--${name} must be a whole number >= 0`);
  return n;
}

function num(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new UsageError(`--${name} must be a number >= 0`);
  return n;
}

/** `--model NAME=DIR` values (a bare DIR names itself). */
function namedDirs(list: string[] | undefined): { name: string; dir: string }[] {
  return (list ?? []).map((m) => {
    const i = m.indexOf("=");
    return i > 0 ? { name: m.slice(0, i), dir: m.slice(i + 1) } : { name: m, dir: m };
  });
}

function command(args: string[]): string {
  return ["deno task eval", ...args.map((a) => (/[\s"'$]/.test(a) ? JSON.stringify(a) : a))]
    .join(" ");
}

async function score(args: string[]): Promise<void> {
  const { values, positionals } = usage(() =>
    parseArgs({
      args,
      allowPositionals: true,
      options: {
        data: { type: "string" },
        "skip-unknown": { type: "boolean", default: false },
        "system-wordnet": { type: "string" },
        json: { type: "boolean", default: false },
      },
    })
  );
  if (positionals.length !== 2) throw new UsageError("score needs GOLD and SYSTEM key files");
  const [gold, system] = positionals;
  const map = values["system-wordnet"]
    ? { from: await WordNet.open(values["system-wordnet"]), to: await WordNet.open("3.0") }
    : undefined;
  const r = await scoreWsdFiles(gold, system, {
    dataFile: values.data,
    unknownIds: values["skip-unknown"] ? "skip" : "error",
    map,
  });
  if (values.json) return console.log(JSON.stringify(r, null, 2));
  for (
    const [file, ls] of [[gold, r.incompleteLines.gold], [
      system,
      r.incompleteLines.system,
    ]] as const
  ) {
    for (const l of ls) console.error(`${file}: line ${l} not complete (skipped)`);
  }
  console.log(formatScorerOutput(r.all).trimEnd());
  const f = (x: number) => x.toFixed(1);
  const rows = [
    ...Object.entries(r.byDataset).map(([k, v]) => [k, v] as const),
    ...WSD_POS.filter((p) => r.byPos[p]).map((p) => [p, r.byPos[p]] as const),
  ];
  if (rows.length > 1) {
    console.log("\n| slice | P | R | F1 | answered | total |\n|---|---:|---:|---:|---:|---:|");
    for (const [k, v] of rows) {
      console.log(
        `| ${k} | ${f(v.precision)} | ${f(v.recall)} | ${f(v.f1)} | ${v.answered} | ${v.total} |`,
      );
    }
  }
  if (r.skippedUnknown) console.error(`skipped ${r.skippedUnknown} id(s) not in the gold keys`);
  if (r.mapping) {
    console.error(
      `WordNet ${r.mapping.from} → ${r.mapping.to}: ${r.mapping.identical} keys identical, ` +
        `${r.mapping.mapped} mapped, ${r.mapping.unmappable} unmappable`,
    );
  }
}

async function wsd(args: string[]): Promise<void> {
  const { values } = usage(() =>
    parseArgs({
      args,
      options: {
        wordnet: { type: "string", default: "3.0,3.1" },
        methods: { type: "string" },
        out: { type: "string" },
      },
    })
  );
  const r = await runWsdBaselines({
    wordnets: values.wordnet.split(",").filter(Boolean),
    methods: values.methods?.split(",").filter(Boolean),
  });
  const md = formatWsdBaselines(r);
  console.log(md);
  for (const c of r.coverage) {
    console.log(
      `\nWordNet ${c.version} holds a gold key for ${c.covered} of ${c.total} ALL instances.`,
    );
  }
  if (values.out) {
    await writeFileAtomic(
      join(values.out, "wsd_baselines.json"),
      JSON.stringify(r, null, 2) + "\n",
    );
    await writeFileAtomic(join(values.out, "wsd_baselines.md"), md + "\n");
  }
}

async function nlu(args: string[]): Promise<void> {
  const { values } = usage(() =>
    parseArgs({
      args,
      options: {
        model: { type: "string", multiple: true },
        task: { type: "string" },
        out: { type: "string", default: join("runs", "nlu") },
        epochs: { type: "string" },
        batch: { type: "string" },
        lr: { type: "string" },
        "max-length": { type: "string" },
        "max-train": { type: "string" },
        "max-eval": { type: "string" },
        seed: { type: "string" },
        "split-seed": { type: "string" },
        "eval-every": { type: "string" },
        "eval-only": { type: "boolean", default: false },
        backend: { type: "string" },
        quiet: { type: "boolean", default: false },
      },
    })
  );
  if (!values.model?.length) throw new UsageError("nlu needs --model DIR");
  if (!values.task) throw new UsageError(`nlu needs --task (${NLU_TASKS.join(", ")} or all)`);
  let tasks;
  try {
    tasks = parseTasks(values.task);
  } catch (e) {
    if (e instanceof UnknownTaskError) throw new UsageError(e.message);
    throw e;
  }
  const config = Object.fromEntries(
    Object.entries({
      epochs: num("epochs", values.epochs),
      batchSize: int("batch", values.batch),
      lr: num("lr", values.lr),
      maxLength: int("max-length", values["max-length"]),
      seed: int("seed", values.seed),
      evalEvery: int("eval-every", values["eval-every"]),
    }).filter(([, v]) => v !== undefined),
  );
  const r = await runNlu({
    models: values.model,
    tasks,
    out: values.out,
    config,
    maxTrain: int("max-train", values["max-train"]),
    maxEval: int("max-eval", values["max-eval"]),
    splitSeed: int("split-seed", values["split-seed"]),
    evalOnly: values["eval-only"],
    backend: values.backend,
    progress: !values.quiet,
    command: command(["nlu", ...args]),
    log: (l) => console.error(l),
  });
  const { formatNluTable } = await import("./nlu.ts");
  console.log(formatNluTable(r));
  console.log(`\nwritten: ${join(values.out, "nlu.md")}, ${join(values.out, "nlu.json")}`);
}

async function plagiarism(args: string[]): Promise<void> {
  const { values } = usage(() =>
    parseArgs({
      args,
      options: {
        model: { type: "string", multiple: true },
        out: { type: "string", default: join("runs", "plagiarism") },
        paragraphs: { type: "string" },
        "max-train": { type: "string" },
        "max-eval": { type: "string" },
        epochs: { type: "string" },
        batch: { type: "string" },
        lr: { type: "string" },
        "max-length": { type: "string" },
        seed: { type: "string" },
        parts: { type: "string" },
        backend: { type: "string" },
        quiet: { type: "boolean", default: false },
      },
    })
  );
  const models = namedDirs(values.model);
  const parts = values.parts?.split(",").filter(Boolean);
  const known = ["spin", "pan", "mrpc", "sts"];
  for (const p of parts ?? []) {
    if (!known.includes(p)) {
      throw new UsageError(`unknown part "${p}" (one of ${known.join(", ")})`);
    }
  }
  const config = Object.fromEntries(
    Object.entries({
      epochs: num("epochs", values.epochs),
      batchSize: int("batch", values.batch),
      lr: num("lr", values.lr),
      maxLength: int("max-length", values["max-length"]),
      seed: int("seed", values.seed),
    }).filter(([, v]) => v !== undefined),
  );
  const r = await runPlagiarism({
    models,
    out: values.out,
    paragraphs: int("paragraphs", values.paragraphs),
    maxTrain: int("max-train", values["max-train"]),
    maxEval: int("max-eval", values["max-eval"]),
    config,
    parts: parts as never,
    backend: values.backend,
    progress: !values.quiet,
    command: command(["plagiarism", ...args]),
    log: (l) => console.error(l),
  });
  const { formatPlagiarismTable } = await import("./plagiarism.ts");
  console.log(formatPlagiarismTable(r));
  console.log(
    `\nwritten: ${join(values.out, "plagiarism.md")}, ${join(values.out, "plagiarism.json")}`,
  );
}

async function report(args: string[]): Promise<void> {
  const { values } = usage(() =>
    parseArgs({
      args,
      options: {
        out: { type: "string" },
        nlu: { type: "string", multiple: true },
        plagiarism: { type: "string", multiple: true },
        compare: { type: "string", multiple: true },
        bench: { type: "string", multiple: true },
        wsd: { type: "string", multiple: true },
        model: { type: "string", multiple: true },
        "no-baselines": { type: "boolean", default: false },
      },
    })
  );
  if (!values.out) throw new UsageError("report needs --out DIR");
  const pairs = (list: string[] | undefined, flag: string) =>
    (list ?? []).map((s) => {
      const i = s.indexOf("=");
      if (i <= 0) throw new UsageError(`--${flag} takes NAME=PATH, got "${s}"`);
      return { name: s.slice(0, i), path: s.slice(i + 1) };
    });
  const r = await buildReport({
    out: values.out,
    nlu: values.nlu,
    plagiarism: values.plagiarism,
    compare: values.compare,
    bench: values.bench,
    wsd: pairs(values.wsd, "wsd"),
    models: pairs(values.model, "model"),
    baselines: !values["no-baselines"],
    command: command(["report", ...args]),
  });
  console.log(`report written: ${r.files.join(", ")}`);
  for (const m of r.missing) console.log(`missing: ${m}`);
}

async function mlm(args: string[]): Promise<void> {
  const { values } = usage(() =>
    parseArgs({
      args,
      options: {
        model: { type: "string", multiple: true },
        data: { type: "string" },
        batches: { type: "string" },
        rows: { type: "string" },
        seq: { type: "string" },
        seed: { type: "string" },
        out: { type: "string", default: join("runs", "mlm") },
        backend: { type: "string" },
      },
    })
  );
  const models = namedDirs(values.model);
  if (models.length === 0) throw new UsageError("mlm needs --model NAME=DIR");
  const positive = (name: string, v: string | undefined) => {
    const n = int(name, v);
    if (n === 0) throw new UsageError(`--${name} must be at least 1`);
    return n;
  };
  const r = await evaluateMlm({
    models,
    data: values.data ?? defaultCorpus("text"),
    batches: positive("batches", values.batches),
    rows: positive("rows", values.rows),
    seqLen: positive("seq", values.seq),
    seed: int("seed", values.seed),
    out: values.out,
    backend: values.backend,
    command: command(["mlm", ...args]),
  });
  console.log(formatMlmTable(r));
  console.log(`\nwritten: ${r.files.join(", ")}`);
}

async function main(): Promise<void> {
  const [cmd, ...rest] = Deno.args;
  switch (cmd) {
    case "score":
      return await score(rest);
    case "wsd":
      return await wsd(rest);
    case "nlu":
      return await nlu(rest);
    case "plagiarism":
      return await plagiarism(rest);
    case "report":
      return await report(rest);
    case "mlm":
      return await mlm(rest);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      return console.log(HELP);
    default:
      throw new UsageError(`unknown command "${cmd}" (run deno task eval help)`);
  }
}

if (import.meta.main) await runCli(main);
