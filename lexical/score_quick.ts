/**
 * Run as a script: a table of the knowledge-based baselines' F1 on the five evaluation sets and ALL,
 * scored by the scorer core (`scorer.ts`). The full scorer (per POS, reports) is `@cohesive/eval`'s.
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
import { readKeys, readRaganatoXml } from "./raganato.ts";
import { scoreKeys } from "./scorer.ts";
import { WordNet } from "./wordnet.ts";

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
