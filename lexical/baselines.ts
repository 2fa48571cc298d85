/**
 * Knowledge-based WSD baselines over a {@link WordNet}: WordNet first sense, most frequent sense
 * (MFS) from SemCor counts, simplified Lesk, extended Lesk and personalised PageRank over
 * WordNet's graph (`ppr`, see `ppr.ts`). Every method backs off to the first sense, and
 * candidates are restricted to the instance's part of speech.
 *
 * @module
 */
import { join } from "node:path";
import { requireDataDir } from "@cohesive/shared";
import { instancesOf, readKeys, type WsdCorpus, type WsdKeys, type WsdToken } from "./raganato.ts";
import { choosePprInstance, pprChoose, pprCorpus, type PprOptions } from "./ppr.ts";
import { STOP_WORDS } from "./stop_words.ts";
import {
  normalizeLemma,
  parsePos,
  type PartOfSpeech,
  type Sense,
  type Synset,
  type WordNet,
} from "./wordnet.ts";

/** The knowledge-based methods. */
export type BaselineMethod = "first-sense" | "mfs" | "lesk" | "extended-lesk" | "ppr";

/** Every {@link BaselineMethod}, in CLI order. */
export const BASELINE_METHODS: readonly BaselineMethod[] = [
  "first-sense",
  "mfs",
  "lesk",
  "extended-lesk",
  "ppr",
];

/** A chosen sense. */
export interface SenseChoice {
  /** The sense. */
  sense: Sense;
  /**
   * The method's score: Lesk overlap, SemCor count for MFS, PageRank for `ppr`, 1 for the first
   * sense.
   */
  score: number;
  /** The method that decided: the one asked for, or `first-sense` when it backed off. */
  model: BaselineMethod;
}

/**
 * The candidate senses of a word in one part of speech, in WordNet order: the senses of `lemma`,
 * else of its morphy base forms, else of `surface` (spaces as `_`) and its base forms.
 */
export function candidateSenses(
  wn: WordNet,
  lemma: string,
  pos: PartOfSpeech,
  surface?: string,
): Sense[] {
  for (const form of [lemma, surface]) {
    if (!form) continue;
    const direct = wn.sensesOf(form, pos);
    if (direct.length) return direct;
    for (const base of wn.morphy(form, pos)) {
      const senses = wn.sensesOf(base, pos);
      if (senses.length) return senses;
    }
  }
  return [];
}

/** WordNet's first sense among `candidates` (they come in sense-number order). */
export function firstSense(candidates: readonly Sense[]): SenseChoice | undefined {
  const sense = candidates[0];
  return sense && { sense, score: 1, model: "first-sense" };
}

// --- MFS -----------------------------------------------------------------------------------------

/** How often each sense key is tagged in a sense-annotated corpus. */
export class SenseCounts {
  /** Key → count. */
  readonly counts: Map<string, number>;
  /** Number of annotated instances counted. */
  readonly instances: number;

  /** Wrap a key → count map. */
  constructor(counts: Map<string, number>, instances: number) {
    this.counts = counts;
    this.instances = instances;
  }

  /** Count the keys of a gold key file: each key of an instance counts once. */
  static fromKeys(keys: WsdKeys): SenseCounts {
    const counts = new Map<string, number>();
    for (const senses of keys.values()) {
      for (const k of senses) counts.set(k, (counts.get(k) ?? 0) + 1);
    }
    return new SenseCounts(counts, keys.size);
  }

  /**
   * Counts from SemCor (`wsd/Training_Corpora/SemCor/semcor.gold.key.txt` of the data folder).
   *
   * @throws {Deno.errors.NotFound} when no data folder is configured.
   */
  static async semcor(dataDir?: string): Promise<SenseCounts> {
    const dir = dataDir ?? requireDataDir("MFS (SemCor counts)");
    return SenseCounts.fromKeys(
      await readKeys(join(dir, "wsd", "Training_Corpora", "SemCor", "semcor.gold.key.txt")),
    );
  }

  /** The count of sense key `key` (0 when never seen). */
  get(key: string): number {
    return this.counts.get(key) ?? 0;
  }
}

