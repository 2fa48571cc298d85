/**
 * Sentence splitting for plagiarism alignment, with offsets into the original text. It is made
 * for text as users paste it: a full stop without a space after it (`clustering.We`), common
 * abbreviations and initials (`e.g.`, `Dr.`, `J. Smith`, `U.S.`), decimal numbers, and line
 * breaks (blank lines, list items, lines that end without punctuation).
 *
 * @module
 */
import type { TextSpan } from "@cohesive/lexical";

/** Default longest sentence, in characters; longer runs are cut at a space. */
export const MAX_SENTENCE_CHARS = 500;

/** Abbreviations (lower case, without the final full stop) after which a sentence goes on. */
export const ABBREVIATIONS: ReadonlySet<string> = new Set(
  (
    "mr mrs ms dr prof sr jr st mt vs etc e.g i.e cf al fig figs eq eqs no nos vol vols pp ch " +
    "sec approx dept univ inc ltd co corp jan feb mar apr jun jul aug sep sept oct nov dec " +
    "u.s u.k u.n a.m p.m ph.d b.sc m.sc ca resp viz gen col lt capt rev est"
  ).split(" "),
);

/** Terminal punctuation, then closing quotes or brackets. */
const TERMINAL = /[.!?…]+["'”’)\]]*/gu;

function isSpace(c: string | undefined): boolean {
  return c !== undefined && /\s/u.test(c);
}

/** The word (letters and inner full stops) that ends just before `at`. */
function wordBefore(text: string, at: number): string {
  let i = at;
  while (i > 0 && /[\p{L}\p{N}.]/u.test(text[i - 1])) i--;
  return text.slice(i, at).replace(/^\.+/, "");
}

/** Whether the terminal punctuation `m` at `at` ends a sentence. */
function endsSentence(text: string, at: number, mark: string): boolean {
  const after = at + mark.length;
  const next = text[after];
  if (next === undefined) return true;
  const single = mark === ".";
  if (!isSpace(next)) {
    // "clustering.We": a full stop between a word of 2+ lower-case letters and a capital.
    if (!/^[.!?…]/u.test(mark) || !/\p{Lu}/u.test(next)) return false;
    const w = wordBefore(text, at);
    return /\p{Ll}{2,}$/u.test(w) && !w.includes(".") && !ABBREVIATIONS.has(w.toLowerCase());
  }
  if (!single) return true;
  const w = wordBefore(text, at);
  if (w === "") return true;
  let j = after;
  while (isSpace(text[j]) && text[j] !== "\n") j++;
  const following = text[j];
  if (following === "\n") return true;
  // Initials ("J. Smith") and abbreviations go on, unless a capital follows an abbreviation
  // that usually ends a sentence ("etc. The").
  if (/^\p{Lu}$/u.test(w)) return false;
  const lower = w.toLowerCase();
  if (ABBREVIATIONS.has(lower) || /^(\p{L}\.)+\p{L}$/u.test(w)) {
    return (lower === "etc" || lower === "al") && following !== undefined &&
      /\p{Lu}/u.test(following);
  }
  // A lower-case word after a full stop does not start a sentence ("approx. five").
  return following === undefined || !/\p{Ll}/u.test(following);
}

/** Offsets where a line break ends a sentence (blank lines, list items, unpunctuated lines). */
function lineBreaks(text: string): number[] {
  const out: number[] = [];
  for (const m of text.matchAll(/\n/gu)) {
    const at = m.index!;
    let k = at + 1;
    while (k < text.length && /[ \t\r]/u.test(text[k])) k++;
    let p = at;
    while (p > 0 && /[ \t\r]/u.test(text[p - 1])) p--;
    const prev = text[p - 1];
    const next = text[k];
    if (prev === undefined || next === undefined) continue;
    const blank = next === "\n";
    const item = /^([-*•–]|\d+[.)])\s/u.test(text.slice(k, k + 4));
    // A line that ends in a letter or digit followed by a line that starts with a capital is a
    // heading or a line of its own; one that ends with a comma, hyphen or lower-case word
    // followed by a lower-case word is a wrapped sentence.
    const unpunctuated = /[\p{L}\p{N}:;)]/u.test(prev) && /[\p{Lu}\d"“]/u.test(next);
    if (blank || item || unpunctuated) out.push(at);
  }
  return out;
}

/**
 * Split `text` into sentences: after `.`, `!`, `?` or `…` (and closing quotes or brackets)
 * followed by white space, a full stop glued to a capital (`clustering.We`), at blank lines, list
 * items and lines that end without punctuation; not after abbreviations, initials or inside
 * numbers. Sentences without a letter or digit are dropped; a sentence longer than `maxChars` is
 * cut at the last space before the limit (or at the limit). Each span satisfies
 * `text.slice(start, end) === span.text`, trimmed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitSentences } from "@cohesive/serve";
 * assert.deepEqual(splitSentences("One. Two!  Three").map((s) => s.text), ["One.", "Two!", "Three"]);
 * assert.deepEqual(splitSentences("We use clustering.We met Dr. Smith.").map((s) => s.text), [
 *   "We use clustering.",
 *   "We met Dr. Smith.",
 * ]);
 * ```
 */
export function splitSentences(text: string, maxChars = MAX_SENTENCE_CHARS): TextSpan[] {
  const out: TextSpan[] = [];
  const push = (start: number, end: number) => {
    while (start < end && isSpace(text[start])) start++;
    while (end > start && isSpace(text[end - 1])) end--;
    while (end - start > maxChars) {
      let cut = text.lastIndexOf(" ", start + maxChars);
      if (cut <= start) cut = start + maxChars;
      push(start, cut);
      start = cut;
      while (start < end && isSpace(text[start])) start++;
    }
    if (end > start && /[\p{L}\p{N}]/u.test(text.slice(start, end))) {
      out.push({ text: text.slice(start, end), start, end });
    }
  };
  const cuts: number[] = [];
  for (const m of text.matchAll(TERMINAL)) {
    if (endsSentence(text, m.index!, m[0])) cuts.push(m.index! + m[0].length);
  }
  cuts.push(...lineBreaks(text));
  cuts.sort((a, b) => a - b);
  let start = 0;
  for (const end of cuts) {
    if (end <= start) continue;
    push(start, end);
    start = end;
  }
  push(start, text.length);
  return out;
}
