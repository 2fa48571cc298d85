/**
 * The convergence experiment across seeds and temperatures: several `distill compare` reports
 * (one per temperature and student seed, plus runs initialised from a teacher's layers) folded
 * into one summary per temperature — final held-out losses per weighting with their spread, the
 * steps each student needs to reach the single-teacher student's final loss, and the ratio
 * confidence / single — with a markdown table and one SVG of curves per temperature.
 *
 * @module
 */
import { join } from "node:path";
import { lineChartSvg, writeFileAtomic } from "@cohesive/shared";
import { type CompareReport, stepsToReach } from "./compare.ts";

/** What is known about one teacher of the experiment. */
export interface TeacherFacts {
  /** Short name (the folder's last part). */
  name: string;
  /** Encoder layers. */
  layers: number;
  /** Hidden size. */
  hidden: number;
  /** Parameters, when known. */
  params: number | null;
  /** Held-out MLM loss on the students' held-out rows (nats). */
  heldout_loss: number;
  /** Training tokens seen, when known. */
  tokens: number | null;
  /** How it was made (`cohesive wasm`, `pytorch 2.5 cuda (NVIDIA H200)`, …), when known. */
  made_with: string | null;
}

/** One temperature's outcome, in the shape of `results/convergence/summary.json`. */
export interface ConvergenceSummary {
  /** Distillation temperature. */
  temperature: number;
  /** Updates per student. */
  steps: number;
  /** Batch rows × tokens per row of one update. */
  batch: [number, number];
  /** The teachers (the same for every run of this temperature). */
  teachers: TeacherFacts[];
  /** Per student variant (`none`, `single`, …, `confidence_init_teacher`): final losses by seed. */
  students: Record<string, { final_losses: number[]; seeds: number[]; mean: number; sd: number }>;
  /**
   * The single-teacher students' mean final held-out loss. Steps are counted per seed, to that
   * seed's own single-teacher final loss (runs of a seed without a single student use the first).
   */
  threshold: number;
  /** Mean over seeds of the (interpolated) steps to the seed's threshold; null when never reached. */
  steps_to_single_final: Record<string, number | null>;
  /** steps(confidence) / steps(single); null when either never reaches the threshold. */
  ratio_confidence_vs_single: number | null;
  /** mean(none) − mean(confidence) and the larger of the two seed spreads (sd). */
  confidence_vs_plain: { gain: number; spread: number } | null;
}

/** A `compare.json` with the settings that tell runs apart. */
export interface CompareRun {
  /** Folder of the run. */
  dir: string;
  /** Its report. */
  report: CompareReport;
}

const mean = (xs: number[]) => xs.reduce((s, x) => s + x, 0) / Math.max(xs.length, 1);
const sd = (xs: number[]) => {
  if (xs.length < 2) return 0;
  const m = mean(xs);
  return Math.sqrt(xs.reduce((s, x) => s + (x - m) ** 2, 0) / (xs.length - 1));
};

function settings(r: CompareReport) {
  const c = r.config as {
    temperature?: number;
    seed?: number;
    init?: string;
    steps?: number;
    batchSize?: number;
    seqLen?: number;
  };
  return {
    temperature: c.temperature ?? 2,
    seed: c.seed ?? 0,
    init: c.init ?? "random",
    steps: c.steps ?? 0,
    batch: [c.batchSize ?? 0, c.seqLen ?? 0] as [number, number],
  };
}

/**
 * Fold compare reports into one summary per temperature (sorted by temperature, descending).
 * Variants of runs initialised from a teacher get the suffix `_init_teacher`.
 *
 * @throws {RangeError} when no run is given, or runs of one temperature differ in steps.
 */
