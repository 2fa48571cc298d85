/**
 * `deno task eval report`: one markdown report, its JSON, and SVG plots, gathering every number
 * that exists: the WSD baselines (run here, WordNet 3.0 and 3.1) beside the published numbers and
 * any system key files given, the NLU and plagiarism results of the run folders given, distill's
 * convergence experiments (`compare.json`) and the bench (`bench.json`), each with the command
 * line and seeds that produced it. Expected models that have no results are listed as missing.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import {
  type LineChart,
  lineChartSvg,
  REPO_ROOT,
  type Series,
  writeFileAtomic,
} from "@cohesive/shared";
import { pct } from "./metrics.ts";
import { formatNluTable, type NluReport } from "./nlu.ts";
import { NLU_TASK_SPECS } from "./nlu_data.ts";
import { formatPlagiarismTable, type PlagiarismReport } from "./plagiarism.ts";
import { formatMlmTable, type MlmEvalResult } from "./mlm.ts";
import { SPIN_SETTINGS } from "./spinner.ts";
import {
  formatWsdBaselines,
  PUBLISHED_WSD,
  runWsdBaselines,
  WSD_DATASETS,
  type WsdBaselinesReport,
} from "./wsd_baselines.ts";
import { readScorerKeys, scoreWsd, type WsdReport } from "./wsd_score.ts";
import { requireDataDir } from "@cohesive/shared";
import { readRaganatoXml } from "@cohesive/lexical";

/** A named path (a model folder or a key file). */
export interface NamedPath {
  /** Name in the report. */
  name: string;
  /** The path. */
  path: string;
}

/** Options of {@link buildReport}. */
export interface ReportOptions {
  /** Output folder. */
  out: string;
  /** Progress lines of the long steps (the WSD baselines). Default: none. */
  log?: (line: string) => void;
  /** Folders holding `nlu.json` (default `runs/nlu` when it exists). */
  nlu?: string[];
  /** Folders holding `plagiarism.json` (default `runs/plagiarism` when it exists). */
  plagiarism?: string[];
  /** Folders holding distill's `compare.json` (default every `runs/*` that has one). */
  compare?: string[];
  /** Folders holding `bench.json` (default `runs/bench` when it exists). */
  bench?: string[];
  /** Folders holding `mlm.json` from `eval mlm` (default `runs/mlm` when it exists). */
  mlm?: string[];
  /**
   * WSD system answers on ALL (WordNet 3.0 keys), scored against the gold keys; a system named
   * like an expected model counts as that model's WSD result.
   */
  wsd?: NamedPath[];
  /** Models the report expects (listed as missing when their folder is absent). */
  models?: NamedPath[];
  /** Run the WSD baselines (default true). */
  baselines?: boolean;
  /** Which baselines (default every lexical baseline). */
  baselineMethods?: string[];
  /** The data folder (default the resolved one). */
  dataDir?: string;
  /** Recorded in the report. */
  command?: string;
}

/** Distill's `compare.json`, as far as the report reads it. */
export interface CompareJson {
  /** Teachers and their held-out loss. */
  teachers: { spec: string; heldoutLoss: number; layers: number; hidden: number }[];
  /** The single-teacher student's final held-out loss. */
  threshold: number;
  /** Each student variant's curve and outcome. */
  variants: {
    variant: string;
    curve: [number, number][];
    final: number;
    stepsToThreshold: number | null;
    seconds: number;
  }[];
  /** Steps to the threshold, confidence-weighted / single teacher. */
  ratio: number | null;
  /** The student run config (seed, steps, batch, data, model). */
  config: Record<string, unknown>;
}

/** A bench measurement of ours. */
export type BenchOurs =
  | { mode: string; backend: string; tokens_per_s: number; step_ms: number; gflops: number }
  | { mode: string; backend: string; error: string };

/** A bench measurement of the PyTorch peer. */
export type BenchPeer =
  | { mode: string; tokens_per_s: number; threads?: number; torch_version?: string }
  | { mode: string; error: string };

