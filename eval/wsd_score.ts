/**
 * The WSD scorer of Raganato et al. (2017)'s unified evaluation framework (`Scorer.java`), with
 * breakdowns per dataset and per part of speech, and the WordNet 3.0 / 3.1 key differences
 * handled and counted. The key-file reading and the credit rule are `@cohesive/lexical`'s scorer
 * core (`lexical/scorer.ts`, which states the semantics), re-exported here.
 *
 * Deliberate differences from `Scorer.java`, beside the core's (columns split on any whitespace,
 * 0 where it prints `NaN`): a system id that is not a gold id is skipped by `Scorer.java`, but is
 * an {@link UnknownInstanceError} here unless `unknownIds: "skip"` asks for the old behaviour (the
 * skipped ids are then counted); and a system file with no answer at all is an error, not 0.
 *
 * @module
 */
import { basename } from "node:path";
import {
  answerCredit,
  type KeyMap,
  readRaganatoXml,
  readScorerKeys,
  scoreFromCounts,
  UnknownInstanceError,
  type WsdScore,
} from "@cohesive/lexical";

export {
  NoAnswersError,
  parseScorerKeys,
  readScorerKeys,
  type ScorerKeys,
  type WsdScore,
} from "@cohesive/lexical";

/** What the scorer reads of a corpus (lexical's `WsdCorpus` fits): each instance's POS tag. */
export interface PosSource {
  /** Texts → sentences → tokens with an id (instances) and a POS tag. */
  texts: readonly { sentences: readonly { tokens: readonly { id?: string; pos: string }[] }[] }[];
}

/** The synset facts the key mapping compares (lexical's `Synset` fits). */
export interface SynsetLike {
  /** Member lemmas. */
  readonly lemmas: readonly string[];
  /** The definition. */
  readonly definition: string;
}

/** WordNet's part-of-speech letters (satellites count as `a`). */
export type WordNetPos = "n" | "v" | "a" | "r";

/** What the key mapping asks of a WordNet (lexical's `WordNet` fits). */
export interface SenseInventory {
  /** `3.0`, `3.1`, ... */
  readonly version: string;
  /** The sense of a key, or undefined when the inventory lacks it. */
  senseByKey(key: string): { lemma: string; pos: string; synset: SynsetLike } | undefined;
  /** The senses of a lemma in a part of speech (`n`, `v`, `a`, `r`). */
  sensesOf(lemma: string, pos: WordNetPos): readonly { key: string; synset: SynsetLike }[];
}

/** How the answers of a system were mapped from one WordNet version to another. */
export interface KeyMapStats {
  /** The system's WordNet version. */
  from: string;
  /** The gold keys' WordNet version. */
  to: string;
  /** Answer keys kept as they were (the same key denotes the same sense in both). */
  identical: number;
  /** Answer keys replaced by the key of the corresponding sense (same lemma, matching synset). */
  mapped: number;
  /** Answer keys with no corresponding sense; kept as they are (so they count as wrong). */
  unmappable: number;
  /** Up to 20 examples of mapped keys, `from → to`. */
  mappedExamples: [string, string][];
  /** Up to 20 unmappable keys. */
  unmappableExamples: string[];
}

/** Gold instances whose sense a WordNet cannot express (none of their gold keys is in it). */
export interface GoldCoverage {
  /** The WordNet's version. */
  version: string;
  /** Gold instances with at least one key in that WordNet. */
  covered: number;
  /** Gold instances. */
  total: number;
  /** Up to 20 uncovered instance ids with their gold keys. */
  uncoveredExamples: [string, string[]][];
}

/** The full result of {@link scoreWsd}. */
export interface WsdReport {
  /** All instances. */
  all: WsdScore;
  /** By dataset (the id prefix of a concatenated `ALL` file, else `options.dataset`). */
  byDataset: Record<string, WsdScore>;
  /** By part of speech (`NOUN`, `VERB`, `ADJ`, `ADV`), from the corpus or the gold key. */
  byPos: Record<string, WsdScore>;
  /** The WordNet version mapping applied to the answers, when one was. */
  mapping?: KeyMapStats;
  /** System ids that are not gold ids, skipped (only with `unknownIds: "skip"`). */
  skippedUnknown: number;
}

/** Options of {@link scoreWsd}. */
export interface ScoreWsdOptions {
  /** The corpus: gives each instance's part of speech (else taken from the first gold key). */
  corpus?: PosSource;
  /** Dataset name for ids without a dataset prefix (`d000.s000.t000`). Default `dataset`. */
  dataset?: string;
  /** Map the answers from this system WordNet to `to` before scoring ({@link mapSenseKeys}). */
  map?: { from: SenseInventory; to: SenseInventory };
  /**
   * What a system id missing from the gold keys does: `error` (default) throws
   * {@link UnknownInstanceError}; `skip` ignores it as `Scorer.java` does, and counts it.
   */
  unknownIds?: "error" | "skip";
  /** File names for the unknown-id error message. */
  goldFile?: string;
  /** File names for the unknown-id error message. */
  systemFile?: string;
}

