/**
 * Raw text in, WordNet senses out, with a knowledge-based method: tokenisation with character
 * offsets, multi-word expressions found in WordNet (longest match), a small heuristic
 * part-of-speech tagger, morphy lemmatisation, then a sense per content word.
 *
 * Limits of the heuristic tagger: it only chooses among the parts of speech WordNet lists for a
 * word, from the word's sense-tag frequency per part of speech and a handful of context rules
 * (determiner or preposition before → noun, pronoun, modal or `to` before → verb, `-ly` →
 * adverb, `-ed`/`-ing` → verb, adjective before a noun, verb before an object). Function words
 * (stop words) are never disambiguated, proper names are only found when WordNet lists them, and
 * verb + preposition collocations (`sit on`) are only joined when the particle is an adverbial
 * particle (`look up`), not a preposition followed by a noun phrase. Sentence splitting is on
 * `.`, `!`, `?` only.
 *
 * @module
 */
import {
  baseForm,
  type BaselineMethod,
  candidateSenses,
  chooseSense,
  contentWords,
  DEFAULT_PRIOR_WEIGHT,
  type LeskContext,
  type SenseCounts,
} from "./baselines.ts";
import { PPR_PRIOR_WEIGHT, type PprOptions } from "./ppr.ts";
import { STOP_WORDS } from "./stop_words.ts";
import { type PartOfSpeech, PARTS_OF_SPEECH, type Sense, type WordNet } from "./wordnet.ts";

/** A span of the input text. */
export interface TextSpan {
  /** The text of the span, as in the input. */
  text: string;
  /** Offset of its first UTF-16 code unit in the input. */
  start: number;
  /** Offset just past its last code unit (`input.slice(start, end) === text`). */
  end: number;
}

/** A token after analysis: its lemma, part of speech and candidate senses. */
export interface AnalyzedToken extends TextSpan {
  /** WordNet lemma (lower case, `_` between words), or `null` for a word WordNet lacks. */
  lemma: string | null;
  /** The chosen part of speech, or `null` for punctuation, function words and unknown words. */
  pos: PartOfSpeech | null;
  /** Candidate senses in that part of speech, in WordNet order (empty when `pos` is `null`). */
  candidates: Sense[];
  /** Index of the token's sentence (0-based). */
  sentence: number;
}

/** A token with its sense. */
export interface DisambiguatedToken extends TextSpan {
  /** WordNet lemma, or `null`. */
  lemma: string | null;
  /** Part of speech, or `null` when the token is not disambiguated. */
  pos: PartOfSpeech | null;
  /** The chosen sense key, e.g. `bank%1:17:01::`, or `null`. */
  senseKey: string | null;
  /** The chosen synset id, e.g. `09213565n`, or `null`. */
  synset: string | null;
  /** The synset's definition, or `null`. */
  gloss: string | null;
  /**
   * The method's score (Lesk overlap plus prior, SemCor count, PageRank, 1 for first sense), or
   * `null`.
   */
  score: number | null;
  /** The method that chose the sense (`first-sense` when Lesk backed off), or `null`. */
  model: string | null;
}

/** Options of {@link disambiguateText}. */
export interface DisambiguateOptions {
  /** The method. Default `extended-lesk`. */
  method?: BaselineMethod;
  /** SemCor counts, required by `mfs`. */
  counts?: SenseCounts;
  /**
   * The sense-frequency prior weight: Lesk's (default {@link DEFAULT_PRIOR_WEIGHT}), or λ of
   * `ppr`'s `log PPR + λ · log p(sense)` (default {@link PPR_PRIOR_WEIGHT}); 0 = the method alone.
   */
  priorWeight?: number;
  /** `ppr`'s graph and personalisation knobs (default `PPR_DEFAULTS`). */
  ppr?: PprOptions;
  /** Longest multi-word expression tried, in words. Default 5. */
  maxMultiWord?: number;
}

// --- tokenisation --------------------------------------------------------------------------------

