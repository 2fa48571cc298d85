/**
 * Sentence splitting for plagiarism alignment, with offsets into the original text.
 *
 * @module
 */
import type { TextSpan } from "@cohesive/lexical";

/** Default longest sentence, in characters; longer runs are cut at a space. */
export const MAX_SENTENCE_CHARS = 500;

const BOUNDARY = /[.!?…]+["'”’)\]]*(?=\s)|\n\s*\n/gu;

/**
 * Split `text` into sentences: after `.`, `!`, `?` or `…` (and closing quotes or brackets)
 * followed by white space, and at blank lines. Sentences without a letter or digit are dropped;
 * a sentence longer than `maxChars` is cut at the last space before the limit (or at the limit).
 * Each span satisfies `text.slice(start, end) === span.text`, trimmed.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { splitSentences } from "@cohesive/serve";
 * assert.deepEqual(splitSentences("One. Two!  Three").map((s) => s.text), ["One.", "Two!", "Three"]);
 * ```
 */
export function splitSentences(text: string, maxChars = MAX_SENTENCE_CHARS): TextSpan[] {
  const out: TextSpan[] = [];
  const push = (start: number, end: number) => {
    while (start < end && /\s/u.test(text[start])) start++;
    while (end > start && /\s/u.test(text[end - 1])) end--;
    while (end - start > maxChars) {
      let cut = text.lastIndexOf(" ", start + maxChars);
      if (cut <= start) cut = start + maxChars;
      push(start, cut);
      start = cut;
      while (start < end && /\s/u.test(text[start])) start++;
    }
    if (end > start && /[\p{L}\p{N}]/u.test(text.slice(start, end))) {
      out.push({ text: text.slice(start, end), start, end });
    }
  };
  let start = 0;
  for (const m of text.matchAll(BOUNDARY)) {
    const end = m.index! + (m[0].startsWith("\n") ? 0 : m[0].length);
    push(start, end);
    start = m.index! + m[0].length;
  }
  push(start, text.length);
  return out;
}
