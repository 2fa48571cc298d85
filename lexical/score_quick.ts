/**
 * A minimal WSD scorer (the framework's `Scorer.java` semantics) and, run as a script, a table of
 * the knowledge-based baselines on the five evaluation sets and ALL. The full scorer (per POS,
 * reports) lives in `@cohesive/eval`; this one only backs lexical's own measurements.
 *
 * ```sh
 * deno run -A lexical/score_quick.ts [--wordnet 3.0|3.1|DIR] [--methods first-sense,mfs,lesk]
 *   [--prior W] [--window N]
 * ```
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { requireDataDir } from "@cohesive/shared";
import { BASELINE_METHODS, baselineKeys, type BaselineMethod, SenseCounts } from "./baselines.ts";
import { readKeys, readRaganatoXml, type WsdKeys } from "./raganato.ts";
import { WordNet } from "./wordnet.ts";

/** Precision, recall and F1 of a system's answers against gold keys. */
export interface QuickScore {
  /** Answers among the gold keys of their instance. */
  correct: number;
  /** Gold instances the system answered. */
  answered: number;
  /** Gold instances. */
  total: number;
  /** correct / answered, in percent. */
  precision: number;
  /** correct / total, in percent. */
  recall: number;
  /** Harmonic mean of precision and recall, in percent. */
  f1: number;
}

/**
 * Score `system` against `gold`: an answer is right when one of its keys is a gold key (a
 * multi-key answer earns the fraction of its keys that are gold, as `Scorer.java` does).
 */
export function scoreKeys(gold: WsdKeys, system: WsdKeys): QuickScore {
  let correct = 0;
  let answered = 0;
  for (const [id, keys] of system) {
    const g = gold.get(id);
    if (!g || keys.length === 0) continue;
    answered++;
    let ok = 0;
    for (const k of keys) if (g.includes(k)) ok++;
    correct += ok / keys.length;
  }
  const total = gold.size;
  const precision = answered ? (100 * correct) / answered : 0;
  const recall = total ? (100 * correct) / total : 0;
  const f1 = precision + recall ? (2 * precision * recall) / (precision + recall) : 0;
  return { correct, answered, total, precision, recall, f1 };
}

/** The five evaluation sets and their concatenation, in the framework's order. */
export const EVALUATION_SETS: readonly string[] = [
  "senseval2",
  "senseval3",
  "semeval2007",
  "semeval2013",
  "semeval2015",
  "ALL",
];

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: {
      wordnet: { type: "string", default: "3.0" },
      methods: { type: "string", default: BASELINE_METHODS.join(",") },
      window: { type: "string", default: "0" },
      prior: { type: "string", default: "0" },
    },
  });
  const data = requireDataDir("score_quick");
  const t0 = performance.now();
  const wn = await WordNet.open(values.wordnet);
  console.log(
    `WordNet ${wn.version} (${wn.path}) loaded in ${(performance.now() - t0).toFixed(0)} ms`,
  );
  const methods = values.methods.split(",") as BaselineMethod[];
  const unknown = methods.find((m) => !BASELINE_METHODS.includes(m));
  if (unknown) throw new TypeError(`unknown method ${unknown}`);
  const counts = methods.includes("mfs") ? await SenseCounts.semcor(data) : undefined;
  const header = ["method", ...EVALUATION_SETS];
  const rows: string[][] = [];
  for (const method of methods) {
    const row: string[] = [method];
    const t = performance.now();
    for (const set of EVALUATION_SETS) {
      const base = join(data, "wsd", "Evaluation_Datasets", set, set);
      const corpus = await readRaganatoXml(`${base}.data.xml`);
      const gold = await readKeys(`${base}.gold.key.txt`, { corpus });
      const system = baselineKeys(corpus, wn, {
        method,
        counts,
        window: Number(values.window),
        priorWeight: Number(values.prior),
      });
      row.push(scoreKeys(gold, system).f1.toFixed(1));
    }
    rows.push(row);
    console.error(`${method}: ${((performance.now() - t) / 1000).toFixed(1)} s`);
  }
  console.log(`| ${header.join(" | ")} |\n|${header.map(() => "---").join("|")}|`);
  for (const r of rows) console.log(`| ${r.join(" | ")} |`);
}

if (import.meta.main) await main();