/** The parts of speech of the report, in the framework's order. */
export const WSD_POS: readonly string[] = ["NOUN", "VERB", "ADJ", "ADV"];

const SS_TYPE_POS: Record<string, string> = {
  "1": "NOUN",
  "2": "VERB",
  "3": "ADJ",
  "4": "ADV",
  "5": "ADJ",
};

/** The dataset an instance id belongs to: its first segment unless that is a document id. */
export function datasetOfId(id: string, fallback = "dataset"): string {
  const dot = id.indexOf(".");
  if (dot <= 0) return fallback;
  const head = id.slice(0, dot);
  return /^d\d+$/.test(head) ? fallback : head;
}

function posTable(corpus: PosSource | undefined): Map<string, string> {
  const out = new Map<string, string>();
  if (!corpus) return out;
  for (const text of corpus.texts) {
    for (const sentence of text.sentences) {
      for (const t of sentence.tokens) if (t.id !== undefined) out.set(t.id, t.pos.toUpperCase());
    }
  }
  return out;
}

/**
 * Score `system` against `gold` with `Scorer.java`'s semantics (see the module doc), overall, per
 * dataset and per part of speech.
 *
 * @throws {UnknownInstanceError} when the system answers an id the gold keys lack.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scoreWsd } from "@cohesive/eval";
 * const gold = new Map([["d0.s0.t0", ["bank%1:17:01::"]], ["d0.s0.t1", ["sit%2:35:00::"]]]);
 * const system = new Map([["d0.s0.t0", ["bank%1:17:01::", "bank%1:14:00::"]]]);
 * const r = scoreWsd(gold, system);
 * assert.deepEqual([r.all.precision, r.all.recall], [50, 25]);
 * ```
 */
export function scoreWsd(
  gold: KeyMap,
  system: KeyMap,
  options: ScoreWsdOptions = {},
): WsdReport {
  const unknown = [...system.keys()].filter((id) => !gold.has(id));
  if (unknown.length && options.unknownIds !== "skip") {
    throw new UnknownInstanceError(
      unknown,
      options.systemFile ?? "system keys",
      options.goldFile ?? "the gold keys",
    );
  }
  let answers = system;
  let mapping: KeyMapStats | undefined;
  if (options.map) {
    const m = mapSenseKeys(system, options.map.from, options.map.to);
    answers = m.keys;
    mapping = m.stats;
  }
  const pos = posTable(options.corpus);
  type Acc = { ok: number; notok: number; total: number };
  const acc = () => ({ ok: 0, notok: 0, total: 0 });
  const all: Acc = acc();
  const byDataset = new Map<string, Acc>();
  const byPos = new Map<string, Acc>(WSD_POS.map((p) => [p, acc()]));
  for (const [id, g] of gold) {
    const ds = datasetOfId(id, options.dataset);
    const p = pos.get(id) ?? SS_TYPE_POS[/%(\d)/.exec(g[0] ?? "")?.[1] ?? ""] ?? "OTHER";
    if (!byDataset.has(ds)) byDataset.set(ds, acc());
    if (!byPos.has(p)) byPos.set(p, acc());
    const slices = [all, byDataset.get(ds)!, byPos.get(p)!];
    const a = answers.get(id);
    const distinct = a ? new Set(a).size : 0;
    const ok = a && distinct > 0 ? answerCredit(g, a) : 0;
    for (const s of slices) {
      s.total++;
      if (distinct > 0) {
        s.ok += ok;
        s.notok += 1 - ok;
      }
    }
  }
  const done = (a: Acc) => scoreFromCounts(a.ok, a.notok, a.total);
  const report: WsdReport = {
    skippedUnknown: unknown.length,
    all: done(all),
    byDataset: Object.fromEntries([...byDataset].map(([k, v]) => [k, done(v)])),
    byPos: Object.fromEntries(
      [...byPos].filter(([, v]) => v.total > 0).map(([k, v]) => [
        k,
        done(v),
      ]),
    ),
  };
  if (mapping) report.mapping = mapping;
  return report;
}

/** `Scorer.java`'s printout: `P=\t66.8%`, `R=\t…`, `F1=\t…`. */
export function formatScorerOutput(s: WsdScore): string {
  return `P=\t${s.precision.toFixed(1)}%\nR=\t${s.recall.toFixed(1)}%\nF1=\t${s.f1.toFixed(1)}%\n`;
}

// --- WordNet 3.0 / 3.1 ----------------------------------------------------------------------------

const WORD = /[a-z0-9]+/g;

function words(s: string): Set<string> {
  return new Set(s.toLowerCase().match(WORD) ?? []);
}

function jaccard(a: ReadonlySet<string>, b: ReadonlySet<string>): number {
  if (a.size === 0 && b.size === 0) return 1;
  let inter = 0;
  for (const x of a) if (b.has(x)) inter++;
  return inter / (a.size + b.size - inter);
}

/**
 * How alike two synsets of different WordNet versions are, in [0, 1]: 1 for the same definition
 * and members; half member-lemma overlap, half definition-word overlap otherwise.
 */
