/**
 * Personalised PageRank WSD on the evaluation framework (WordNet 3.0): its knobs (gloss
 * relations, sense-frequency weights in the personalisation, context window) and the prior
 * weight λ of `log PPR + λ · log p(sense)` are chosen on semeval2007 only, then every set and
 * ALL are scored, alone and with the prior, beside WordNet's first sense and SemCor's MFS on the
 * same rows.
 *
 * ```sh
 * deno run -A lexical/ppr_eval.ts --out results/lexical
 * ```
 *
 * @module
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { requireDataDir, writeFileAtomic } from "@cohesive/shared";
import { mostFrequentSense, SenseCounts } from "./baselines.ts";
import { disambiguateText } from "./disambiguate.ts";
import { choosePprInstance, PPR_PRIOR_WEIGHTS, pprCorpus, type PprInstance } from "./ppr.ts";
import { readKeys, readRaganatoXml, type WsdCorpus, type WsdKeys } from "./raganato.ts";
import { EVALUATION_SETS } from "./score_quick.ts";
import { scoreKeys } from "./scorer.ts";
import { WordNet } from "./wordnet.ts";

/** The set the knobs and λ are chosen on. */
const SELECTION_SET = "semeval2007";

interface Config {
  glossRelations: boolean;
  weighted: boolean;
  window: number;
}

const CONFIGS: Config[] = [];
for (const glossRelations of [false, true]) {
  for (const weighted of [false, true]) {
    for (const window of [0, 1]) CONFIGS.push({ glossRelations, weighted, window });
  }
}

function configName(c: Config): string {
  return `gloss=${c.glossRelations} weighted=${c.weighted} window=${c.window}`;
}

function subset(corpus: WsdCorpus, prefix: string): WsdCorpus {
  return { ...corpus, texts: corpus.texts.filter((t) => t.id.startsWith(prefix + ".")) };
}

function keysOf(insts: readonly PprInstance[], choose: (i: PprInstance) => string): WsdKeys {
  return new Map(insts.map((i) => [i.id, [choose(i)]]));
}

/** F1 per evaluation set and ALL (ids carry the set's name as a prefix). */
function f1BySet(gold: WsdKeys, system: WsdKeys): Record<string, number> {
  const out: Record<string, number> = {};
  for (const set of EVALUATION_SETS) {
    const keep = (id: string) => set === "ALL" || id.startsWith(set + ".");
    const g = new Map([...gold].filter(([id]) => keep(id)));
    const s = new Map([...system].filter(([id]) => keep(id)));
    if (g.size) out[set] = Number(scoreKeys(g, s).f1.toFixed(2));
  }
  return out;
}

