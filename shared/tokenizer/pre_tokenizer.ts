/**
 * The pre-tokeniser of BERT's WordPiece pipeline (Hugging Face `BertPreTokenizer`, BERT's
 * BasicTokenizer): normalised text split into words at whitespace, around every punctuation
 * character and CJK ideograph, with never-split strings (special tokens) kept whole. Each
 * normalised UTF-16 unit can keep its `[start, end)` offsets in the original text.
 *
 * @module
 */
import {
  type CharNormalizer,
  CJK,
  isPunctuation,
  isWhitespace,
  MIXED,
  normalizerFor,
  PUNCT,
  SPACE,
  WORD,
} from "./normalizer.ts";

/** A vocabulary entry of the form `[xxx]`: kept whole by default (`[MASK]`, `[unused0]`…). */
export const BRACKET_TOKEN = /^\[[^\[\]\s]+\]$/;

/** The result of BERT's basic tokenization: words and, optionally, their alignment. */
export interface Split {
  /** Normalised words (or special tokens, verbatim). */
  words: string[];
  /** Vocabulary id of a never-split token, else -1. */
  special: number[];
  /** Start of each word's alignment entries in `aStart`/`aEnd`. */
  off: number[];
  /** Original start offset of each normalised UTF-16 unit. */
  aStart: Int32Array;
  /** Original end offset of each normalised UTF-16 unit. */
  aEnd: Int32Array;
}

/** Never-split strings grouped by first UTF-16 unit, longest first. */
export interface NeverSplitIndex {
  byFirst: Map<number, { lengths: number[]; tokens: Set<string> }>;
}

/** Index never-split strings by their first UTF-16 unit. */
export function buildNeverSplit(tokens: Iterable<string>): NeverSplitIndex {
  const byFirst = new Map<number, { lengths: number[]; tokens: Set<string> }>();
  for (const t of tokens) {
    if (t.length === 0) continue;
    const key = t.charCodeAt(0);
    let entry = byFirst.get(key);
    if (!entry) byFirst.set(key, entry = { lengths: [], tokens: new Set() });
    entry.tokens.add(t);
    if (!entry.lengths.includes(t.length)) {
      entry.lengths.push(t.length);
      entry.lengths.sort((a, b) => b - a);
    }
  }
  return { byFirst };
}

/** The longest never-split string at `text[i]`, or undefined. */
function neverSplitAt(never: NeverSplitIndex, text: string, i: number): string | undefined {
  const entry = never.byFirst.get(text.charCodeAt(i));
  if (!entry) return undefined;
  for (const len of entry.lengths) {
    if (i + len > text.length) continue;
    const cand = text.slice(i, i + len);
    if (entry.tokens.has(cand)) return cand;
  }
  return undefined;
}

/** Collects words and, when aligning, the original span of every normalised unit. */
class SplitBuilder {
  readonly words: string[] = [];
  readonly special: number[] = [];
  readonly off: number[] = [];
  #cap: number;
  #aStart: Int32Array;
  #aEnd: Int32Array;
  #n = 0; // alignment entries written
  #cur = "";
  #curOff = 0;
  readonly #align: boolean;

  constructor(textLength: number, align: boolean) {
    this.#align = align;
    this.#cap = align ? textLength + 16 : 0;
    this.#aStart = new Int32Array(this.#cap);
    this.#aEnd = new Int32Array(this.#cap);
  }

