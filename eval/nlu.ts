/**
 * GLUE-style NLU evaluation of a student: fine-tune a {@link SequenceClassifier} per task on the
 * task's training split (optionally a seeded subset, for short runs), evaluate on its dev split
 * (and on the labelled test split where the release has one), and write a GLUE-like table.
 *
 * Output folder: `nlu.json` and `nlu.md` (every model and task), and per model and task
 * `<model>/<task>/` holding `metrics.jsonl` (training curve) and `model/` (the fine-tuned
 * checkpoint with its `classifier` head, re-evaluated with `evalOnly`).
 *
 * @module
 */
import { existsSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { initRuntime, writeFileAtomic } from "@cohesive/shared";
import {
  DEFAULT_FINE_TUNE,
  fineTune,
  type FineTuneConfig,
  MissingHeadError,
  requireClassifierHead,
  SequenceClassifier,
} from "./classifier.ts";
import { accuracy, f1Score, matthews, pct, pearson, spearman } from "./metrics.ts";
import {
  loadNluTask,
  NLU_TASK_SPECS,
  type NluData,
  type NluExample,
  type NluMetric,
  type NluTaskName,
  type NluTaskSpec,
  subsample,
} from "./nlu_data.ts";

/** The metrics of `spec` from the model outputs (`logits` rows) and gold labels. */
export function taskMetrics(
  spec: NluTaskSpec,
  logits: readonly number[][],
  gold: readonly number[],
): Partial<Record<NluMetric, number>> {
  const out: Partial<Record<NluMetric, number>> = {};
  if (spec.numLabels === 1) {
    const pred = logits.map((l) => l[0]);
    out.pearson = pearson(pred, gold);
    out.spearman = spearman(pred, gold);
    return out;
  }
  const pred = logits.map((l) => l.indexOf(Math.max(...l)));
  for (const m of spec.metrics) {
    if (m === "accuracy") out.accuracy = accuracy(pred, gold);
    if (m === "f1") out.f1 = f1Score(pred, gold, 1);
    if (m === "matthews") out.matthews = matthews(pred, gold);
  }
  return out;
}

/** A task's GLUE score: the mean of its metrics. */
export function taskScore(metrics: Partial<Record<NluMetric, number>>): number {
  const v = Object.values(metrics).filter((x): x is number => typeof x === "number");
  return v.length ? v.reduce((a, b) => a + b, 0) / v.length : NaN;
}

/** One task's outcome for one model. */
export interface NluTaskResult {
  /** The task. */
  task: NluTaskName;
  /** Dev metrics (fractions / correlations). */
  dev: Partial<Record<NluMetric, number>>;
  /** Labelled test metrics, where the release has a labelled test set. */
  test?: Partial<Record<NluMetric, number>>;
  /** Examples used: train (after `maxTrain`), dev and test (after `maxEval`). */
  sizes: { train: number; dev: number; test?: number };
  /** Optimizer updates run (0 with `evalOnly`). */
  steps: number;
  /** Mean training loss of the last update (NaN with `evalOnly`). */
  finalLoss: number;
  /** Seconds of fine-tuning and of evaluation. */
  seconds: { train: number; eval: number };
  /** How the splits were made. */
  notes: string[];
  /** Where the fine-tuned model is (or was read from). */
  modelDir: string;
}

/** One model's outcome. */
export interface NluModelResult {
  /** What was passed as `--model`. */
  model: string;
  /** The name used for its folder and table row. */
  name: string;
  /** The checkpoint folder read. */
  checkpoint: string;
  /** Per task, in the order run. */
  tasks: NluTaskResult[];
}

/** What {@link runNlu} writes to `nlu.json`. */
export interface NluReport {
  /** Always `nlu`. */
  kind: "nlu";
  /** The command line (when run from the CLI). */
  command?: string;
  /** ISO date. */
  date: string;
  /** The tfjs backend. */
  backend: string;
  /** Fine-tuning settings. */
  config: FineTuneConfig & { maxTrain?: number; maxEval?: number; splitSeed: number };
  /** Per model. */
  models: NluModelResult[];
}

/** Options of {@link runNlu}. */
export interface NluOptions {
  /** Model folders (checkpoint or run folders). */
  models: string[];
  /** Tasks, in order. */
  tasks: NluTaskName[];
  /** Output folder. */
  out: string;
  /** Fine-tuning settings (defaults {@link DEFAULT_FINE_TUNE}). */
  config?: Partial<FineTuneConfig>;
  /** At most this many training examples (seeded subset). */
  maxTrain?: number;
  /** At most this many dev / test examples (seeded subset). */
  maxEval?: number;
  /** Seed of MRPC's and QQP's dev draws. Default 0. */
  splitSeed?: number;
  /** Evaluate the classifier head already in the model folder, without fine-tuning. */
  evalOnly?: boolean;
  /** The `nlu/` folder (default the data folder's). */
  dataDir?: string;
  /** tfjs backend (default: keep the active one, else choose). */
  backend?: string;
  /** Progress bars (default true). */
  progress?: boolean;
  /** Recorded in the report. */
  command?: string;
  /** Called with one line per finished task. */
  log?: (line: string) => void;
}

/** With `evalOnly`, a folder written by {@link runNlu} holds one fine-tuned model per task. */
function evalSource(model: string, task: NluTaskName): string {
  return existsSync(join(model, task, "model")) ? join(model, task, "model") : model;
}

function modelNames(models: string[]): string[] {
  const seen = new Map<string, number>();
  return models.map((m) => {
    const base = basename(resolve(m)).replace(/[^\w.-]+/g, "_") || "model";
    const n = (seen.get(base) ?? 0) + 1;
    seen.set(base, n);
    return n === 1 ? base : `${base}-${n}`;
  });
}

/**
 * Fine-tune and evaluate every model on every task; write `nlu.json` and `nlu.md` into `out`
 * (rewritten after each task, so a long run shows its progress).
 *
 * @throws {Deno.errors.NotFound} for a missing dataset file or model folder.
 * @throws {MissingHeadError} with `evalOnly` when a folder has no classifier head for the task.
 */
export async function runNlu(o: NluOptions): Promise<NluReport> {
  const cfg: FineTuneConfig = { ...DEFAULT_FINE_TUNE, ...o.config };
  const splitSeed = o.splitSeed ?? 0;
  // Validate every input before the long work: model folders and dataset files.
  for (const m of o.models) {
    if (!existsSync(m)) throw new Deno.errors.NotFound(`model folder ${m} does not exist`);
  }
  const data = new Map<NluTaskName, NluData>();
  for (const t of o.tasks) data.set(t, await loadNluTask(t, { dir: o.dataDir, splitSeed }));
  if (o.evalOnly) await checkHeads(o.models, o.tasks);
  const runtime = await initRuntime({ backend: o.backend, quiet: o.progress === false });
  const report: NluReport = {
    kind: "nlu",
    command: o.command,
    date: new Date().toISOString(),
    backend: runtime.backend,
    config: { ...cfg, maxTrain: o.maxTrain, maxEval: o.maxEval, splitSeed },
    models: [],
  };
  const names = modelNames(o.models);
  for (let mi = 0; mi < o.models.length; mi++) {
    const model = o.models[mi];
    const entry: NluModelResult = { model, name: names[mi], checkpoint: "", tasks: [] };
    report.models.push(entry);
    for (const task of o.tasks) {
      const res = await runTask(o, cfg, entry, task, data.get(task)!);
      entry.tasks.push(res);
      await writeNluReport(o.out, report);
    }
  }
  return report;
}

/** @throws {MissingHeadError} when a model lacks the classifier head of a task (`evalOnly`). */
async function checkHeads(models: string[], tasks: NluTaskName[]): Promise<void> {
  for (const m of models) {
    for (const t of tasks) {
      const { dir, meta } = await requireClassifierHead(
        evalSource(m, t),
        NLU_TASK_SPECS[t].numLabels,
      );
      if (typeof meta.task === "string" && meta.task !== t) {
        throw new MissingHeadError(
          `${dir}: its classifier head was trained for ${meta.task}, not ${t}`,
        );
      }
    }
  }
}

/** Fine-tune (unless `evalOnly`) one model on one task and evaluate it on dev (and test). */
async function runTask(
  o: NluOptions,
  cfg: FineTuneConfig,
  entry: NluModelResult,
  task: NluTaskName,
  d: NluData,
): Promise<NluTaskResult> {
  const spec = d.spec;
  const taskDir = join(o.out, entry.name, task);
  const train = subsample(d.train, o.maxTrain, cfg.seed + 1);
  const dev = subsample(d.dev, o.maxEval, cfg.seed + 2);
  const test = d.test ? subsample(d.test, o.maxEval, cfg.seed + 3) : undefined;
  const source = o.evalOnly ? evalSource(entry.model, task) : entry.model;
  const clf = await SequenceClassifier.load(source, {
    numLabels: spec.numLabels,
    requireHead: o.evalOnly,
    seed: cfg.seed,
  });
  try {
    entry.checkpoint ||= clf.source;
    const evalSet = async (xs: NluExample[]) =>
      taskMetrics(
        spec,
        await clf.predict(xs, { maxLength: cfg.maxLength }),
        xs.map((x) => x.label),
      );
    let steps = 0, finalLoss = NaN, trainSecs = 0;
    let modelDir = clf.source;
    if (!o.evalOnly) {
      const r = await fineTune(clf, train, taskDir, cfg, {
        progress: o.progress,
        meta: { task, seed: cfg.seed },
        evaluate: cfg.evalEvery > 0
          ? async () =>
            Object.fromEntries(
              Object.entries(await evalSet(dev)).map(([k, v]) => [`eval_${k}`, v]),
            )
          : undefined,
      });
      steps = r.step;
      finalLoss = r.losses.at(-1) ?? NaN;
      trainSecs = r.seconds;
      modelDir = join(taskDir, "model");
      await clf.save(modelDir, { task, seed: cfg.seed, base: clf.source, steps });
    }
    const t0 = performance.now();
    const res: NluTaskResult = {
      task,
      dev: await evalSet(dev),
      test: test ? await evalSet(test) : undefined,
      sizes: { train: o.evalOnly ? 0 : train.length, dev: dev.length, test: test?.length },
      steps,
      finalLoss,
      seconds: { train: trainSecs, eval: (performance.now() - t0) / 1000 },
      notes: d.notes,
      modelDir,
    };
    o.log?.(
      `${entry.name} ${spec.title}: ${formatTaskCell(spec, res.dev)} (dev ${dev.length}, ` +
        `train ${res.sizes.train}, ${steps} steps, ${trainSecs.toFixed(0)} s)`,
    );
    return res;
  } finally {
    clf.dispose();
  }
}

/** A task's table cell, GLUE style: `F1/acc` for MRPC and QQP, `P/S` for STS-B. */
export function formatTaskCell(
  spec: NluTaskSpec,
  m: Partial<Record<NluMetric, number>> | undefined,
): string {
  if (!m) return "—";
  return spec.metrics.map((k) => pct(m[k])).join("/");
}

/** The GLUE-like markdown table of a report (dev sets; labelled test sets below). */
export function formatNluTable(report: NluReport): string {
  const tasks = [
    ...new Set(report.models.flatMap((m) => m.tasks.map((t) => t.task))),
  ] as NluTaskName[];
  const specs = tasks.map((t) => NLU_TASK_SPECS[t]);
  const head = specs.map((s) => `${s.title} (${s.metrics.join("/")})`);
  const lines = [
    `| model | ${head.join(" | ")} | avg |`,
    `|---|${specs.map(() => "---:").join("|")}|---:|`,
  ];
  for (const m of report.models) {
    const cells: string[] = [];
    const scores: number[] = [];
    for (const s of specs) {
      const r = m.tasks.find((t) => t.task === s.name);
      cells.push(formatTaskCell(s, r?.dev));
      if (r) scores.push(taskScore(r.dev));
    }
    const avg = scores.length === specs.length && scores.length > 0
      ? pct(scores.reduce((a, b) => a + b, 0) / scores.length)
      : "—";
    lines.push(`| ${m.name} | ${cells.join(" | ")} | ${avg} |`);
  }
  const withTest = report.models.flatMap((m) =>
    m.tasks.filter((t) => t.test).map((t) =>
      `| ${m.name} | ${NLU_TASK_SPECS[t.task].title} | ${
        formatTaskCell(NLU_TASK_SPECS[t.task], t.test)
      } | ${t.sizes.test} |`
    )
  );
  if (withTest.length) {
    lines.push(
      "",
      "Labelled test sets:",
      "",
      "| model | task | score | examples |",
      "|---|---|---:|---:|",
    );
    lines.push(...withTest);
  }
  return lines.join("\n");
}

/** Markdown of a whole report: the table, settings, sizes, split notes. */
export function formatNluReport(report: NluReport): string {
  const c = report.config;
  const out = [
    "# NLU (GLUE-style dev sets)",
    "",
    formatNluTable(report),
    "",
    `Scores ×100. Fine-tuning: ${c.epochs} epoch(s), batch ${c.batchSize}, lr ${c.lr}, ` +
    `warm-up ${c.warmup}, weight decay ${c.weightDecay}, max length ${c.maxLength}, seed ${c.seed}` +
    (c.maxTrain ? `, at most ${c.maxTrain} training examples` : "") +
    (c.maxEval ? `, at most ${c.maxEval} evaluation examples` : "") +
    ` (seeded subsets); split seed ${c.splitSeed}; backend ${report.backend}.`,
    report.command ? `Command: \`${report.command}\`` : "",
    "",
    "| model | task | train | dev | steps | final loss | train s | checkpoint |",
    "|---|---|---:|---:|---:|---:|---:|---|",
  ];
  for (const m of report.models) {
    for (const t of m.tasks) {
      out.push(
        `| ${m.name} | ${t.task} | ${t.sizes.train} | ${t.sizes.dev} | ${t.steps} | ${
          typeof t.finalLoss !== "number" || Number.isNaN(t.finalLoss)
            ? "—"
            : t.finalLoss.toFixed(3)
        } | ${t.seconds.train.toFixed(0)} | ${m.checkpoint} |`,
      );
    }
  }
  const notes = new Map<string, string[]>();
  for (const m of report.models) for (const t of m.tasks) notes.set(t.task, t.notes);
  if (notes.size) {
    out.push("", "Splits:", "");
    for (const [task, ns] of notes) out.push(`- ${task}: ${ns.join("; ")}`);
  }
  return out.join("\n") + "\n";
}

/** Write `nlu.json` and `nlu.md` atomically. */
export async function writeNluReport(dir: string, report: NluReport): Promise<void> {
  await writeFileAtomic(join(dir, "nlu.json"), JSON.stringify(report, null, 2) + "\n");
  await writeFileAtomic(join(dir, "nlu.md"), formatNluReport(report));
}