/** The eval bench's `bench.json`, as far as the report reads it. */
export interface BenchJson {
  /** When it ran. */
  date?: string;
  /** The machine's fp32 peak estimate. */
  peak?: { gflops: number; basis: string } | null;
  /** The PyTorch peer's description. */
  peerInfo?: string;
  /** Our measurements. */
  ours: BenchOurs[];
  /** PyTorch's. */
  peer: BenchPeer[];
  /** The bench's command-line arguments. */
  args?: string[];
}

/** Everything the report holds, as written to `report.json`. */
export interface ReportJson {
  /** Always `cohesive-report`. */
  kind: "cohesive-report";
  /** ISO date. */
  date: string;
  /** The report's own command. */
  command?: string;
  /** WSD: baselines, published numbers, system files. */
  wsd: {
    baselines?: WsdBaselinesReport;
    baselinesCommand?: string;
    published: typeof PUBLISHED_WSD;
    systems: { name: string; file: string; report?: WsdReport; missing?: string }[];
  };
  /** NLU run reports, by folder. */
  nlu: { dir: string; report?: NluReport; missing?: string }[];
  /** Plagiarism run reports, by folder. */
  plagiarism: { dir: string; report?: PlagiarismReport; missing?: string }[];
  /** Distill convergence experiments, by folder. */
  convergence: { dir: string; report?: CompareJson; missing?: string }[];
  /** Bench runs, by folder. */
  bench: { dir: string; report?: BenchJson; missing?: string }[];
  /** `eval mlm` results: held-out MLM loss and word-order gain. */
  mlm: { dir: string; report?: MlmEvalResult; missing?: string }[];
  /** Expected models: found or missing. */
  models: { name: string; path: string; present: boolean; usedIn: string[] }[];
}

async function readJson<T>(file: string): Promise<T | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(file)) as T;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw new SyntaxError(`${file}: ${(e as Error).message}`);
  }
}

/** `runs/<name>` of the repository, the default place of a kind of result. */
function inRuns(name: string): string[] {
  return [join(REPO_ROOT, "runs", name)];
}

function defaults(given: string[] | undefined, fallback: string[]): string[] {
  return given && given.length ? given : fallback.filter((d) => existsSync(d));
}

async function compareDirs(): Promise<string[]> {
  const runs = join(REPO_ROOT, "runs");
  const out: string[] = [];
  if (!existsSync(runs)) return out;
  for await (const e of Deno.readDir(runs)) {
    if (e.isDirectory && existsSync(join(runs, e.name, "compare.json"))) {
      out.push(join(runs, e.name));
    }
  }
  return out.sort();
}

const f1 = (x: number | undefined) => (x === undefined || Number.isNaN(x) ? "—" : x.toFixed(1));

function rel(p: string): string {
  const r = relative(Deno.cwd(), resolve(p));
  return r.startsWith("..") ? resolve(p) : r || ".";
}

/** What the collect step gathers: the report's JSON, what is missing, and the NLU loss curves. */
interface Collected {
  json: ReportJson;
  missing: string[];
  nluCurves: Series[];
}

/** A plot the render step asks for: its file name in the output folder and its chart. */
interface Plot {
  file: string;
  chart: LineChart;
}

/** One rendered section: markdown lines and the plots they show. */
interface Section {
  md: string[];
  plots: Plot[];
}

/** Build the report into `o.out`: `report.md`, `report.json` and the SVG plots. */
export async function buildReport(
  o: ReportOptions,
): Promise<{ files: string[]; missing: string[] }> {
  const collected = await collect(o);
  const { md, plots } = render(collected, o.command);
  await Deno.mkdir(o.out, { recursive: true });
  const files = await plot(plots, o.out);
  await writeFileAtomic(join(o.out, "report.md"), md.join("\n"));
  await writeFileAtomic(
    join(o.out, "report.json"),
    JSON.stringify(collected.json, null, 2) + "\n",
  );
  files.unshift(join(o.out, "report.md"), join(o.out, "report.json"));
  return { files, missing: collected.missing };
}