  /** Ends the current word, if any. */
  flush(): void {
    if (this.#cur !== "") {
      this.words.push(this.#cur);
      this.special.push(-1);
      this.off.push(this.#curOff);
      this.#cur = "";
    }
    this.#curOff = this.#n;
  }

  /** Appends `s`, whose every unit came from the original span `[start, end)`. */
  append(s: string, start: number, end: number): void {
    this.#cur += s;
    if (!this.#align) return;
    if (this.#n + s.length > this.#cap) this.#grow(s.length);
    for (let k = 0; k < s.length; k++) {
      this.#aStart[this.#n] = start;
      this.#aEnd[this.#n] = end;
      this.#n++;
    }
  }

  /** A never-split token: a word of its own whose every unit maps to the whole original span. */
  pushSpecial(token: string, id: number, start: number): void {
    this.flush();
    this.append(token, start, start + token.length);
    this.words.push(token);
    this.special.push(id);
    this.off.push(this.#curOff);
    this.#cur = "";
    this.#curOff = this.#n;
  }

  /** Appends `s` as a word of its own. */
  pushAlone(s: string, start: number, end: number): void {
    this.flush();
    this.append(s, start, end);
    this.flush();
  }

  finish(): Split {
    this.flush();
    const { words, special, off } = this;
    return { words, special, off, aStart: this.#aStart, aEnd: this.#aEnd };
  }

  #grow(extra: number): void {
    this.#cap = Math.max(this.#cap * 2, this.#n + extra + 16);
    const ns = new Int32Array(this.#cap);
    ns.set(this.#aStart.subarray(0, this.#n));
    this.#aStart = ns;
    const ne = new Int32Array(this.#cap);
    ne.set(this.#aEnd.subarray(0, this.#n));
    this.#aEnd = ne;
  }
}

/** The code point at `text[i]` and its width in UTF-16 units (a lone surrogate counts as one). */
function codePointAt(text: string, i: number): [number, number] {
  const cp = text.charCodeAt(i);
  if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < text.length) {
    const lo = text.charCodeAt(i + 1);
    if (lo >= 0xdc00 && lo <= 0xdfff) return [((cp - 0xd800) << 10) + (lo - 0xdc00) + 0x10000, 2];
  }
  return [cp, 1];
}

/**
 * Normalise and split `text` into words; never-split strings are matched in the original text and
 * get their id from `idOf`. With `align`, every normalised unit keeps its original span.
 */
export function splitText(
  text: string,
  norm: CharNormalizer,
  never: NeverSplitIndex,
  idOf: (t: string) => number,
  align: boolean,
): Split {
  const out = new SplitBuilder(text.length, align);
  const ascii = norm.ascii;
  const hasNever = never.byFirst.size > 0;
  for (let i = 0; i < text.length;) {
    const keep = hasNever ? neverSplitAt(never, text, i) : undefined;
    if (keep !== undefined) {
      out.pushSpecial(keep, idOf(keep), i);
      i += keep.length;
      continue;
    }
    const [cp, w] = codePointAt(text, i);
    const info = cp < 128 ? ascii[cp] : norm.info(cp);
    switch (info.kind) {
      case WORD:
        out.append(info.norm, i, i + w);
        break;
      case SPACE:
        out.flush();
        break;
      case PUNCT:
      case CJK:
        out.pushAlone(info.norm, i, i + w);
        break;
      case MIXED:
        for (const c of info.norm) {
          const ccp = c.codePointAt(0)!;
          if (isWhitespace(ccp, c)) out.flush();
          else if (isPunctuation(ccp, c)) out.pushAlone(c, i, i + w);
          else out.append(c, i, i + w);
        }
        break;
      default: // DROP
    }
    i += w;
  }
  return out.finish();
}

/** Options of {@link basicTokenize}. */
export interface BasicTokenizeOptions {
  /** Lowercase. Default `true`. */
  lowercase?: boolean;
  /** Strip accents. Default: same as `lowercase`. */
  stripAccents?: boolean;
  /** Strings kept whole (matched in the original text). Default none. */
  neverSplit?: Iterable<string>;
}

/**
 * BERT's BasicTokenizer: the normalised words WordPiece then splits (no vocabulary needed).
 *
 * @example
 * ```ts
 * import { basicTokenize } from "@cohesive/shared";
 * import assert from "node:assert/strict";
 * assert.deepEqual(basicTokenize("Héllo, World!"), ["hello", ",", "world", "!"]);
 * assert.deepEqual(basicTokenize("[MASK]s", { neverSplit: ["[MASK]"] }), ["[MASK]", "s"]);
 * ```
 */
export function basicTokenize(text: string, opts: BasicTokenizeOptions = {}): string[] {
  const lowercase = opts.lowercase ?? true;
  const norm = normalizerFor(lowercase, opts.stripAccents ?? lowercase, true, true);
  const never = buildNeverSplit(opts.neverSplit ?? []);
  return splitText(text, norm, never, () => -1, false).words;
}
