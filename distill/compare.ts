/**
 * `distill compare`: the convergence experiment. Students of equal compute (same size, steps,
 * batch, seed, data order and masks, all read from one teacher cache) learn with no teacher
 * (plain MLM), the single best teacher, and K teachers mixed uniformly, by confidence
 * (prediction weighting), by entropy and CA-MKD. Held-out MLM loss every N steps; steps to reach
 * the single-teacher student's final held-out loss; an SVG plot and a markdown + JSON report.
 *
 * @module
 */
import { join } from "node:path";
import {
  initRuntime,
  latestCheckpoint,
  lineChartSvg,
  MetricsLog,
  mlmHeldoutLoss,
  writeFileAtomic,
} from "@cohesive/shared";
import { buildCache, CacheReader } from "./cache.ts";
import { type DistillRunConfig, distillStudent, resolveDistillRun } from "./student.ts";
import { heldoutBatches } from "./run_folder.ts";
import { loadTeachers } from "./teachers.ts";
import { loadTokenizer, mlmTokenizer } from "./text_source.ts";
import type { Weighting } from "./weighting.ts";

/** A student variant of the experiment. */
export type Variant = "none" | "single" | Weighting;

/** Variants run by default, in report order. */
export const DEFAULT_VARIANTS: readonly Variant[] = [
  "none",
  "single",
  "uniform",
  "confidence",
  "entropy",
  "camkd",
];

/** A variant's outcome. */
export interface VariantResult {
  /** The variant. */
  variant: Variant;
  /** Held-out loss by step. */
  curve: [number, number][];
  /** Final held-out loss. */
  final: number;
  /** First step (interpolated) where held-out loss reaches the threshold, or null. */
  stepsToThreshold: number | null;
  /** Seconds of this variant's training steps, summed from its metrics.jsonl (all processes). */
  seconds: number;
}

/** The experiment's report. */
export interface CompareReport {
  /** Teachers with their held-out loss. */
  teachers: { spec: string; heldoutLoss: number; layers: number; hidden: number }[];
  /** Index of the best teacher (used by `single`). */
  best: number;
  /** Threshold: the single-teacher student's final held-out loss. */
  threshold: number;
  /** Per variant. */
  variants: VariantResult[];
  /** steps(confidence) / steps(single) to reach the threshold, when both exist. */
  ratio: number | null;
  /** The resolved student run config (shared by every variant). */
  config: Record<string, unknown>;
}

/** First step where the curve reaches `threshold`, linearly interpolated between evaluations. */
export function stepsToReach(curve: [number, number][], threshold: number): number | null {
  for (let i = 0; i < curve.length; i++) {
    const [s, l] = curve[i];
    if (l <= threshold) {
      if (i === 0) return s;
      const [s0, l0] = curve[i - 1];
      return s0 + ((l0 - threshold) / (l0 - l)) * (s - s0);
    }
  }
  return null;
}

/** Options of {@link compare}. */
export interface CompareOptions {
  /** Teacher run or checkpoint folders. */
  teachers: string[];
  /** Experiment folder (cache, one run folder per variant, the report). */
  out: string;
  /** Student run fields (steps, batchSize, seqLen, data, model, evalEvery, ...). */
  run: Record<string, unknown>;
  /** Variants to run. */
  variants?: Variant[];
  /** An existing cache to use instead of `out/cache`. */
  cache?: string;
  /** tfjs backend. */
  backend?: string;
}

/** Run (or continue) the experiment and write `compare.md`, `compare.json`, `curves.svg`. */
export async function compare(o: CompareOptions): Promise<CompareReport> {
  const variants = o.variants ?? [...DEFAULT_VARIANTS];
  const base = resolveDistillRun({ ...o.run, teachers: o.teachers });
  const cacheDir = o.cache ?? join(o.out, "cache");
  await initRuntime({ backend: o.backend });
  await Deno.mkdir(o.out, { recursive: true });
  const tinfo = await teacherLosses(o.teachers, base);
  const best = tinfo.reduce((b, t, i) => (t.heldoutLoss < tinfo[b].heldoutLoss ? i : b), 0);
  await ensureCache(o, base, cacheDir);
  const results: VariantResult[] = [];
  for (const v of variants) results.push(await runVariant(o, base, cacheDir, v, best));
  const single = results.find((r) => r.variant === "single");
  const threshold = single?.final ?? NaN;
  for (const r of results) {
    r.stepsToThreshold = Number.isFinite(threshold) ? stepsToReach(r.curve, threshold) : null;
  }
  const conf = results.find((r) => r.variant === "confidence");
  const ratio = conf?.stepsToThreshold != null && single?.stepsToThreshold
    ? conf.stepsToThreshold / single.stepsToThreshold
    : null;
  const report: CompareReport = {
    teachers: tinfo,
    best,
    threshold,
    variants: results,
    ratio,
    config: base as unknown as Record<string, unknown>,
  };
  await writeReport(o.out, report);
  return report;
}

/** Each teacher's held-out loss on the run's held-out batches (to pick the single best). */
async function teacherLosses(
  specs: string[],
  base: DistillRunConfig,
): Promise<CompareReport["teachers"]> {
  const tok = await loadTokenizer(base.vocab);
  const held = await heldoutBatches(base, mlmTokenizer(tok));
  const teachers = await loadTeachers(specs, {
    tokens: tok.vocab,
    name: `vocabulary ${base.vocab}`,
  });
  const tinfo: CompareReport["teachers"] = [];
  for (const t of teachers) {
    const r = await mlmHeldoutLoss(t.model, held);
    tinfo.push({
      spec: t.spec,
      heldoutLoss: r.loss,
      layers: t.model.config.num_hidden_layers,
      hidden: t.model.config.hidden_size,
    });
    t.model.dispose();
  }
  return tinfo;
}

