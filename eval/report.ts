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
import { lineChartSvg, REPO_ROOT, type Series, writeFileAtomic } from "@cohesive/shared";
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

/** Build the report into `o.out`: `report.md`, `report.json` and the SVG plots. */
export async function buildReport(
  o: ReportOptions,
): Promise<{ files: string[]; missing: string[] }> {
  const json: ReportJson = {
    kind: "cohesive-report",
    date: new Date().toISOString(),
    command: o.command,
    wsd: { published: PUBLISHED_WSD, systems: [] },
    nlu: [],
    plagiarism: [],
    convergence: [],
    bench: [],
    mlm: [],
    models: [],
  };
  const missing: string[] = [];

  // --- WSD ---
  if (o.baselines ?? true) {
    json.wsd.baselines = await runWsdBaselines({ dataDir: o.dataDir, methods: o.baselineMethods });
    json.wsd.baselinesCommand = `deno task eval wsd${
      o.baselineMethods ? ` --methods ${o.baselineMethods.join(",")}` : ""
    } (run by the report; WordNet 3.0 and 3.1; deterministic, no seed)`;
  }
  if (o.wsd?.length) {
    const data = o.dataDir ?? requireDataDir("WSD scoring");
    const base = join(data, "wsd", "Evaluation_Datasets", "ALL", "ALL");
    const corpus = await readRaganatoXml(`${base}.data.xml`);
    const gold = (await readScorerKeys(`${base}.gold.key.txt`)).keys;
    for (const s of o.wsd) {
      if (!existsSync(s.path)) {
        json.wsd.systems.push({ name: s.name, file: s.path, missing: `${s.path} does not exist` });
        missing.push(`WSD system ${s.name}: ${s.path} does not exist`);
        continue;
      }
      const system = (await readScorerKeys(s.path)).keys;
      json.wsd.systems.push({
        name: s.name,
        file: s.path,
        report: scoreWsd(gold, system, {
          corpus,
          systemFile: s.path,
          goldFile: "ALL.gold.key.txt",
        }),
      });
    }
  }

  // --- run folders ---
  const load = async <T>(dirs: string[], file: string, kind: string) => {
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
  };
  json.nlu = await load<NluReport>(
    defaults(o.nlu, [join(REPO_ROOT, "runs", "nlu")]),
    "nlu.json",
    "NLU",
  );
  json.plagiarism = await load<PlagiarismReport>(
    defaults(o.plagiarism, [join(REPO_ROOT, "runs", "plagiarism")]),
    "plagiarism.json",
    "plagiarism",
  );
  json.convergence = await load<CompareJson>(
    o.compare?.length ? o.compare : await compareDirs(),
    "compare.json",
    "convergence",
  );
  json.bench = await load<BenchJson>(
    defaults(o.bench, [join(REPO_ROOT, "runs", "bench")]),
    "bench.json",
    "bench",
  );
  json.mlm = await load<MlmEvalResult>(
    defaults(o.mlm, [join(REPO_ROOT, "runs", "mlm")]),
    "mlm.json",
    "masked-LM",
  );

  // --- expected models ---
  for (const m of o.models ?? []) {
    const present = existsSync(m.path);
    const abs = resolve(m.path);
    const usedIn: string[] = [];
    for (const w of json.wsd.systems) {
      if (w.name === m.name && w.report) usedIn.push(`WSD ${rel(w.file)}`);
    }
    for (const n of json.nlu) {
      if (
        n.report?.models.some((x) =>
          resolve(x.model) === abs || resolve(x.checkpoint).startsWith(abs)
        )
      ) {
        usedIn.push(`NLU ${rel(n.dir)}`);
      }
    }
    for (const p of json.plagiarism) {
      if (p.report?.systems.some((s) => s.dir && resolve(s.dir) === abs && !s.missing)) {
        usedIn.push(`plagiarism ${rel(p.dir)}`);
      }
    }
    json.models.push({ name: m.name, path: m.path, present, usedIn });
    if (!present) missing.push(`model ${m.name}: ${m.path} does not exist`);
  }

  // --- write ---
  await Deno.mkdir(o.out, { recursive: true });
  const files: string[] = [];
  const svg = async (name: string, content: string) => {
    await writeFileAtomic(join(o.out, name), content);
    files.push(join(o.out, name));
    return name;
  };
  const md: string[] = [
    "# cohesive evaluation report",
    "",
    `Generated ${json.date}${o.command ? ` by \`${o.command}\`` : ""}. Every number below was ` +
    "measured by the run named beside it; a model without results is listed as missing.",
    "",
  ];

  if (json.models.length) {
    md.push("## Models", "", "| model | folder | status | results in |", "|---|---|---|---|");
    for (const m of json.models) {
      md.push(
        `| ${m.name} | ${m.path} | ${m.present ? "present" : "**missing**"} | ${
          m.usedIn.join(", ") || (m.present ? "no results yet" : "—")
        } |`,
      );
    }
    md.push("");
  }

  md.push("## Word sense disambiguation (F1 on Raganato et al.'s framework)", "");
  if (json.wsd.baselines) {
    const b = json.wsd.baselines;
    md.push(formatWsdBaselines(b), "");
    md.push(
      "Scorer: `Scorer.java` semantics (eval/wsd_score.ts). Baselines answer with the inventory's " +
        "keys; WordNet 3.1 answers are mapped to the WordNet 3.0 gold keys through lemma and synset:",
      "",
    );
    for (const r of b.results.filter((r) => r.report.mapping)) {
      const m = r.report.mapping!;
      md.push(
        `- ${r.method} (WordNet ${m.from}): ${m.identical} keys identical, ${m.mapped} mapped, ` +
          `${m.unmappable} unmappable.`,
      );
    }
    for (const c of b.coverage) {
      md.push(
        `- WordNet ${c.version} holds a gold key for ${c.covered} of ${c.total} ALL instances` +
          (c.uncoveredExamples.length
            ? ` (lacking: ${
              c.uncoveredExamples.slice(0, 7).map(([, k]) => k.join("/")).join(", ")
            })`
            : "") +
          ".",
      );
    }
    md.push("", `Command: ${json.wsd.baselinesCommand}.`, "");
    const series: Series[] = b.results.filter((r) =>
      r.method === "first-sense" || r.wordnet === "3.0"
    )
      .map((r) => ({
        name: `${r.method} (WN ${r.wordnet})`,
        points: WSD_DATASETS.map((d, i) =>
          [i + 1, r.report.byDataset[d]?.f1 ?? NaN] as [number, number]
        ),
        dashed: r.wordnet !== "3.0",
      }));
    for (const s of json.wsd.systems.filter((s) => s.report)) {
      series.push({
        name: s.name,
        points: WSD_DATASETS.map((d, i) =>
          [i + 1, s.report!.byDataset[d]?.f1 ?? NaN] as [number, number]
        ),
      });
    }
    const name = await svg(
      "wsd_f1.svg",
      lineChartSvg({
        title: `WSD F1 per dataset (1 = ${WSD_DATASETS.join(", ")})`,
        xLabel: "dataset",
        yLabel: "F1",
        series,
        hlines: PUBLISHED_WSD.filter((p) => p.all > 70).map((p) => ({
          y: p.all,
          label: `${p.system} ALL`,
        })),
      }),
    );
    md.push(`![WSD F1](${name})`, "");
  } else md.push("WSD baselines not run (--no-baselines).", "");
  if (json.wsd.systems.length) {
    md.push(
      "Systems given as key files (ALL, WordNet 3.0 keys; made with e.g. `deno task lexical " +
        "predict --model DIR --input ALL.data.xml --out FILE.key --wordnet 3.0`, deterministic):",
      "",
    );
    md.push(`| system | ${[...WSD_DATASETS, "ALL"].join(" | ")} | file |`);
    md.push(`|---|${[...WSD_DATASETS, "ALL"].map(() => "---:").join("|")}|---|`);
    for (const s of json.wsd.systems) {
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
  } else {
    md.push(
      "No WSD model answers were given (`--wsd NAME=FILE.key`): our LMGC / LMGC-M students have " +
        "no WSD results in this report.",
      "",
    );
  }

  md.push("## NLU (GLUE-style)", "");
  if (!json.nlu.length) {
    md.push("No NLU results found (run `deno task eval nlu --model DIR --task all`).", "");
  }
  const nluSeries: Series[] = [];
  for (const n of json.nlu) {
    if (!n.report) {
      md.push(`- ${rel(n.dir)}: **missing** (${n.missing})`, "");
      continue;
    }
    const r = n.report;
    md.push(`From ${rel(n.dir)} (${r.date}, backend ${r.backend}):`, "", formatNluTable(r), "");
    const c = r.config;
    md.push(
      `Scores ×100 (${
        Object.values(NLU_TASK_SPECS).map((s) => `${s.title}: ${s.metrics.join("/")}`).join("; ")
      }). ` +
        `Fine-tuning ${c.epochs} epoch(s), batch ${c.batchSize}, lr ${c.lr}, max length ${c.maxLength}, ` +
        `seed ${c.seed}, split seed ${c.splitSeed}` +
        (c.maxTrain ? `, ≤ ${c.maxTrain} training examples` : "") +
        (c.maxEval ? `, ≤ ${c.maxEval} evaluation examples` : "") + ".",
      r.command ? `Command: \`${r.command}\`` : "",
      "",
    );
    for (const m of r.models) {
      for (const t of m.tasks) {
        const curve = await readJsonl(join(n.dir, m.name, t.task, "metrics.jsonl"));
        const pts = curve.filter((x) => typeof x.loss === "number" && typeof x.step === "number")
          .map((x) => [x.step as number, x.loss as number] as [number, number]);
        if (pts.length > 1) nluSeries.push({ name: `${m.name} ${t.task}`, points: pts });
      }
    }
  }
  if (nluSeries.length) {
    const name = await svg(
      "nlu_loss.svg",
      lineChartSvg({
        title: "NLU fine-tuning loss",
        xLabel: "step",
        yLabel: "training loss",
        series: nluSeries,
      }),
    );
    md.push(`![NLU fine-tuning loss](${name})`, "");
  }

  md.push("## Plagiarism detection", "");
  if (!json.plagiarism.length) {
    md.push("No plagiarism results found (run `deno task eval plagiarism --model NAME=DIR`).", "");
  }
  for (const p of json.plagiarism) {
    if (!p.report) {
      md.push(`- ${rel(p.dir)}: **missing** (${p.missing})`, "");
      continue;
    }
    const r = p.report;
    md.push(`From ${rel(p.dir)} (${r.date}):`, "", formatPlagiarismTable(r), "");
    if (r.spin) {
      md.push(
        `Spinner over corpus paragraphs split by source file (train: ${
          r.spin.trainFiles.join(", ")
        }; ` +
          `test: ${r.spin.testFiles.join(", ")}), realised replacement rates ${
            (Object.keys(SPIN_SETTINGS) as (keyof typeof SPIN_SETTINGS)[]).map((s) =>
              `${s} ${pct(r.spin!.stats[s].test.realised)} %`
            ).join(", ")
          }; seed ${r.config.seed}. Missing systems: ${
            r.systems.filter((s) => s.missing).map((s) => s.name).join(", ") || "none"
          }.`,
      );
    }
    md.push(r.command ? `Command: \`${r.command}\`` : "", "");
    const series: Series[] = [];
    for (const s of r.systems) {
      for (const tr of Object.keys(SPIN_SETTINGS) as (keyof typeof SPIN_SETTINGS)[]) {
        const row = s.spin?.[tr];
        if (!row) continue;
        series.push({
          name: `${s.name} (trained ${tr})`,
          points: (Object.keys(SPIN_SETTINGS) as (keyof typeof SPIN_SETTINGS)[])
            .filter((te) => row[te])
            .map((te) => [SPIN_SETTINGS[te], 100 * row[te]!.f1Macro] as [number, number]),
          dashed: tr === "heavy",
        });
      }
    }
    if (series.length) {
      const name = await svg(
        `plagiarism_spin_${json.plagiarism.indexOf(p)}.svg`,
        lineChartSvg({
          title: "Spun-paragraph detection: F1-macro by test spin rate",
          xLabel: "test spin rate (fraction of content words)",
          yLabel: "F1-macro",
          series,
        }),
      );
      md.push(`![spin detection](${name})`, "");
    }
  }

  md.push("## Convergence (distill)", "");
  if (!json.convergence.length) {
    md.push("No convergence experiment found (run `deno task distill compare`).", "");
  }
  for (const [i, c] of json.convergence.entries()) {
    if (!c.report) {
      md.push(`- ${rel(c.dir)}: **missing** (${c.missing})`, "");
      continue;
    }
    const r = c.report;
    const cfg = r.config as Record<string, unknown>;
    md.push(
      `From ${rel(c.dir)}: student ${JSON.stringify(cfg.model ?? {})}, ${cfg.steps} steps of ` +
        `${cfg.batchSize} × ${cfg.seqLen} tokens, data ${cfg.data}, seed ${cfg.seed}; teachers ${
          r.teachers.map((t) => `${t.spec} (held-out loss ${t.heldoutLoss.toFixed(3)})`).join(", ")
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
    const name = await svg(
      `convergence_${i}.svg`,
      lineChartSvg({
        title: `Held-out MLM loss (${rel(c.dir)})`,
        xLabel: "step",
        yLabel: "held-out loss",
        series: r.variants.map((v) => ({ name: v.variant, points: v.curve })),
        hlines: [{ y: r.threshold, label: "threshold" }],
      }),
    );
    md.push(`![convergence](${name})`, "");
  }

  md.push("## Speed (bench)", "");
  if (!json.bench.length) md.push("No bench results found (run `deno task bench`).", "");
  for (const b of json.bench) {
    if (!b.report) {
      md.push(`- ${rel(b.dir)}: **missing** (${b.missing})`, "");
      continue;
    }
    const r = b.report;
    md.push(
      `From ${rel(b.dir)} (${r.date ?? "?"}; PyTorch peer: ${r.peerInfo || "none"}):`,
      "",
      "| mode | ours (backend) tokens/s | PyTorch tokens/s | ours / PyTorch |",
      "|---|---:|---:|---:|",
    );
    for (const o2 of r.ours) {
      const peer = r.peer.find((p) => p.mode === o2.mode);
      const pt = peer && !("error" in peer) ? peer.tokens_per_s : undefined;
      if ("error" in o2) {
        md.push(
          `| ${o2.mode} | ${o2.backend}: failed (${o2.error}) | ${pt?.toFixed(0) ?? "—"} | — |`,
        );
        continue;
      }
      md.push(
        `| ${o2.mode} | ${o2.tokens_per_s.toFixed(0)} (${o2.backend}) | ${
          pt?.toFixed(0) ?? "—"
        } | ${pt ? (o2.tokens_per_s / pt).toFixed(2) + "×" : "—"} |`,
      );
    }
    md.push("", `Command: \`deno task bench ${(r.args ?? []).join(" ")}\``, "");
  }

  if (json.mlm.length) md.push("## Masked-LM loss and word order", "");
  for (const m of json.mlm) {
    if (!m.report) md.push(`- ${rel(m.dir)}: **missing** (${m.missing})`, "");
    else md.push(`From ${rel(m.dir)}:`, "", formatMlmTable(m.report), "");
  }

  if (missing.length) {
    md.push("## Missing", "", ...missing.map((m) => `- ${m}`), "");
  }
  await writeFileAtomic(join(o.out, "report.md"), md.join("\n"));
  await writeFileAtomic(join(o.out, "report.json"), JSON.stringify(json, null, 2) + "\n");
  files.unshift(join(o.out, "report.md"), join(o.out, "report.json"));
  return { files, missing };
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
