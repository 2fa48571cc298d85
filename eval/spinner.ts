/**
 * A SpinBot / SpinnerChief-style article spinner: content words replaced by WordNet synonyms,
 * the way online paraphrasing tools produce machine-paraphrased plagiarism. The SpinnerChief
 * settings "replace about every 4th word" and "about every 2nd word" become the rates 0.25 and
 * 0.5 over content words.
 *
 * Like those tools, the spinner knows no context: a word's part of speech is its most frequent
 * one in WordNet, its synonyms come from its two most frequent senses, and one is drawn at random
 * (seeded). Inflection is carried over (plural nouns; regular -s, -ed, -ing verbs) and so is the
 * case pattern. A chosen word without a usable synonym passes its turn on to the following content
 * words (up to 3 turns owed), so the realised rate stays near the target.
 *
 * @module
 */
import { STOP_WORDS } from "@cohesive/lexical";
import { Rng } from "@cohesive/shared";

/** WordNet's part-of-speech letters. */
export type SpinPos = "n" | "v" | "a" | "r";

/** What the spinner asks of a WordNet (lexical's `WordNet` fits). */
export interface SynonymSource {
  /** The base form of `word` in `pos`, or undefined. */
  lemmatize(word: string, pos: SpinPos): string | undefined;
  /** The senses of `lemma` in `pos`, most frequent first. */
  sensesOf(
    lemma: string,
    pos: SpinPos,
  ): readonly { tagCount: number; synset: { lemmas: readonly string[] } }[];
}

/** The random draws the spinner needs (shared's `Rng` fits). */
export interface RandomSource {
  /** A float in [0, 1). */
  next(): number;
  /** An integer in [0, n). */
  int(n: number): number;
}

/** The two SpinnerChief-like settings: fraction of content words replaced. */
export const SPIN_SETTINGS: Readonly<Record<"light" | "heavy", number>> = Object.freeze({
  light: 0.25, // about every 4th content word
  heavy: 0.5, // about every 2nd content word
});

/** One spun text. */
export interface SpinResult {
  /** The spun text. */
  text: string;
  /** Content words seen. */
  contentWords: number;
  /** Words replaced. */
  replaced: number;
  /** The replacements, in order: `[original, synonym]`. */
  replacements: [string, string][];
}

