/**
 * Fold the `compare.json` of several `distill compare` runs (temperatures, student seeds, a run
 * initialised from a teacher) into `summary.json`, `compare.md` and `curves.svg`.
 *
 *   deno run -A distill/experiments/convergence_summary.ts --out results/convergence DIR...
 *
 * @module
 */
import { parseArgs } from "node:util";
import { basename, join } from "node:path";
import { bertTensorShapes, resolveBertConfig } from "@cohesive/shared";
import type { CompareReport } from "../compare.ts";
import {
  type CompareRun,
  renderConvergence,
  summarizeConvergence,
  type TeacherFacts,
  writeConvergence,
} from "../convergence_summary.ts";

async function readJson(path: string): Promise<Record<string, unknown> | undefined> {
  try {
    return JSON.parse(await Deno.readTextFile(path));
  } catch {
    return undefined;
  }
}

/** Parameters, tokens and origin of a teacher folder (made.json, else cohesive's run files). */
async function teacherFacts(
  spec: string,
  t: CompareReport["teachers"][number],
): Promise<TeacherFacts> {
  const facts: TeacherFacts = {
    name: basename(spec.replace(/\/+$/, "")),
    layers: t.layers,
    hidden: t.hidden,
    params: null,
    heldout_loss: t.heldoutLoss,
    tokens: null,
    made_with: null,
  };
  const made = await readJson(join(spec, "made.json"));
  if (made) {
    facts.params = typeof made.params === "number" ? made.params : null;
    facts.tokens = typeof made.tokens === "number" ? made.tokens : null;
    facts.made_with = typeof made.made_with === "string" ? made.made_with : null;
    return facts;
  }
  const run = await readJson(join(spec, "run.json")) as
    | { config?: { batchSize?: number; seqLen?: number; accumSteps?: number }; backend?: string }
    | undefined;
  const latest = await readJson(join(spec, "latest.json")) as
    | { step?: number; checkpoint?: string }
    | undefined;
  if (run?.config && latest?.step) {
    const c = run.config;
    facts.tokens = latest.step * (c.batchSize ?? 0) * (c.seqLen ?? 0) * (c.accumSteps ?? 1);
    facts.made_with = `cohesive ${run.backend ?? ""}`.trim();
  }
  const cfgDir = latest?.checkpoint ? join(spec, latest.checkpoint) : spec;
  const cfg = await readJson(join(cfgDir, "config.json"));
  if (cfg) {
    const { cohesive: _, ...hf } = cfg;
    const shapes = bertTensorShapes(resolveBertConfig(hf, "config.json"));
    facts.params = [...shapes.values()].reduce((s, sh) => s + sh.reduce((a, b) => a * b, 1), 0);
  }
  return facts;
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    args: Deno.args,
    options: { out: { type: "string" } },
    allowPositionals: true,
  });
  if (!values.out || positionals.length === 0) {
    console.error("usage: convergence_summary.ts --out DIR COMPARE_DIR...");
    Deno.exit(2);
  }
  const runs: CompareRun[] = [];
  for (const dir of positionals) {
    const report = await readJson(join(dir, "compare.json"));
    if (!report) throw new Deno.errors.NotFound(`${dir}: no readable compare.json`);
    runs.push({ dir, report: report as unknown as CompareRun["report"] });
  }
  const facts = new Map<string, TeacherFacts>();
  for (const r of runs) {
    for (const t of r.report.teachers) {
      if (!facts.has(t.spec)) facts.set(t.spec, await teacherFacts(t.spec, t));
    }
  }
  const summaries = summarizeConvergence(runs, (spec) => facts.get(spec)!);
  await writeConvergence(values.out, summaries, runs);
  console.log(renderConvergence(summaries));
}

if (import.meta.main) {
  try {
    await main();
  } catch (e) {
    console.error(`convergence_summary: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