// --- collect -------------------------------------------------------------------------------------

async function collect(o: ReportOptions): Promise<Collected> {
  const missing: string[] = [];
  const runs = <T>(dirs: string[], file: string, kind: string) =>
    loadRuns<T>(dirs, file, kind, missing);
  const json: ReportJson = {
    kind: "cohesive-report",
    date: new Date().toISOString(),
    command: o.command,
    wsd: await collectWsd(o, missing),
    nlu: await runs<NluReport>(defaults(o.nlu, inRuns("nlu")), "nlu.json", "NLU"),
    plagiarism: await runs<PlagiarismReport>(
      defaults(o.plagiarism, inRuns("plagiarism")),
      "plagiarism.json",
      "plagiarism",
    ),
    convergence: await runs<CompareJson>(
      o.compare?.length ? o.compare : await compareDirs(),
      "compare.json",
      "convergence",
    ),
    bench: await runs<BenchJson>(defaults(o.bench, inRuns("bench")), "bench.json", "bench"),
    mlm: await runs<MlmEvalResult>(defaults(o.mlm, inRuns("mlm")), "mlm.json", "masked-LM"),
    models: [],
  };
  json.models = collectModels(o.models ?? [], json, missing);
  return { json, missing, nluCurves: await nluCurves(json.nlu) };
}

/** The WSD baselines (run here) and the given systems' answers scored on ALL. */
async function collectWsd(o: ReportOptions, missing: string[]): Promise<ReportJson["wsd"]> {
  const wsd: ReportJson["wsd"] = { published: PUBLISHED_WSD, systems: [] };
  if (o.baselines ?? true) {
    wsd.baselines = await runWsdBaselines({
      dataDir: o.dataDir,
      methods: o.baselineMethods,
      log: o.log,
    });
    wsd.baselinesCommand = `deno task eval wsd${
      o.baselineMethods ? ` --methods ${o.baselineMethods.join(",")}` : ""
    } (run by the report; WordNet 3.0 and 3.1; deterministic, no seed)`;
  }
  if (!o.wsd?.length) return wsd;
  const data = o.dataDir ?? requireDataDir("WSD scoring");
  const base = join(data, "wsd", "Evaluation_Datasets", "ALL", "ALL");
  const corpus = await readRaganatoXml(`${base}.data.xml`);
  const gold = (await readScorerKeys(`${base}.gold.key.txt`)).keys;
  for (const s of o.wsd) {
    if (!existsSync(s.path)) {
      wsd.systems.push({ name: s.name, file: s.path, missing: `${s.path} does not exist` });
      missing.push(`WSD system ${s.name}: ${s.path} does not exist`);
      continue;
    }
    const system = (await readScorerKeys(s.path)).keys;
    wsd.systems.push({
      name: s.name,
      file: s.path,
      report: scoreWsd(gold, system, { corpus, systemFile: s.path, goldFile: "ALL.gold.key.txt" }),
    });
  }
  return wsd;
}

/** `file` of every run folder in `dirs`; a folder without it is noted as missing. */
async function loadRuns<T>(
  dirs: string[],
  file: string,
  kind: string,
  missing: string[],
): Promise<{ dir: string; report?: T; missing?: string }[]> {
  const out: { dir: string; report?: T; missing?: string }[] = [];
  for (const dir of dirs) {
    const report = await readJson<T>(join(dir, file));
    if (report) out.push({ dir, report });
    else {
      out.push({ dir, missing: `${join(dir, file)} not found` });
      missing.push(`${kind}: ${join(dir, file)} not found`);
    }
  }
  return out;
}