export function summarizeConvergence(
  runs: CompareRun[],
  teacherFacts: (spec: string, fromReport: CompareReport["teachers"][number]) => TeacherFacts,
): ConvergenceSummary[] {
  if (runs.length === 0) throw new RangeError("no compare.json to summarise");
  const byTemp = new Map<number, CompareRun[]>();
  for (const r of runs) {
    const t = settings(r.report).temperature;
    byTemp.set(t, [...(byTemp.get(t) ?? []), r]);
  }
  const out: ConvergenceSummary[] = [];
  for (const [temperature, group] of [...byTemp].sort((a, b) => b[0] - a[0])) {
    const s0 = settings(group[0].report);
    for (const g of group) {
      if (settings(g.report).steps !== s0.steps) {
        throw new RangeError(
          `${g.dir}: ${settings(g.report).steps} steps, ${group[0].dir}: ${s0.steps}; ` +
            "runs of one temperature must have equal compute",
        );
      }
    }
    const students: ConvergenceSummary["students"] = {};
    const curves = new Map<string, { seed: number; curve: [number, number][] }[]>();
    // Each seed's own single-teacher final loss is the threshold its students are held against.
    const singleFinal = new Map<number, number>();
    for (const g of group) {
      const s = settings(g.report);
      const suffix = s.init === "teacher" ? "_init_teacher" : "";
      for (const v of g.report.variants) {
        const key = v.variant + suffix;
        const e = students[key] ??= { final_losses: [], seeds: [], mean: NaN, sd: NaN };
        e.final_losses.push(v.final);
        e.seeds.push(s.seed);
        curves.set(key, [...(curves.get(key) ?? []), { seed: s.seed, curve: v.curve }]);
        if (key === "single") singleFinal.set(s.seed, v.final);
      }
    }
    for (const e of Object.values(students)) {
      e.mean = mean(e.final_losses);
      e.sd = sd(e.final_losses);
    }
    const threshold = students.single?.mean ?? NaN;
    const firstSingle = [...singleFinal.values()][0] ?? NaN;
    const steps: Record<string, number | null> = {};
    for (const [key, cs] of curves) {
      const reached = cs.map((c) => stepsToReach(c.curve, singleFinal.get(c.seed) ?? firstSingle));
      steps[key] = Number.isFinite(threshold) && reached.every((x) => x !== null)
        ? mean(reached as number[])
        : null;
    }
    const conf = steps.confidence, single = steps.single;
    const none = students.none, c = students.confidence;
    out.push({
      temperature,
      steps: s0.steps,
      batch: s0.batch,
      teachers: group[0].report.teachers.map((t) => teacherFacts(t.spec, t)),
      students,
      threshold,
      steps_to_single_final: steps,
      ratio_confidence_vs_single: conf != null && single ? conf / single : null,
      confidence_vs_plain: none && c
        ? { gain: none.mean - c.mean, spread: Math.max(none.sd, c.sd) }
        : null,
    });
  }
  return out;
}

/** Markdown tables of the summaries. */
export function renderConvergence(summaries: ConvergenceSummary[]): string {
  const f = (x: number | null | undefined, d = 3) =>
    x == null || !Number.isFinite(x) ? "—" : x.toFixed(d);
  const md = ["# Convergence: multi-teacher distillation across seeds and temperatures", ""];
  for (const s of summaries) {
    md.push(
      `## T = ${s.temperature}`,
      "",
      `${s.steps} updates of ${s.batch[0]} × ${s.batch[1]} tokens per student; held-out MLM ` +
        `loss in nats. Threshold (mean final loss of the single-teacher students): ` +
        `${f(s.threshold)}.`,
      "",
      "| teacher | layers | hidden | parameters | held-out loss | tokens seen | made with |",
      "|---|---:|---:|---:|---:|---:|---|",
      ...s.teachers.map((t) =>
        `| ${t.name} | ${t.layers} | ${t.hidden} | ${t.params?.toLocaleString("en") ?? "—"} | ${
          f(t.heldout_loss)
        } | ${t.tokens?.toLocaleString("en") ?? "—"} | ${t.made_with ?? "—"} |`
      ),
      "",
      "| student | seeds | final losses | mean ± sd | steps to threshold |",
      "|---|---|---|---:|---:|",
      ...Object.entries(s.students).map(([k, e]) =>
        `| ${k} | ${e.seeds.join(", ")} | ${e.final_losses.map((x) => f(x)).join(", ")} | ${
          f(e.mean)
        } ± ${f(e.sd)} | ${f(s.steps_to_single_final[k], 0)} |`
      ),
      "",
      `steps(confidence) / steps(single): **${f(s.ratio_confidence_vs_single, 2)}**. ` +
        (s.confidence_vs_plain
          ? `Plain MLM − confidence, mean final loss: ${f(s.confidence_vs_plain.gain)} ` +
            `(largest seed sd ${f(s.confidence_vs_plain.spread)}).`
          : ""),
      "",
    );
  }
  return md.join("\n");
}

/** Write `summary.json`, `compare.md` and `curves.svg` (plus `curves_t<T>.svg` per other T). */
export async function writeConvergence(
  out: string,
  summaries: ConvergenceSummary[],
  runs: CompareRun[],
): Promise<void> {
  await Deno.mkdir(out, { recursive: true });
  await writeFileAtomic(join(out, "summary.json"), JSON.stringify(summaries, null, 2) + "\n");
  await writeFileAtomic(join(out, "compare.md"), renderConvergence(summaries));
  for (const [i, s] of summaries.entries()) {
    const series = runs
      .filter((r) => settings(r.report).temperature === s.temperature)
      .flatMap((r) => {
        const st = settings(r.report);
        const suffix = st.init === "teacher" ? " (init teacher)" : "";
        return r.report.variants.map((v) => ({
          name: `${v.variant}${suffix} s${st.seed}`,
          points: v.curve,
          dashed: v.variant === "none",
        }));
      });
    const svg = lineChartSvg({
      title: `Held-out MLM loss of equal-compute students, T = ${s.temperature}`,
      xLabel: "update",
      yLabel: "held-out MLM loss (nats)",
      series,
      hlines: Number.isFinite(s.threshold)
        ? [{ y: s.threshold, label: "single-teacher final" }]
        : [],
    });
    await writeFileAtomic(join(out, i === 0 ? "curves.svg" : `curves_t${s.temperature}.svg`), svg);
  }
}