/** The candidate most often tagged in `counts`; the first sense when none was ever seen. */
export function mostFrequentSense(
  candidates: readonly Sense[],
  counts: SenseCounts,
): SenseChoice | undefined {
  let best: Sense | undefined;
  let bestCount = 0;
  for (const s of candidates) {
    const c = counts.get(s.key);
    if (c > bestCount) [best, bestCount] = [s, c];
  }
  return best ? { sense: best, score: bestCount, model: "mfs" } : firstSense(candidates);
}

// --- Lesk ----------------------------------------------------------------------------------------

/**
 * Relations whose synsets join a sense's signature in extended Lesk: Banerjee and Pedersen's
 * taxonomy, part-whole and adjective-cluster links. (Chosen on semeval2007 among a few sets;
 * adding derivation, verb relations or domains did not help there.)
 */
export const EXTENDED_LESK_RELATIONS: readonly string[] = [
  "@", // hypernym
  "@i", // instance hypernym
  "~", // hyponym
  "~i", // instance hyponym
  "#m", // member holonym
  "#s", // substance holonym
  "#p", // part holonym
  "%m", // member meronym
  "%s", // substance meronym
  "%p", // part meronym
  "&", // similar to
  "^", // also see
];

/**
 * The sense-frequency prior weight that `disambiguateText()` uses with Lesk by default: best of
 * 0, 2, 4, 8, 16 on semeval2007 for both Lesk variants.
 */
export const DEFAULT_PRIOR_WEIGHT = 4;

/** A context as Lesk needs it: membership of base-form content words. */
export interface LeskContext {
  /** Whether the context holds `word`. */
  has(word: string): boolean;
}

/** Options of {@link lesk}. */
export interface LeskOptions {
  /** Add related synsets' lemmas and glosses to each signature (extended Lesk). Default false. */
  extended?: boolean;
  /** Used to reduce signature words to base forms and to follow relations. */
  wn?: WordNet;
  /** Relations followed by extended Lesk. Default {@link EXTENDED_LESK_RELATIONS}. */
  relations?: readonly string[];
  /**
   * Weight of the sense-frequency prior added to the overlap: `priorWeight · (tagCount + 1) /
   * Σ(tagCount + 1)` over the candidates. Default 0 (pure Lesk).
   */
  priorWeight?: number;
}