const TOKEN = /[A-Za-z]+(?:'[A-Za-z]+)?|[^A-Za-z]+/g;
const POS_ORDER: readonly SpinPos[] = ["n", "v", "a", "r"];

/** What the spinner knows of a word: its lemma, part of speech and synonyms. */
export interface SpinChoice {
  /** WordNet lemma. */
  lemma: string;
  /** Its most frequent part of speech. */
  pos: SpinPos;
  /** Synonyms from its two most frequent senses (spaces for `_`). */
  synonyms: string[];
}

function applyCase(model: string, word: string): string {
  if (model.length > 1 && model === model.toUpperCase()) return word.toUpperCase();
  if (model[0] === model[0].toUpperCase()) return word[0].toUpperCase() + word.slice(1);
  return word;
}

function pluralize(w: string): string {
  if (/(s|x|z|ch|sh)$/.test(w)) return w + "es";
  if (/[^aeiou]y$/.test(w)) return w.slice(0, -1) + "ies";
  return w + "s";
}

function inflectVerb(w: string, form: "s" | "ed" | "ing"): string {
  // Multi-word verbs inflect their first word ("look up" → "looked up").
  const sp = w.indexOf(" ");
  if (sp > 0) return inflectVerb(w.slice(0, sp), form) + w.slice(sp);
  if (form === "s") return pluralize(w);
  // One-syllable consonant-vowel-consonant verbs double the consonant (get → getting).
  if (/^[^aeiou]*[aeiou][^aeiouwxy]$/.test(w)) w += w[w.length - 1];
  if (form === "ing") {
    if (/[^aeiou]e$/.test(w) && !w.endsWith("ee")) return w.slice(0, -1) + "ing";
    return w + "ing";
  }
  if (w.endsWith("e")) return w + "d";
  if (/[^aeiou]y$/.test(w)) return w.slice(0, -1) + "ied";
  return w + "ed";
}

/** A seeded synonym spinner over a WordNet. */
export class Spinner {
  readonly #wn: SynonymSource;
  readonly #cache = new Map<string, SpinChoice | null>();

  /** A spinner drawing synonyms from `wn`. */
  constructor(wn: SynonymSource) {
    this.#wn = wn;
  }

  /** Whether `word` is a content word (alphabetic, 3+ letters, not a stop word). */
  static isContentWord(word: string): boolean {
    const w = word.toLowerCase();
    return /^[a-z]{3,}$/.test(w) && !STOP_WORDS.has(w);
  }

  /** The lemma, part of speech and synonyms a context-free spinner uses for `word`. */
  synonymsOf(word: string): SpinChoice | undefined {
    const w = word.toLowerCase();
    const hit = this.#cache.get(w);
    if (hit !== undefined) return hit ?? undefined;
    let best: (SpinChoice & { count: number }) | undefined;
    for (const pos of POS_ORDER) {
      const lemma = this.#wn.lemmatize(w, pos);
      if (!lemma) continue;
      const senses = this.#wn.sensesOf(lemma, pos);
      if (senses.length === 0) continue;
      // The most frequent part of speech (SemCor tag counts, then sense count).
      const count = senses.reduce((s, x) => s + x.tagCount, 0) + senses.length / 1000;
      if (best && count <= best.count) continue;
      const synonyms: string[] = [];
      for (const s of senses.slice(0, 2)) {
        for (const l of s.synset.lemmas) {
          const syn = l.toLowerCase().replace(/_/g, " ").replace(/\([a-z]+\)$/, "");
          if (
            syn === lemma.replace(/_/g, " ") || syn.includes(lemma) || syn.length < 3 ||
            !/^[a-z][a-z -]*$/.test(syn)
          ) {
            continue;
          }
          if (!synonyms.includes(syn)) synonyms.push(syn);
        }
      }
      best = { lemma, pos, synonyms, count };
    }
    const out = best && best.synonyms.length
      ? { lemma: best.lemma, pos: best.pos, synonyms: best.synonyms }
      : undefined;
    this.#cache.set(w, out ?? null);
    return out;
  }

  /** The synonym of `word` (inflected and cased like it) chosen with `rng`, or undefined. */
  replace(word: string, rng: RandomSource): string | undefined {
    const c = this.synonymsOf(word);
    if (!c) return undefined;
    const w = word.toLowerCase();
    let syn = c.synonyms[rng.int(c.synonyms.length)];
    if (w !== c.lemma) {
      if (c.pos === "n" && w.endsWith("s")) syn = pluralize(syn);
      else if (c.pos === "v") {
        const form = w.endsWith("ing")
          ? "ing"
          : w.endsWith("ed")
          ? "ed"
          : w.endsWith("s")
          ? "s"
          : undefined;
        // An irregular form (ran, led, taken): leave it alone.
        if (!form || !w.startsWith(c.lemma.replace(/[ey]$/, ""))) return undefined;
        syn = inflectVerb(syn, form);
      } else return undefined; // comparatives and other forms
    }
    return applyCase(word, syn);
  }

  /**
   * Spin `text`: each content word is chosen with probability `rate`, and a chosen word without
   * a synonym passes its turn on; the draws come from `rng` (or `new Rng(seed)`).
   *
   * @example
   * ```ts
   * import assert from "node:assert/strict";
   * import { WordNet } from "@cohesive/lexical";
   * import { Spinner } from "@cohesive/eval";
   * const spinner = new Spinner(await WordNet.load());
   * const r = spinner.spin("The committee approved the new budget on Friday.", 0.5, 7);
   * assert.ok(r.replaced > 0);
   * assert.notEqual(r.text, "The committee approved the new budget on Friday.");
   * ```
   */
  spin(text: string, rate: number, rng: RandomSource | number): SpinResult {
    if (!(rate >= 0 && rate <= 1)) throw new RangeError(`spin rate ${rate} is not in [0, 1]`);
    const r = typeof rng === "number" ? new Rng(rng) : rng;
    let contentWords = 0;
    let owed = 0;
    const replacements: [string, string][] = [];
    const out = (text.match(TOKEN) ?? []).map((tok) => {
      if (!/^[A-Za-z]/.test(tok) || !Spinner.isContentWord(tok)) return tok;
      contentWords++;
      if (r.next() < rate) owed = Math.min(owed + 1, 3);
      if (owed === 0) return tok;
      const syn = this.replace(tok, r);
      if (syn === undefined) return tok;
      owed--;
      replacements.push([tok, syn]);
      return syn;
    });
    return { text: out.join(""), contentWords, replaced: replacements.length, replacements };
  }
}