/** Each expected model: present or not, and the results that used it. */
function collectModels(
  models: NamedPath[],
  json: ReportJson,
  missing: string[],
): ReportJson["models"] {
  return models.map((m) => {
    const present = existsSync(m.path);
    const abs = resolve(m.path);
    const usedIn: string[] = [];
    for (const w of json.wsd.systems) {
      if (w.name === m.name && w.report) usedIn.push(`WSD ${rel(w.file)}`);
    }
    for (const n of json.nlu) {
      const models = n.report?.models ?? [];
      if (models.some((x) => resolve(x.model) === abs || resolve(x.checkpoint).startsWith(abs))) {
        usedIn.push(`NLU ${rel(n.dir)}`);
      }
    }
    for (const p of json.plagiarism) {
      if (p.report?.systems.some((s) => s.dir && resolve(s.dir) === abs && !s.missing)) {
        usedIn.push(`plagiarism ${rel(p.dir)}`);
      }
    }
    if (!present) missing.push(`model ${m.name}: ${m.path} does not exist`);
    return { name: m.name, path: m.path, present, usedIn };
  });
}

/** The training-loss curve of every fine-tuned task of every NLU run. */
async function nluCurves(runs: ReportJson["nlu"]): Promise<Series[]> {
  const series: Series[] = [];
  for (const n of runs) {
    for (const m of n.report?.models ?? []) {
      for (const t of m.tasks) {
        const curve = await readJsonl(join(n.dir, m.name, t.task, "metrics.jsonl"));
        const pts = curve.filter((x) => typeof x.loss === "number" && typeof x.step === "number")
          .map((x) => [x.step as number, x.loss as number] as [number, number]);
        if (pts.length > 1) series.push({ name: `${m.name} ${t.task}`, points: pts });
      }
    }
  }
  return series;
}

// --- render --------------------------------------------------------------------------------------