const WORD = /[a-z0-9]+(?:['-][a-z0-9]+)*/g;

/** Lower-cased words of `text` without stop words (and without one-letter words). */
export function contentWords(text: string): string[] {
  return (text.toLowerCase().match(WORD) ?? []).filter((w) => w.length > 1 && !STOP_WORDS.has(w));
}

const baseCache = new WeakMap<WordNet, Map<string, string>>();
const BASE_CACHE_LIMIT = 200_000;

/** A word's base form for overlap counting: its first morphy form in n, v, a, r order. */
export function baseForm(word: string, wn?: WordNet): string {
  if (!wn) return word;
  let cache = baseCache.get(wn);
  if (!cache) baseCache.set(wn, cache = new Map());
  let base = cache.get(word);
  if (base === undefined) {
    base = wn.morphy(word, "n")[0] ?? wn.morphy(word, "v")[0] ?? wn.morphy(word, "a")[0] ??
      wn.morphy(word, "r")[0] ?? word;
    // Bounded like WordNet's own look-up cache: a server sees unboundedly many distinct words.
    if (cache.size >= BASE_CACHE_LIMIT) cache.clear();
    cache.set(word, base);
  }
  return base;
}

const signatureCache = new WeakMap<WordNet, Map<string, ReadonlySet<string>>>();

function synsetText(s: Synset): string {
  return `${s.lemmas.join(" ").replace(/_/g, " ")} ${s.definition} ${s.examples.join(" ")}`;
}

/**
 * The bag of base-form content words describing a synset: its definition and examples (simple
 * Lesk), plus its lemma names and the lemma names, definitions and examples of related synsets
 * (extended Lesk).
 */
export function signature(synset: Synset, options: LeskOptions = {}): ReadonlySet<string> {
  const { wn, extended = false } = options;
  const relations = options.relations ?? EXTENDED_LESK_RELATIONS;
  const cacheKey = `${extended ? "x" : "s"}${
    options.relations ? "[" + options.relations.join(" ") + "]" : ""
  }:${synset.id}`;
  let cache: Map<string, ReadonlySet<string>> | undefined;
  if (wn) {
    cache = signatureCache.get(wn);
    if (!cache) signatureCache.set(wn, cache = new Map());
    const hit = cache.get(cacheKey);
    if (hit) return hit;
  }
  let text = `${synset.definition} ${synset.examples.join(" ")}`;
  if (extended) {
    text = synsetText(synset);
    if (wn) { for (const r of wn.related(synset, relations)) text += " " + synsetText(r); }
  }
  const sig = new Set(contentWords(text).map((w) => baseForm(w, wn)));
  cache?.set(cacheKey, sig);
  return sig;
}

/**
 * Lesk: the candidate whose signature shares the most words with the context (plus, with
 * `priorWeight`, a share of its sense-tag frequency). Ties go to the earlier (more frequent)
 * sense; no overlap at all backs off to the first sense (`model: "first-sense"`).
 *
 * @param candidates senses in WordNet order.
 * @param context base-form content words of the context (the target itself excluded), as a list
 *   or as anything with `has(word)`.
 */
export function lesk(
  candidates: readonly Sense[],
  context: Iterable<string> | LeskContext,
  options: LeskOptions = {},
): SenseChoice | undefined {
  const ctx: LeskContext = "has" in context ? context : new Set(context);
  const prior = options.priorWeight ?? 0;
  let mass = 0;
  if (prior) { for (const s of candidates) mass += s.tagCount + 1; }
  let best: Sense | undefined;
  let bestScore = 0;
  let anyOverlap = false;
  for (const s of candidates) {
    let overlap = 0;
    for (const w of signature(s.synset, options)) if (ctx.has(w)) overlap++;
    if (overlap === 0 && !prior) continue;
    anyOverlap ||= overlap > 0;
    const score = overlap + (prior ? (prior * (s.tagCount + 1)) / mass : 0);
    if (score > bestScore) [best, bestScore] = [s, score];
  }
  if (!best || !anyOverlap) return firstSense(candidates);
  return { sense: best, score: bestScore, model: options.extended ? "extended-lesk" : "lesk" };
}

// --- running over a corpus -----------------------------------------------------------------------

/** Options of {@link runBaseline}. */
export interface BaselineOptions {
  /** The method. */
  method: BaselineMethod;
  /** SemCor counts; required for `mfs`. */
  counts?: SenseCounts;
  /** Sentences on each side of the target's sentence added to the Lesk or ppr context. Default 0. */
  window?: number;
  /** Relations followed by extended Lesk. Default {@link EXTENDED_LESK_RELATIONS}. */
  relations?: readonly string[];
  /**
   * The sense-frequency prior weight: Lesk's (see {@link LeskOptions.priorWeight}), or λ of
   * `ppr`'s `log PPR + λ · log p(sense)`.
   */
  priorWeight?: number;
  /** `ppr`'s graph and personalisation knobs (default `PPR_DEFAULTS`). */
  ppr?: PprOptions;
}

function contextOf(tokens: readonly WsdToken[], skip: WsdToken | undefined, wn: WordNet): string[] {
  const out: string[] = [];
  for (const t of tokens) {
    if (t === skip) continue;
    for (const w of contentWords((t.lemma || t.text).replace(/_/g, " "))) out.push(baseForm(w, wn));
  }
  return out;
}

/** Choose a sense for one word with a knowledge-based method. */
export function chooseSense(
  method: BaselineMethod,
  candidates: readonly Sense[],
  context: Iterable<string> | LeskContext,
  wn: WordNet,
  options: {
    counts?: SenseCounts;
    relations?: readonly string[];
    priorWeight?: number;
    /** For `ppr`: the candidate senses of each other content word of the context. */
    contextSenses?: readonly (readonly Sense[])[];
    /** For `ppr`: graph and personalisation knobs (default `PPR_DEFAULTS`). */
    ppr?: PprOptions;
  } = {},
): SenseChoice | undefined {
  switch (method) {
    case "first-sense":
      return firstSense(candidates);
    case "mfs":
      if (!options.counts) throw new TypeError("the mfs method needs SemCor counts");
      return mostFrequentSense(candidates, options.counts);
    case "lesk":
      return lesk(candidates, context, {
        wn,
        priorWeight: options.priorWeight,
      });
    case "extended-lesk":
      return lesk(candidates, context, {
        wn,
        extended: true,
        relations: options.relations,
        priorWeight: options.priorWeight,
      });
    case "ppr":
      return pprChoose(candidates, options.contextSenses ?? [], wn, {
        ...options.ppr,
        priorWeight: options.priorWeight,
      });
    default:
      throw new TypeError(`unknown method ${method as string}`);
  }
}

/**
 * Run a baseline over every instance of a corpus. Instances whose part of speech is not one of
 * WordNet's, or whose lemma WordNet lacks, get no answer.
 *
 * @returns instance id → choice, in document order.
 */
export function runBaseline(
  corpus: WsdCorpus,
  wn: WordNet,
  options: BaselineOptions,
): Map<string, SenseChoice> {
  const { method, window = 0 } = options;
  if (method === "mfs" && !options.counts) {
    throw new TypeError("the mfs method needs SemCor counts");
  }
  const out = new Map<string, SenseChoice>();
  if (method === "ppr") {
    for (
      const inst of pprCorpus(corpus, wn, {
        ...options.ppr,
        window,
        priorWeight: options.priorWeight,
      })
    ) {
      out.set(inst.id, choosePprInstance(inst, options.priorWeight ?? 0));
    }
    return out;
  }
  const needsContext = method === "lesk" || method === "extended-lesk";
  for (const text of corpus.texts) {
    const sentenceContexts = needsContext
      ? text.sentences.map((s) => contextOf(s.tokens, undefined, wn))
      : [];
    text.sentences.forEach((sentence, si) => {
      for (const token of sentence.tokens) {
        if (token.kind !== "instance" || token.id === undefined) continue;
        const pos = parsePos(token.pos);
        if (!pos) continue;
        const candidates = candidateSenses(wn, token.lemma, pos, normalizeLemma(token.text));
        let context: string[] = [];
        if (needsContext) {
          context = contextOf(sentence.tokens, token, wn);
          for (let d = 1; d <= window; d++) {
            context.push(...(sentenceContexts[si - d] ?? []), ...(sentenceContexts[si + d] ?? []));
          }
        }
        const choice = chooseSense(method, candidates, context, wn, options);
        if (choice) out.set(token.id, choice);
      }
    });
  }
  return out;
}

/** {@link runBaseline} as a key map (instance id → `[sense key]`), ready for `writeKeys`. */
export function baselineKeys(corpus: WsdCorpus, wn: WordNet, options: BaselineOptions): WsdKeys {
  const keys: WsdKeys = new Map();
  for (const [id, choice] of runBaseline(corpus, wn, options)) keys.set(id, [choice.sense.key]);
  return keys;
}

/** Number of instances in a corpus (a convenience for reports). */
export function countInstances(corpus: WsdCorpus): number {
  let n = 0;
  for (const _ of instancesOf(corpus)) n++;
  return n;
}

/**
 * One warning line for the instances of `corpus` that `keys` leaves unanswered (their lemma or
 * part of speech unknown to `wordnet`), with their count and first ids; undefined when every
 * instance is answered.
 *
 * @example
 * ```ts
 * import { parseRaganatoXml, unansweredWarning } from "@cohesive/lexical";
 * import assert from "node:assert/strict";
 * const corpus = parseRaganatoXml(
 *   `<corpus><text id="d0"><sentence id="d0.s0"><instance id="d0.s0.t0" lemma="bank" pos="NOUN">bank</instance><instance id="d0.s0.t1" lemma="zzz" pos="X">zzz</instance></sentence></text></corpus>`,
 * );
 * const keys = new Map([["d0.s0.t0", ["bank%1:17:01::"]]]);
 * assert.equal(
 *   unansweredWarning(corpus, keys, "WordNet 3.0"),
 *   "warning: 1 of 2 instances left unanswered (lemma or part of speech unknown to WordNet 3.0): d0.s0.t1",
 * );
 * ```
 */
export function unansweredWarning(
  corpus: WsdCorpus,
  keys: WsdKeys,
  wordnet: string,
): string | undefined {
  const missing: string[] = [];
  let total = 0;
  for (const { token } of instancesOf(corpus)) {
    total++;
    if (!keys.has(token.id)) missing.push(token.id);
  }
  if (missing.length === 0) return undefined;
  const shown = missing.slice(0, 5).join(", ") + (missing.length > 5 ? ", …" : "");
  return `warning: ${missing.length} of ${total} instances left unanswered ` +
    `(lemma or part of speech unknown to ${wordnet}): ${shown}`;
}