/** The given cache, checked to be long enough, or our own (resumable: finished parts are skipped). */
async function ensureCache(
  o: CompareOptions,
  base: DistillRunConfig,
  cacheDir: string,
): Promise<void> {
  const needed = base.steps * base.accumSteps;
  if (o.cache) {
    const m = (await CacheReader.open(o.cache)).manifest;
    if (m.batches < needed) {
      throw new RangeError(`${o.cache}: holds ${m.batches} micro-batches, ${needed} needed`);
    }
    return;
  }
  await buildCache({
    teachers: o.teachers,
    out: cacheDir,
    data: base.data,
    vocab: base.vocab,
    batches: needed,
    batchSize: base.batchSize,
    seqLen: base.seqLen,
    seed: base.seed,
    maskProb: base.maskProb,
    heldoutPercent: base.heldoutPercent,
    topk: base.topk,
    temperature: base.temperature,
  });
}

/** Train one variant's student from the cache (unless finished) and read its curve. */
async function runVariant(
  o: CompareOptions,
  base: DistillRunConfig,
  cacheDir: string,
  v: Variant,
  best: number,
): Promise<VariantResult> {
  const dir = join(o.out, v);
  const partial = {
    ...o.run,
    cache: cacheDir,
    teachers: o.teachers,
    weighting: v === "none" ? "uniform" : v === "single" ? "single" : v,
    single: best,
    alphaKd: v === "none" ? 0 : base.alphaKd,
  };
  let seconds = 0;
  const latest = await latestCheckpoint(dir);
  const done = latest &&
    JSON.parse(await Deno.readTextFile(join(dir, "latest.json"))).step >= base.steps;
  if (!done) {
    console.error(`compare: training the "${v}" student`);
    const r = await distillStudent(dir, partial, { resume: !!latest, backend: o.backend });
    seconds = r.seconds;
    if (r.interrupted) {
      throw new Deno.errors.Interrupted(`interrupted during "${v}"; run compare again to continue`);
    }
  }
  const log = await new MetricsLog(join(dir, "metrics.jsonl")).read();
  const curve = log.filter((r) => typeof r.eval_loss === "number").map((r) =>
    [r.step as number, r.eval_loss as number] as [number, number]
  );
  // Training time from the run's own log (every process that worked on it, not only this one).
  const logged = log.reduce((s, r) => s + (typeof r.secs === "number" ? r.secs : 0), 0);
  return {
    variant: v,
    curve,
    final: curve.at(-1)?.[1] ?? NaN,
    stepsToThreshold: null,
    seconds: logged > 0 ? logged : seconds,
  };
}

async function writeReport(out: string, r: CompareReport): Promise<void> {
  const c = r.config as {
    steps: number;
    batchSize: number;
    seqLen: number;
    seed: number;
    model: Record<string, number>;
    data: string;
  };
  const f = (x: number | null, d = 3) => (x == null || !Number.isFinite(x) ? "—" : x.toFixed(d));
  const md = [
    `# Convergence: multi-teacher distillation vs single teacher vs plain MLM`,
    "",
    `Student: ${c.model.num_hidden_layers} layers, hidden ${c.model.hidden_size}; ${c.steps} steps of ${c.batchSize} × ${c.seqLen} tokens, seed ${c.seed}, data ${c.data}. Every variant reads the same cached batches and masks.`,
    "",
    `| teacher | layers | hidden | held-out MLM loss |`,
    `|---|---:|---:|---:|`,
    ...r.teachers.map((t, i) =>
      `| ${t.spec}${i === r.best ? " (best)" : ""} | ${t.layers} | ${t.hidden} | ${
        f(t.heldoutLoss)
      } |`
    ),
    "",
    `Threshold = the single-teacher student's final held-out loss: ${f(r.threshold)}.`,
    "",
    `| student | final held-out loss | perplexity | lowest (step) | steps to threshold | train seconds |`,
    `|---|---:|---:|---:|---:|---:|`,
    ...r.variants.map((v) => {
      const low = v.curve.reduce((b, p) => (p[1] < b[1] ? p : b), [NaN, Infinity]);
      return `| ${v.variant} | ${f(v.final)} | ${f(Math.exp(v.final), 1)} | ${f(low[1])} (${
        low[0]
      }) | ${f(v.stepsToThreshold, 0)} | ${f(v.seconds, 0)} |`;
    }),
    "",
    `Ratio (steps to the threshold, confidence-weighted / single teacher): **${
      f(r.ratio, 2)
    }** (below 1: the confidence-weighted student gets there sooner).`,
    "",
  ].join("\n");
  await writeFileAtomic(join(out, "compare.md"), md);
  await writeFileAtomic(join(out, "compare.json"), JSON.stringify(r, null, 2));
  await writeFileAtomic(
    join(out, "curves.svg"),
    lineChartSvg({
      title: "Held-out MLM loss of equal-compute students",
      xLabel: "step",
      yLabel: "held-out MLM loss (nats)",
      series: r.variants.map((v) => ({
        name: v.variant,
        points: v.curve,
        dashed: v.variant === "none",
      })),
      hlines: Number.isFinite(r.threshold)
        ? [{ y: r.threshold, label: "single-teacher final" }]
        : [],
    }),
  );
  console.log(md);
}