const TOKEN = /[\p{L}\p{N}]+(?:[-'’][\p{L}\p{N}]+)*|\S/gu;
const CLITIC = /^(.+?)('s|'re|'ve|'ll|'d|'m|n't|’s|’re|’ve|’ll|’d|’m|n’t)$/iu;

/**
 * Split text into words and punctuation with their offsets; English clitics (`'s`, `n't`, `'re`…)
 * become tokens of their own.
 */
export function tokenize(text: string): TextSpan[] {
  const out: TextSpan[] = [];
  for (const m of text.matchAll(TOKEN)) {
    const start = m.index!;
    const c = CLITIC.exec(m[0]);
    if (c) {
      out.push({ text: c[1], start, end: start + c[1].length });
      out.push({ text: c[2], start: start + c[1].length, end: start + m[0].length });
    } else out.push({ text: m[0], start, end: start + m[0].length });
  }
  return out;
}

function isWord(t: TextSpan): boolean {
  return /^[\p{L}\p{N}]/u.test(t.text);
}

// --- part-of-speech heuristics -------------------------------------------------------------------

const DETERMINERS = new Set(
  "the a an this that these those my your his her its our their some any every each no another such what which whose"
    .split(" "),
);
const PREPOSITIONS = new Set(
  "of in on at by for with from into onto about over under through between among after before during without within against across along around behind beyond near toward towards upon"
    .split(" "),
);
const SUBJECTS = new Set("i you he she it we they who".split(" "));
const VERB_CUES = new Set(
  "to will would can could shall should may might must do does did not n't 'll 'd".split(" "),
);
const BE = new Set("be is are was were been being am 's 're 'm".split(" "));
const OBJECTS = new Set(
  "the a an this that these those my your his her its our their him them me us it some".split(" "),
);
/** Adverbial particles that make a phrasal verb even before a noun phrase (`look up the word`). */
const PARTICLES = new Set("up down out off away back over around about through along".split(" "));

function lower(t: TextSpan | undefined): string {
  return t ? t.text.toLowerCase().replace(/’/g, "'") : "";
}

// --- analysis ------------------------------------------------------------------------------------

interface Unit {
  span: TextSpan;
  words: string[];
  multiword: boolean;
  sentence: number;
  /** Lemma per part of speech WordNet knows the unit in. */
  forms: Partial<Record<PartOfSpeech, string>>;
}

function formsOf(wn: WordNet, form: string): Partial<Record<PartOfSpeech, string>> {
  const out: Partial<Record<PartOfSpeech, string>> = {};
  for (const p of PARTS_OF_SPEECH) {
    const m = wn.morphy(form, p);
    if (m.length) out[p] = m[0];
  }
  return out;
}

function frequency(wn: WordNet, lemma: string, pos: PartOfSpeech): number {
  let n = 0;
  for (const s of wn.sensesOf(lemma, pos)) n += s.tagCount;
  return n;
}

/**
 * Tokenise, join multi-word expressions, tag and lemmatise: everything {@link disambiguateText}
 * does before choosing senses (a neural model can take over from here).
 */
export function analyzeText(
  text: string,
  wn: WordNet,
  options: { maxMultiWord?: number } = {},
): AnalyzedToken[] {
  const maxN = options.maxMultiWord ?? 5;
  const tokens = tokenize(text);
  // sentence index per token
  const sentenceOf: number[] = [];
  let sentence = 0;
  for (const t of tokens) {
    sentenceOf.push(sentence);
    if (/^[.!?]$/.test(t.text)) sentence++;
  }
  // multi-word expressions, longest match first
  const units: Unit[] = [];
  for (let i = 0; i < tokens.length;) {
    const t = tokens[i];
    let best: Unit | undefined;
    if (isWord(t) && maxN > 1) {
      const first = lower(t);
      const starts = new Set([first, ...PARTS_OF_SPEECH.flatMap((p) => wn.morphy(first, p))]);
      for (const f of starts) {
        let prefix = f;
        for (let n = 2; n <= maxN && i + n - 1 < tokens.length; n++) {
          const next = tokens[i + n - 1];
          const gap = text.slice(tokens[i + n - 2].end, next.start);
          if (!isWord(next) || !/^[ \t-]?$/.test(gap) && !/^\s+$/.test(gap)) break;
          if (!wn.hasLemmaPrefix(prefix + "_")) break;
          const joined = `${prefix}_${lower(next)}`;
          prefix = joined;
          if (best && best.words.length >= n) continue;
          const forms = formsOf(wn, joined);
          if (forms.v && !forms.n && !forms.a && !forms.r) {
            // a verb + preposition before a noun phrase is a verb and a preposition (`sat on the`)
            const particle = lower(next);
            const after = lower(tokens[i + n]);
            if (!PARTICLES.has(particle) && (OBJECTS.has(after) || PREPOSITIONS.has(particle))) {
              continue;
            }
          }
          if (Object.keys(forms).length) {
            best = {
              span: { text: text.slice(t.start, next.end), start: t.start, end: next.end },
              words: tokens.slice(i, i + n).map((x) => x.text),
              multiword: true,
              sentence: sentenceOf[i],
              forms,
            };
          }
        }
      }
    }
    if (best) {
      units.push(best);
      i += best.words.length;
    } else {
      const w = lower(t);
      const content = isWord(t) && !STOP_WORDS.has(w) && !/^\d+([.,]\d+)*$/.test(w);
      units.push({
        span: t,
        words: [t.text],
        multiword: false,
        sentence: sentenceOf[i],
        forms: content ? formsOf(wn, w) : {},
      });
      i++;
    }
  }
  // part of speech per unit, left to right (a rule looks at the previous decision)
  let prevPos: PartOfSpeech | null = null;
  return units.map((u, k) => {
    const pos = choosePos(wn, units, k, prevPos);
    prevPos = pos;
    const lemma = pos ? u.forms[pos]! : (Object.values(u.forms)[0] ?? null);
    const candidates = pos ? candidateSenses(wn, lemma!, pos) : [];
    return {
      ...u.span,
      lemma,
      pos: candidates.length ? pos : null,
      candidates,
      sentence: u.sentence,
    };
  });
}

function choosePos(
  wn: WordNet,
  units: Unit[],
  k: number,
  prevPos: PartOfSpeech | null,
): PartOfSpeech | null {
  const u = units[k];
  const options = Object.keys(u.forms) as PartOfSpeech[];
  if (options.length <= 1) return options[0] ?? null;
  const prev = units[k - 1]?.multiword ? "" : lower(units[k - 1]?.span);
  const prev2 = units[k - 2]?.multiword ? "" : lower(units[k - 2]?.span);
  const next = units[k + 1];
  const nextWord = next && !next.multiword ? lower(next.span) : "";
  const surface = lower(u.span);
  let best: PartOfSpeech | null = null;
  let bestScore = -Infinity;
  for (const p of options) {
    let score = Math.log1p(frequency(wn, u.forms[p]!, p));
    const boost = (c: boolean, by = 3) => c && (score += by);
    boost(p === "n" && (DETERMINERS.has(prev) || prev === "'s" || PREPOSITIONS.has(prev)));
    boost(p === "a" && DETERMINERS.has(prev) && next !== undefined && next.forms.n !== undefined);
    boost(p === "n" && prevPos === "a", 2);
    boost(p === "a" && BE.has(prev) && !/(ing|ed)$/.test(surface), 1.5);
    boost(p === "v" && (SUBJECTS.has(prev) || VERB_CUES.has(prev)));
    boost(p === "v" && (SUBJECTS.has(prev2) && (u.forms.r !== undefined || prev === "also")), 1);
    boost(p === "v" && OBJECTS.has(nextWord) && !DETERMINERS.has(prev) && !PREPOSITIONS.has(prev));
    boost(p === "v" && /(ed|ing)$/.test(surface) && u.forms.v !== surface, 2);
    boost(p === "v" && BE.has(prev) && /ing$/.test(surface), 2);
    boost(p === "r" && /ly$/.test(surface), 3);
    boost(p === "a" && next !== undefined && next.forms.n !== undefined && !next.forms.v, 1);
    if (score > bestScore) [best, bestScore] = [p, score];
  }
  return best;
}

// --- disambiguation ------------------------------------------------------------------------------

/**
 * Disambiguate every content word of `text` with a knowledge-based method (default: extended
 * Lesk with a sense-frequency prior, context = the word's sentence; with `ppr`, the candidates
 * of the sentence's other content words personalise PageRank).
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { disambiguateText, WordNet } from "@cohesive/lexical";
 * const wn = await WordNet.load();
 * const tokens = disambiguateText("He sat on the bank of the river.", wn);
 * assert.equal(tokens.find((t) => t.text === "bank")?.senseKey, "bank%1:17:01::");
 * ```
 */
export function disambiguateText(
  text: string,
  wn: WordNet,
  options: DisambiguateOptions = {},
): DisambiguatedToken[] {
  const method = options.method ?? "extended-lesk";
  if (method === "mfs" && !options.counts) {
    throw new TypeError("the mfs method needs SemCor counts");
  }
  const tokens = analyzeText(text, wn, options);
  // per sentence: how often each context word occurs; a token's context is its sentence's
  // words minus its own (so each look-up is O(1), however long the sentence)
  const ownWords = tokens.map((t) =>
    contentWords((t.lemma ?? t.text).replace(/_/g, " ")).map((w) => baseForm(w, wn))
  );
  const sentenceSenses = new Map<number, Sense[][]>();
  if (method === "ppr") {
    for (const t of tokens) {
      if (!t.pos || t.candidates.length === 0) continue;
      let list = sentenceSenses.get(t.sentence);
      if (!list) sentenceSenses.set(t.sentence, list = []);
      list.push(t.candidates);
    }
  }
  const priorWeight = options.priorWeight ??
    (method === "ppr" ? PPR_PRIOR_WEIGHT : DEFAULT_PRIOR_WEIGHT);
  const sentenceCounts = new Map<number, Map<string, number>>();
  tokens.forEach((t, i) => {
    let counts = sentenceCounts.get(t.sentence);
    if (!counts) sentenceCounts.set(t.sentence, counts = new Map());
    for (const w of ownWords[i]) counts.set(w, (counts.get(w) ?? 0) + 1);
  });
  return tokens.map((t, i) => {
    const base = { text: t.text, start: t.start, end: t.end, lemma: t.lemma, pos: t.pos };
    if (!t.pos || t.candidates.length === 0) {
      return { ...base, senseKey: null, synset: null, gloss: null, score: null, model: null };
    }
    const counts = sentenceCounts.get(t.sentence)!;
    const own = ownWords[i];
    const context: LeskContext = {
      has: (w) => (counts.get(w) ?? 0) > own.filter((x) => x === w).length,
    };
    const choice = chooseSense(method, t.candidates, context, wn, {
      counts: options.counts,
      priorWeight,
      contextSenses: sentenceSenses.get(t.sentence),
      ppr: options.ppr,
    });
    if (!choice) {
      return { ...base, senseKey: null, synset: null, gloss: null, score: null, model: null };
    }
    return {
      ...base,
      senseKey: choice.sense.key,
      synset: choice.sense.synset.id,
      gloss: choice.sense.synset.definition,
      score: choice.score,
      model: choice.model,
    };
  });
}