function render(c: Collected, command: string | undefined): Section {
  const { json, missing } = c;
  const sections: Section[] = [
    {
      md: [
        "# cohesive evaluation report",
        "",
        `Generated ${json.date}${command ? ` by \`${command}\`` : ""}. Every number below was ` +
        "measured by the run named beside it; a model without results is listed as missing.",
        "",
        ...renderModels(json.models),
      ],
      plots: [],
    },
    renderWsd(json.wsd),
    renderNlu(json.nlu, c.nluCurves),
    renderPlagiarism(json.plagiarism),
    renderConvergence(json.convergence),
    renderBench(json.bench),
    renderMlm(json.mlm),
  ];
  if (missing.length) {
    sections.push({ md: ["## Missing", "", ...missing.map((m) => `- ${m}`), ""], plots: [] });
  }
  return { md: sections.flatMap((s) => s.md), plots: sections.flatMap((s) => s.plots) };
}

function renderModels(models: ReportJson["models"]): string[] {
  if (!models.length) return [];
  const md = ["## Models", "", "| model | folder | status | results in |", "|---|---|---|---|"];
  for (const m of models) {
    md.push(
      `| ${m.name} | ${m.path} | ${m.present ? "present" : "**missing**"} | ${
        m.usedIn.join(", ") || (m.present ? "no results yet" : "—")
      } |`,
    );
  }
  md.push("");
  return md;
}

function renderWsd(wsd: ReportJson["wsd"]): Section {
  const section: Section = {
    md: ["## Word sense disambiguation (F1 on Raganato et al.'s framework)", ""],
    plots: [],
  };
  if (wsd.baselines) {
    section.md.push(...renderWsdBaselines(wsd.baselines, wsd.baselinesCommand));
    const file = "wsd_f1.svg";
    section.plots.push({ file, chart: wsdChart(wsd.baselines, wsd.systems) });
    section.md.push(`![WSD F1](${file})`, "");
  } else section.md.push("WSD baselines not run (--no-baselines).", "");
  section.md.push(...renderWsdSystems(wsd.systems));
  return section;
}

function renderWsdBaselines(b: WsdBaselinesReport, command: string | undefined): string[] {
  const md = [
    formatWsdBaselines(b),
    "",
    "Scorer: `Scorer.java` semantics (eval/wsd_score.ts). Baselines answer with the inventory's " +
    "keys; WordNet 3.1 answers are mapped to the WordNet 3.0 gold keys through lemma and synset:",
    "",
  ];
  for (const r of b.results.filter((r) => r.report.mapping)) {
    const m = r.report.mapping!;
    md.push(
      `- ${r.method} (WordNet ${m.from}): ${m.identical} keys identical, ${m.mapped} mapped, ` +
        `${m.unmappable} unmappable.`,
    );
  }
  for (const c of b.coverage) {
    const lacking = c.uncoveredExamples.slice(0, 7).map(([, k]) => k.join("/")).join(", ");
    md.push(
      `- WordNet ${c.version} holds a gold key for ${c.covered} of ${c.total} ALL instances` +
        (c.uncoveredExamples.length ? ` (lacking: ${lacking})` : "") + ".",
    );
  }
  md.push("", `Command: ${command}.`, "");
  return md;
}

function renderWsdSystems(systems: ReportJson["wsd"]["systems"]): string[] {
  if (!systems.length) {
    return [
      "No WSD model answers were given (`--wsd NAME=FILE.key`): our LMGC / LMGC-M students have " +
      "no WSD results in this report.",
      "",
    ];
  }
  const md = [
    "Systems given as key files (ALL, WordNet 3.0 keys; made with e.g. `deno task lexical " +
    "predict --model DIR --input ALL.data.xml --out FILE.key --wordnet 3.0`, deterministic):",
    "",
    `| system | ${[...WSD_DATASETS, "ALL"].join(" | ")} | file |`,
    `|---|${[...WSD_DATASETS, "ALL"].map(() => "---:").join("|")}|---|`,
  ];
  for (const s of systems) {
    if (!s.report) {
      md.push(
        `| ${s.name} | **missing**: ${s.missing} |${WSD_DATASETS.map(() => "").join("|")}| |`,
      );
      continue;
    }
    md.push(
      `| ${s.name} | ${WSD_DATASETS.map((d) => f1(s.report!.byDataset[d]?.f1)).join(" | ")} | ${
        f1(s.report.all.f1)
      } | ${s.file} |`,
    );
  }
  md.push("");
  return md;
}

/** A run folder's report, or why it is missing. */
type Run<T> = { dir: string; report?: T; missing?: string };

/**
 * A section over run folders: its title, `none` when there is no run (no section at all when
 * `none` is undefined), a line for each missing report and `each` for every report.
 */
function renderRuns<T>(
  title: string,
  none: string | undefined,
  runs: Run<T>[],
  each: (r: T, dir: string, i: number, section: Section) => void,
): Section {
  const section: Section = { md: [], plots: [] };
  if (!runs.length && none === undefined) return section;
  section.md.push(`## ${title}`, "");
  if (!runs.length) section.md.push(none!, "");
  for (const [i, run] of runs.entries()) {
    if (run.report) each(run.report, run.dir, i, section);
    else section.md.push(`- ${rel(run.dir)}: **missing** (${run.missing})`, "");
  }
  return section;
}

function renderNlu(runs: ReportJson["nlu"], curves: Series[]): Section {
  const none = "No NLU results found (run `deno task eval nlu --model DIR --task all`).";
  const section = renderRuns("NLU (GLUE-style)", none, runs, (r, dir, _i, { md }) => {
    const c = r.config;
    const metrics = Object.values(NLU_TASK_SPECS).map((s) => `${s.title}: ${s.metrics.join("/")}`);
    md.push(
      `From ${rel(dir)} (${r.date}, backend ${r.backend}):`,
      "",
      formatNluTable(r),
      "",
      `Scores ×100 (${metrics.join("; ")}). ` +
        `Fine-tuning ${c.epochs} epoch(s), batch ${c.batchSize}, lr ${c.lr}, max length ${c.maxLength}, ` +
        `seed ${c.seed}, split seed ${c.splitSeed}` +
        (c.maxTrain ? `, ≤ ${c.maxTrain} training examples` : "") +
        (c.maxEval ? `, ≤ ${c.maxEval} evaluation examples` : "") + ".",
      r.command ? `Command: \`${r.command}\`` : "",
      "",
    );
  });
  if (!curves.length) return section;
  const file = "nlu_loss.svg";
  section.md.push(`![NLU fine-tuning loss](${file})`, "");
  section.plots.push({
    file,
    chart: {
      title: "NLU fine-tuning loss",
      xLabel: "step",
      yLabel: "training loss",
      series: curves,
    },
  });
  return section;
}

const SPINS = Object.keys(SPIN_SETTINGS) as (keyof typeof SPIN_SETTINGS)[];

function renderPlagiarism(runs: ReportJson["plagiarism"]): Section {
  const none = "No plagiarism results found (run `deno task eval plagiarism --model NAME=DIR`).";
  return renderRuns("Plagiarism detection", none, runs, (r, dir, i, { md, plots }) => {
    md.push(`From ${rel(dir)} (${r.date}):`, "", formatPlagiarismTable(r), "");
    if (r.spin) {
      const rates = SPINS.map((s) => `${s} ${pct(r.spin!.stats[s].test.realised)} %`);
      const absent = r.systems.filter((s) => s.missing).map((s) => s.name).join(", ") || "none";
      md.push(
        `Spinner over corpus paragraphs split by source file (train: ${
          r.spin.trainFiles.join(", ")
        }; test: ${r.spin.testFiles.join(", ")}), realised replacement rates ${
          rates.join(", ")
        }; seed ${r.config.seed}. Missing systems: ${absent}.`,
      );
    }
    md.push(r.command ? `Command: \`${r.command}\`` : "", "");
    const chart = spinChart(r);
    if (!chart) return;
    const file = `plagiarism_spin_${i}.svg`;
    plots.push({ file, chart });
    md.push(`![spin detection](${file})`, "");
  });
}

function renderConvergence(runs: ReportJson["convergence"]): Section {
  const none = "No convergence experiment found (run `deno task distill compare`).";
  return renderRuns("Convergence (distill)", none, runs, (r, dir, i, { md, plots }) => {
    const cfg = r.config as Record<string, unknown>;
    const teachers = r.teachers.map((t) => `${t.spec} (held-out loss ${t.heldoutLoss.toFixed(3)})`);
    md.push(
      `From ${rel(dir)}: student ${JSON.stringify(cfg.model ?? {})}, ${cfg.steps} steps of ` +
        `${cfg.batchSize} × ${cfg.seqLen} tokens, data ${cfg.data}, seed ${cfg.seed}; teachers ${
          teachers.join(", ")
        }.`,
      "",
      "| student | final held-out loss | steps to threshold | train s |",
      "|---|---:|---:|---:|",
      ...r.variants.map((v) =>
        `| ${v.variant} | ${v.final.toFixed(3)} | ${
          v.stepsToThreshold === null ? "—" : v.stepsToThreshold.toFixed(1)
        } | ${v.seconds.toFixed(0)} |`
      ),
      "",
      `Threshold ${r.threshold.toFixed(3)} (single-teacher final loss); ratio of steps ` +
        `(confidence-weighted / single teacher): ${r.ratio === null ? "—" : r.ratio.toFixed(2)}.`,
      "",
    );
    const file = `convergence_${i}.svg`;
    plots.push({
      file,
      chart: {
        title: `Held-out MLM loss (${rel(dir)})`,
        xLabel: "step",
        yLabel: "held-out loss",
        series: r.variants.map((v) => ({ name: v.variant, points: v.curve })),
        hlines: [{ y: r.threshold, label: "threshold" }],
      },
    });
    md.push(`![convergence](${file})`, "");
  });
}

function renderBench(runs: ReportJson["bench"]): Section {
  const none = "No bench results found (run `deno task bench`).";
  return renderRuns("Speed (bench)", none, runs, (r, dir, _i, { md }) => {
    md.push(
      `From ${rel(dir)} (${r.date ?? "?"}; PyTorch peer: ${r.peerInfo || "none"}):`,
      "",
      "| mode | ours (backend) tokens/s | PyTorch tokens/s | ours / PyTorch |",
      "|---|---:|---:|---:|",
      ...r.ours.map((ours) => benchRow(ours, r.peer)),
      "",
      `Command: \`deno task bench ${(r.args ?? []).join(" ")}\``,
      "",
    );
  });
}

function benchRow(ours: BenchOurs, peers: BenchPeer[]): string {
  const peer = peers.find((p) => p.mode === ours.mode);
  const pt = peer && !("error" in peer) ? peer.tokens_per_s : undefined;
  if ("error" in ours) {
    return `| ${ours.mode} | ${ours.backend}: failed (${ours.error}) | ${
      pt?.toFixed(0) ?? "—"
    } | — |`;
  }
  return `| ${ours.mode} | ${ours.tokens_per_s.toFixed(0)} (${ours.backend}) | ${
    pt?.toFixed(0) ?? "—"
  } | ${pt ? (ours.tokens_per_s / pt).toFixed(2) + "×" : "—"} |`;
}

function renderMlm(runs: ReportJson["mlm"]): Section {
  return renderRuns("Masked-LM loss and word order", undefined, runs, (r, dir, _i, { md }) => {
    md.push(`From ${rel(dir)}:`, "", formatMlmTable(r), "");
  });
}

// --- plot ----------------------------------------------------------------------------------------

/** F1 per dataset of first sense (both WordNets), the WordNet 3.0 baselines and the systems. */
function wsdChart(b: WsdBaselinesReport, systems: ReportJson["wsd"]["systems"]): LineChart {
  const perDataset = (r: WsdReport) =>
    WSD_DATASETS.map((d, i) => [i + 1, r.byDataset[d]?.f1 ?? NaN] as [number, number]);
  const series: Series[] = b.results
    .filter((r) => r.method === "first-sense" || r.wordnet === "3.0")
    .map((r) => ({
      name: `${r.method} (WN ${r.wordnet})`,
      points: perDataset(r.report),
      dashed: r.wordnet !== "3.0",
    }));
  for (const s of systems) {
    if (s.report) series.push({ name: s.name, points: perDataset(s.report) });
  }
  return {
    title: `WSD F1 per dataset (1 = ${WSD_DATASETS.join(", ")})`,
    xLabel: "dataset",
    yLabel: "F1",
    series,
    hlines: PUBLISHED_WSD.filter((p) => p.all > 70).map((p) => ({
      y: p.all,
      label: `${p.system} ALL`,
    })),
  };
}

/** F1-macro by test spin rate, one line per system and training spin; undefined when none. */
function spinChart(r: PlagiarismReport): LineChart | undefined {
  const series: Series[] = [];
  for (const s of r.systems) {
    for (const tr of SPINS) {
      const row = s.spin?.[tr];
      if (!row) continue;
      series.push({
        name: `${s.name} (trained ${tr})`,
        points: SPINS.filter((te) => row[te])
          .map((te) => [SPIN_SETTINGS[te], 100 * row[te]!.f1Macro] as [number, number]),
        dashed: tr === "heavy",
      });
    }
  }
  if (!series.length) return undefined;
  return {
    title: "Spun-paragraph detection: F1-macro by test spin rate",
    xLabel: "test spin rate (fraction of content words)",
    yLabel: "F1-macro",
    series,
  };
}

/** Write every plot as SVG into `out`; returns their paths. */
async function plot(plots: Plot[], out: string): Promise<string[]> {
  const files: string[] = [];
  for (const p of plots) {
    await writeFileAtomic(join(out, p.file), lineChartSvg(p.chart));
    files.push(join(out, p.file));
  }
  return files;
}

async function readJsonl(file: string): Promise<Record<string, unknown>[]> {
  try {
    return (await Deno.readTextFile(file)).split("\n").filter((l) => l.trim()).map((l) =>
      JSON.parse(l)
    );
  } catch {
    return [];
  }
}