function round(x: number): number {
  return Number(x.toFixed(2));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    args: Deno.args,
    options: { out: { type: "string" } },
  });
  const data = requireDataDir("ppr_eval");
  const wn = await WordNet.open("3.0");
  const base = join(data, "wsd", "Evaluation_Datasets", "ALL", "ALL");
  const corpus = await readRaganatoXml(`${base}.data.xml`);
  const gold = await readKeys(`${base}.gold.key.txt`, { corpus });
  const dev = subset(corpus, SELECTION_SET);
  const devGold = new Map([...gold].filter(([id]) => id.startsWith(SELECTION_SET + ".")));

  // --- selection on semeval2007 ---
  const grid: { config: string; seconds: number; f1: Record<string, number> }[] = [];
  let bestAlone = { config: CONFIGS[0], f1: -1 };
  let bestPrior = { config: CONFIGS[0], weight: 0, f1: -1 };
  for (const config of CONFIGS) {
    const t0 = performance.now();
    const insts = pprCorpus(dev, wn, config);
    const seconds = (performance.now() - t0) / 1000;
    const f1: Record<string, number> = {};
    for (const w of PPR_PRIOR_WEIGHTS) {
      const s = scoreKeys(devGold, keysOf(insts, (i) => choosePprInstance(i, w).sense.key)).f1;
      f1[String(w)] = round(s);
      if (w === 0 && s > bestAlone.f1 + 1e-9) bestAlone = { config, f1: s };
      if (s > bestPrior.f1 + 1e-9) bestPrior = { config, weight: w, f1: s };
    }
    grid.push({ config: configName(config), seconds: round(seconds), f1 });
    console.error(
      `${configName(config)}: ${seconds.toFixed(1)} s, F1 alone ${f1["0"]}, ` +
        `best with prior ${Math.max(...Object.values(f1))}`,
    );
  }
  console.error(
    `selected: alone ${configName(bestAlone.config)}; with prior ${
      configName(bestPrior.config)
    } λ=${bestPrior.weight}`,
  );

  // --- every set with the selected settings ---
  const runs = new Map<string, { insts: PprInstance[]; seconds: number; pageRanks: number }>();
  for (const config of [bestAlone.config, bestPrior.config]) {
    const name = configName(config);
    if (runs.has(name)) continue;
    const t0 = performance.now();
    const insts = pprCorpus(corpus, wn, config);
    const seconds = (performance.now() - t0) / 1000;
    const pageRanks = insts.filter((i) => i.ranks).length;
    runs.set(name, { insts, seconds, pageRanks });
    console.error(`ALL, ${name}: ${seconds.toFixed(1)} s, ${pageRanks} PageRanks`);
  }
  const alone = runs.get(configName(bestAlone.config))!;
  const withPrior = runs.get(configName(bestPrior.config))!;
  const counts = await SenseCounts.semcor(data);
  const rows = {
    "ppr": f1BySet(gold, keysOf(alone.insts, (i) => choosePprInstance(i, 0).sense.key)),
    "ppr + prior": f1BySet(
      gold,
      keysOf(withPrior.insts, (i) => choosePprInstance(i, bestPrior.weight).sense.key),
    ),
    ...(alone === withPrior ? {} : {
      "ppr, knobs of ppr + prior": f1BySet(
        gold,
        keysOf(withPrior.insts, (i) => choosePprInstance(i, 0).sense.key),
      ),
    }),
    "first sense": f1BySet(gold, keysOf(alone.insts, (i) => i.candidates[0].key)),
    "MFS (SemCor)": f1BySet(
      gold,
      keysOf(alone.insts, (i) => mostFrequentSense(i.candidates, counts)!.sense.key),
    ),
  };

  // --- raw text: the bank pair ---
  const sentences = [
    "I sat on the bank of the river and watched the water.",
    "She deposited her salary at the bank.",
  ];
  const bank: Record<string, Record<string, string | null>> = {};
  for (
    const [name, w, knobs] of [
      ["ppr", 0, bestAlone.config],
      ["ppr + prior", bestPrior.weight, bestPrior.config],
    ] as const
  ) {
    bank[name] = {};
    for (const text of sentences) {
      const t = disambiguateText(text, wn, { method: "ppr", priorWeight: w, ppr: knobs })
        .find((x) => x.text === "bank");
      bank[name][text] = t?.senseKey ?? null;
    }
  }

  const report = {
    kind: "wsd-ppr",
    wordnet: wn.version,
    method: "ppr_w2w: PageRank personalised on the context words' candidates (target left out)",
    damping: 0.85,
    iterations: 30,
    selectedOn: SELECTION_SET,
    selected: {
      alone: configName(bestAlone.config),
      withPrior: configName(bestPrior.config),
      priorWeight: bestPrior.weight,
    },
    selectionGrid: grid,
    f1: rows,
    seconds: Object.fromEntries([...runs].map(([k, r]) => [k, round(r.seconds)])),
    pageRanks: Object.fromEntries([...runs].map(([k, r]) => [k, r.pageRanks])),
    instances: alone.insts.length,
    bank,
    command: "deno run -A lexical/ppr_eval.ts --out results/lexical",
  };
  const cols = EVALUATION_SETS;
  const md = [
    `| system | ${cols.join(" | ")} |`,
    `|---|${cols.map(() => "---:").join("|")}|`,
    ...Object.entries(rows).map(([name, r]) =>
      `| ${name} | ${cols.map((c) => r[c]?.toFixed(1) ?? "—").join(" | ")} |`
    ),
  ].join("\n");
  console.log(md);
  console.log(JSON.stringify(bank, null, 2));
  if (values.out) {
    await writeFileAtomic(join(values.out, "ppr.json"), JSON.stringify(report, null, 2) + "\n");
    const grid_md = [
      "| knobs (semeval2007) | seconds | F1 alone | best F1 with prior (λ) |",
      "|---|---:|---:|---:|",
      ...grid.map((g) => {
        const [w, f] = Object.entries(g.f1).sort((a, b) => Number(a[0]) - Number(b[0]))
          .reduce((a, b) => (b[1] > a[1] ? b : a));
        return `| ${g.config} | ${g.seconds} | ${g.f1["0"]} | ${f} (${w}) |`;
      }),
    ].join("\n");
    await writeFileAtomic(
      join(values.out, "ppr.md"),
      `# Personalised PageRank WSD (WordNet ${wn.version})\n\n` +
        `F1 on the framework's sets; knobs and λ chosen on ${SELECTION_SET} only ` +
        `(alone: ${report.selected.alone}; with prior: ${report.selected.withPrior}, ` +
        `λ = ${bestPrior.weight}).\n\n${md}\n\n## Selection grid\n\n${grid_md}\n\n` +
        `## Bank\n\n${
          Object.entries(bank).map(([m, r]) =>
            Object.entries(r).map(([t, k]) => `- ${m}: "${t}" → ${k}`).join("\n")
          ).join("\n")
        }\n\nReproduce: \`${report.command}\`\n`,
    );
  }
}

if (import.meta.main) await main();
