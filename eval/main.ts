/**
 * `deno task eval`: WSD scoring, the WSD baselines, NLU fine-tuning, the plagiarism benchmark,
 * held-out masked-LM loss and the report.
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
import { BASELINE_METHODS, defaultCorpus, WordNet } from "@cohesive/lexical";
import {
  BACKEND_FLAG,
  defineCommand,
  type Program,
  runMain,
  UsageError,
  writeFileAtomic,
} from "@cohesive/shared";
import { NLU_TASKS, parseTasks, UnknownTaskError } from "./nlu_data.ts";
import { runNlu } from "./nlu.ts";
import { formatScorerOutput, scoreWsdFiles, WSD_POS } from "./wsd_score.ts";
import { formatWsdBaselines, runWsdBaselines } from "./wsd_baselines.ts";
import { runPlagiarism } from "./plagiarism.ts";
import { buildReport } from "./report.ts";
import { evaluateMlm, formatMlmTable } from "./mlm.ts";

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

/** Drop the undefined entries (the library's defaults apply to them). */
function defined<T extends Record<string, unknown>>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

const log = (l: string) => console.error(l);

const score = defineCommand({
  summary: "Score a system key file against a gold key file (Scorer.java semantics).",
  args: "GOLD SYSTEM",
  positionals: { min: 2, max: 2 },
  flags: {
    data: {
      type: "string",
      arg: "FILE.data.xml",
      help: "parts of speech from the corpus (else from the gold keys)",
    },
    "skip-unknown": {
      type: "boolean",
      help: "skip system ids not in the gold keys, as Scorer.java does (default: an\n" +
        "error naming them)",
    },
    "system-wordnet": {
      type: "string",
      arg: "V",
      help: "map the answers from this WordNet (3.1 or a dict folder) to the gold's (3.0)",
    },
    json: { type: "boolean", help: "the full breakdown as JSON" },
  },
  async run(v, positionals) {
    const [gold, system] = positionals;
    const map = v["system-wordnet"]
      ? { from: await WordNet.open(v["system-wordnet"]), to: await WordNet.open("3.0") }
      : undefined;
    const r = await scoreWsdFiles(gold, system, {
      dataFile: v.data,
      unknownIds: v["skip-unknown"] ? "skip" : "error",
      map,
    });
    if (v.json) return console.log(JSON.stringify(r, null, 2));
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
  },
});

const wsd = defineCommand({
  summary: "The knowledge-based baselines on every evaluation set and ALL, WordNet 3.0 and 3.1.",
  flags: {
    wordnet: { type: "string", arg: "LIST", list: true, default: "3.0,3.1", help: "WordNets" },
    methods: {
      type: "string",
      arg: "LIST",
      list: true,
      choices: BASELINE_METHODS,
      defaultText: "all but ppr (minutes per WordNet: ask for it)",
      help: "baselines",
    },
    out: { type: "string", arg: "DIR", help: "also write wsd_baselines.json and .md there" },
  },
  async run(v) {
    const r = await runWsdBaselines({ wordnets: v.wordnet, methods: v.methods, log });
    const md = formatWsdBaselines(r);
    console.log(md);
    for (const c of r.coverage) {
      console.log(
        `\nWordNet ${c.version} holds a gold key for ${c.covered} of ${c.total} ALL instances.`,
      );
    }
    if (v.out) {
      await writeFileAtomic(join(v.out, "wsd_baselines.json"), JSON.stringify(r, null, 2) + "\n");
      await writeFileAtomic(join(v.out, "wsd_baselines.md"), md + "\n");
    }
  },
});