export function synsetSimilarity(a: SynsetLike, b: SynsetLike): number {
  const la = new Set(a.lemmas.map((l) => l.toLowerCase()));
  const lb = new Set(b.lemmas.map((l) => l.toLowerCase()));
  return 0.5 * jaccard(la, lb) + 0.5 * jaccard(words(a.definition), words(b.definition));
}

/** A synset match below this similarity is no correspondence. */
export const SYNSET_MATCH_THRESHOLD = 0.35;

/** One key's fate in {@link mapSenseKey}. */
export interface KeyMapping {
  /** The key in the target WordNet (the input key when identical or unmappable). */
  key: string;
  /** What happened. */
  how: "identical" | "mapped" | "unmappable";
}

/**
 * Map a sense key of WordNet `from` to the key of the same sense in WordNet `to`, through the
 * lemma and the synset: among the target senses of the same lemma and part of speech, the one
 * whose synset is most like the source synset (members and definition, {@link synsetSimilarity}).
 * A key that exists in `to` and denotes a matching synset there is `identical`; a key whose
 * sense moved to another key is `mapped`; a key with no corresponding sense is `unmappable`.
 */
export function mapSenseKey(key: string, from: SenseInventory, to: SenseInventory): KeyMapping {
  const src = from.senseByKey(key);
  const here = to.senseByKey(key);
  if (!src) return { key, how: here ? "identical" : "unmappable" };
  let best: { key: string; sim: number } | undefined;
  for (const cand of to.sensesOf(src.lemma, src.pos as WordNetPos)) {
    const sim = synsetSimilarity(src.synset, cand.synset);
    if (!best || sim > best.sim) best = { key: cand.key, sim };
  }
  if (here) {
    const simHere = synsetSimilarity(src.synset, here.synset);
    if (!best || best.key === key || simHere >= SYNSET_MATCH_THRESHOLD || best.sim <= simHere) {
      return { key, how: "identical" };
    }
  }
  if (best && best.sim >= SYNSET_MATCH_THRESHOLD) {
    return best.key === key ? { key, how: "identical" } : { key: best.key, how: "mapped" };
  }
  return { key, how: here ? "identical" : "unmappable" };
}

/** Map every answer key from WordNet `from` to WordNet `to` ({@link mapSenseKey}), counting. */
export function mapSenseKeys(
  keys: KeyMap,
  from: SenseInventory,
  to: SenseInventory,
): { keys: KeyMap; stats: KeyMapStats } {
  const stats: KeyMapStats = {
    from: from.version,
    to: to.version,
    identical: 0,
    mapped: 0,
    unmappable: 0,
    mappedExamples: [],
    unmappableExamples: [],
  };
  const out: KeyMap = new Map();
  const memo = new Map<string, KeyMapping>();
  for (const [id, ks] of keys) {
    out.set(
      id,
      ks.map((k) => {
        let m = memo.get(k);
        if (!m) memo.set(k, m = mapSenseKey(k, from, to));
        stats[m.how]++;
        if (m.how === "mapped" && stats.mappedExamples.length < 20) {
          stats.mappedExamples.push([k, m.key]);
        }
        if (m.how === "unmappable" && stats.unmappableExamples.length < 20) {
          stats.unmappableExamples.push(k);
        }
        return m.key;
      }),
    );
  }
  return { keys: out, stats };
}

/** How many gold instances `wn` can answer correctly at all (one of their keys is in `wn`). */
export function goldCoverage(gold: KeyMap, wn: SenseInventory): GoldCoverage {
  let covered = 0;
  const uncoveredExamples: [string, string[]][] = [];
  for (const [id, keys] of gold) {
    if (keys.some((k) => wn.senseByKey(k) !== undefined)) covered++;
    else if (uncoveredExamples.length < 20) uncoveredExamples.push([id, keys]);
  }
  return { version: wn.version, covered, total: gold.size, uncoveredExamples };
}

/**
 * Score a system key file against a gold key file (and, when given, the corpus file), as
 * `java Scorer gold.key.txt system.key` does, with the breakdowns of {@link scoreWsd} (ids without
 * a dataset prefix are counted under the gold file's name up to its first dot, `semeval2007`).
 *
 * @throws {UnknownInstanceError} when the system answers an id the gold file lacks (unless
 *   `unknownIds: "skip"`).
 * @throws {NoAnswersError} when the system file is empty or none of its lines holds an answer.
 * @throws {Deno.errors.NotFound} when a file is missing.
 */
export async function scoreWsdFiles(
  goldFile: string,
  systemFile: string,
  options: Omit<ScoreWsdOptions, "goldFile" | "systemFile" | "corpus"> & { dataFile?: string } = {},
): Promise<WsdReport & { incompleteLines: { gold: number[]; system: number[] } }> {
  const corpus = options.dataFile ? await readRaganatoXml(options.dataFile) : undefined;
  const gold = await readScorerKeys(goldFile);
  const system = await readScorerKeys(systemFile, true);
  const report = scoreWsd(gold.keys, system.keys, {
    dataset: basename(goldFile).split(".")[0] || undefined,
    ...options,
    corpus,
    goldFile,
    systemFile,
  });
  return { ...report, incompleteLines: { gold: gold.incomplete, system: system.incomplete } };
}