const nlu = defineCommand({
  summary: "Fine-tune and evaluate on GLUE-style tasks.",
  flags: {
    model: {
      type: "string",
      arg: "DIR",
      multiple: true,
      help: "checkpoint or run folder (at least one)",
    },
    task: {
      type: "string",
      arg: "LIST",
      required: true,
      help: `${NLU_TASKS.join("|")}|all (comma list allowed)`,
    },
    out: { type: "string", arg: "DIR", default: join("runs", "nlu"), help: "results folder" },
    epochs: { type: "number", above: 0, defaultText: "3", help: "epochs" },
    batch: { type: "int", min: 1, defaultText: "32", help: "rows per batch" },
    lr: { type: "number", above: 0, defaultText: "1e-4", help: "learning rate" },
    "max-length": { type: "int", min: 8, defaultText: "128", help: "tokens per row" },
    "max-train": { type: "int", min: 1, help: "at most N training rows" },
    "max-eval": { type: "int", min: 1, help: "at most N evaluation rows" },
    seed: { type: "int", min: 0, defaultText: "0", help: "seed" },
    "split-seed": { type: "int", min: 0, defaultText: "0", help: "seed of the dev split" },
    "eval-every": { type: "int", min: 0, help: "evaluate every N steps" },
    "eval-only": { type: "boolean", help: "use the classifier head in the folder" },
    quiet: { type: "boolean", help: "no progress bar" },
    backend: BACKEND_FLAG,
  },
  async run(v) {
    if (!v.model.length) throw new UsageError("nlu needs --model DIR");
    let tasks;
    try {
      tasks = parseTasks(v.task);
    } catch (e) {
      if (e instanceof UnknownTaskError) throw new UsageError(e.message);
      throw e;
    }
    const r = await runNlu({
      models: v.model,
      tasks,
      out: v.out,
      config: defined({
        epochs: v.epochs,
        batchSize: v.batch,
        lr: v.lr,
        maxLength: v["max-length"],
        seed: v.seed,
        evalEvery: v["eval-every"],
      }),
      maxTrain: v["max-train"],
      maxEval: v["max-eval"],
      splitSeed: v["split-seed"],
      evalOnly: v["eval-only"],
      backend: v.backend,
      progress: !v.quiet,
      command: command(["nlu", ...Deno.args.slice(1)]),
      log,
    });
    const { formatNluTable } = await import("./nlu.ts");
    console.log(formatNluTable(r));
    console.log(`\nwritten: ${join(v.out, "nlu.md")}, ${join(v.out, "nlu.json")}`);
  },
});

const PARTS = ["spin", "pan", "mrpc", "sts"] as const;

const plagiarism = defineCommand({
  summary: "Machine-paraphrase (spinner) detection, PAN and MRPC pairs, STS-2016 correlation.",
  flags: {
    model: {
      type: "string",
      arg: "NAME=DIR",
      multiple: true,
      help: "a model (a missing folder is reported as missing)",
    },
    out: { type: "string", arg: "DIR", default: join("runs", "plagiarism"), help: "results" },
    paragraphs: { type: "int", min: 1, defaultText: "400", help: "paragraphs per split" },
    "max-train": { type: "int", min: 1, help: "at most N training pairs" },
    "max-eval": { type: "int", min: 1, help: "at most N evaluation pairs" },
    epochs: { type: "number", above: 0, defaultText: "2", help: "epochs" },
    batch: { type: "int", min: 1, help: "rows per batch" },
    lr: { type: "number", above: 0, help: "learning rate" },
    "max-length": { type: "int", min: 8, defaultText: "128", help: "tokens per row" },
    seed: { type: "int", min: 0, defaultText: "0", help: "seed" },
    parts: { type: "string", list: true, choices: PARTS, defaultText: "all", help: "parts to run" },
    quiet: { type: "boolean", help: "no progress bar" },
    backend: BACKEND_FLAG,
  },
  async run(v) {
    const r = await runPlagiarism({
      models: namedDirs(v.model),
      out: v.out,
      paragraphs: v.paragraphs,
      maxTrain: v["max-train"],
      maxEval: v["max-eval"],
      config: defined({
        epochs: v.epochs,
        batchSize: v.batch,
        lr: v.lr,
        maxLength: v["max-length"],
        seed: v.seed,
      }),
      parts: v.parts as never,
      backend: v.backend,
      progress: !v.quiet,
      command: command(["plagiarism", ...Deno.args.slice(1)]),
      log,
    });
    const { formatPlagiarismTable } = await import("./plagiarism.ts");
    console.log(formatPlagiarismTable(r));
    console.log(
      `\nwritten: ${join(v.out, "plagiarism.md")}, ${join(v.out, "plagiarism.json")}`,
    );
  },
});

const report = defineCommand({
  summary: "One markdown report + JSON + SVG plots of every result found.",
  flags: {
    out: { type: "string", arg: "DIR", required: true, help: "report folder" },
    nlu: { type: "string", arg: "DIR", multiple: true, help: "folder holding nlu.json" },
    plagiarism: { type: "string", arg: "DIR", multiple: true, help: "plagiarism results" },
    compare: { type: "string", arg: "DIR", multiple: true, help: "distill compare results" },
    bench: { type: "string", arg: "DIR", multiple: true, help: "bench results" },
    wsd: {
      type: "string",
      arg: "NAME=FILE.key",
      multiple: true,
      help: "WordNet 3.0 answers on ALL",
    },
    model: {
      type: "string",
      arg: "NAME=DIR",
      multiple: true,
      help: "models expected in the report (absent ones are listed as missing)",
    },
    "no-baselines": { type: "boolean", help: "skip running the WSD baselines" },
  },
  async run(v) {
    const pairs = (list: string[], flag: string) =>
      list.map((s) => {
        const i = s.indexOf("=");
        if (i <= 0) throw new UsageError(`--${flag} takes NAME=PATH, got "${s}"`);
        return { name: s.slice(0, i), path: s.slice(i + 1) };
      });
    const r = await buildReport({
      out: v.out,
      nlu: v.nlu.length ? v.nlu : undefined,
      plagiarism: v.plagiarism.length ? v.plagiarism : undefined,
      compare: v.compare.length ? v.compare : undefined,
      bench: v.bench.length ? v.bench : undefined,
      wsd: pairs(v.wsd, "wsd"),
      models: pairs(v.model, "model"),
      baselines: !v["no-baselines"],
      command: command(["report", ...Deno.args.slice(1)]),
      log,
    });
    console.log(`report written: ${r.files.join(", ")}`);
    for (const m of r.missing) console.log(`missing: ${m}`);
  },
});

const mlm = defineCommand({
  summary: "Held-out masked-LM loss, the loss with word order shuffled (order gain ≈ 0: the " +
    "model is\nstill a bag of words) and the unigram reference, per model, on the same masked rows.",
  flags: {
    model: {
      type: "string",
      arg: "NAME=DIR",
      multiple: true,
      help: "checkpoint or run folder (at least one)",
    },
    data: {
      type: "string",
      arg: "PATH",
      defaultText: "the data folder's corpus, else wordnet",
      help: "text folder or file, or wordnet",
    },
    batches: { type: "int", min: 1, defaultText: "16", help: "held-out batches" },
    rows: { type: "int", min: 1, defaultText: "32", help: "rows per batch" },
    seq: { type: "int", min: 8, defaultText: "128", help: "tokens per row" },
    seed: { type: "int", min: 0, defaultText: "1234", help: "masking seed" },
    out: { type: "string", arg: "DIR", default: join("runs", "mlm"), help: "results folder" },
    backend: BACKEND_FLAG,
  },
  async run(v) {
    const models = namedDirs(v.model);
    if (models.length === 0) throw new UsageError("mlm needs --model NAME=DIR");
    const r = await evaluateMlm({
      models,
      data: v.data ?? defaultCorpus("text"),
      batches: v.batches,
      rows: v.rows,
      seqLen: v.seq,
      seed: v.seed,
      out: v.out,
      backend: v.backend,
      command: command(["mlm", ...Deno.args.slice(1)]),
    });
    console.log(formatMlmTable(r));
    console.log(`\nwritten: ${r.files.join(", ")}`);
  },
});

/** `deno task eval`. */
export const EVAL_PROGRAM: Program = {
  summary: "WSD scoring and baselines, NLU, plagiarism, masked-LM loss, and the report.",
  commands: { score, wsd, nlu, plagiarism, mlm, report } as Program["commands"],
};

if (import.meta.main) await runMain("deno task eval", EVAL_PROGRAM);
