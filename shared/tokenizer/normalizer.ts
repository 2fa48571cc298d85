/**
 * The normaliser of BERT's WordPiece pipeline (Hugging Face `BertNormalizer`): per code point,
 * drop control characters, map whitespace to a space, strip accents (NFD, then drop combining
 * marks), lowercase, and classify the result for the pre-tokeniser (word part, punctuation, CJK
 * ideograph, boundary). Character classes are BERT's `_is_control`, `_is_whitespace`,
 * `_is_punctuation` and `_is_chinese_char`.
 *
 * @module
 */

const RE_CONTROL = /^\p{C}$/u;
const RE_SPACE = /^[\s\u0085]$/u;
const RE_PUNCT = /^\p{P}$/u;
const RE_MARK_NONSPACING = /\p{Mn}/gu;

function isControl(cp: number, ch: string): boolean {
  if (cp === 9 || cp === 10 || cp === 13) return false;
  return RE_CONTROL.test(ch);
}

export function isWhitespace(cp: number, ch: string): boolean {
  if (cp === 32 || cp === 9 || cp === 10 || cp === 13) return true;
  return RE_SPACE.test(ch);
}

export function isPunctuation(cp: number, ch: string): boolean {
  if ((cp >= 33 && cp <= 47) || (cp >= 58 && cp <= 64) || (cp >= 91 && cp <= 96)) return true;
  if (cp >= 123 && cp <= 126) return true;
  return RE_PUNCT.test(ch);
}

function isChineseChar(cp: number): boolean {
  return (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x20000 && cp <= 0x2a6df) || (cp >= 0x2a700 && cp <= 0x2b73f) ||
    (cp >= 0x2b740 && cp <= 0x2b81f) || (cp >= 0x2b820 && cp <= 0x2ceaf) ||
    (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x2f800 && cp <= 0x2fa1f);
}

// What one original character turns into.
export const DROP = 0; // removed (control, NUL, U+FFFD, or all combining marks)
export const SPACE = 1; // a word boundary
export const PUNCT = 2; // a one-character word
export const CJK = 3; // a word of its own
export const WORD = 4; // part of the current word (one normalised code point, not punctuation)
export const MIXED = 5; // several normalised code points to classify one by one

/** What one original code point becomes: its class and its normalised text. */
export interface CharInfo {
  kind: number;
  norm: string;
}

/** Per-code-point normalisation (clean, strip accents, lowercase) with a cache per setting. */
export class CharNormalizer {
  readonly #lowercase: boolean;
  readonly #stripAccents: boolean;
  readonly #cleanText: boolean;
  readonly #chinese: boolean;
  readonly ascii: CharInfo[] = [];
  readonly #cache = new Map<number, CharInfo>();

  constructor(lowercase: boolean, stripAccents: boolean, cleanText: boolean, chinese: boolean) {
    this.#lowercase = lowercase;
    this.#stripAccents = stripAccents;
    this.#cleanText = cleanText;
    this.#chinese = chinese;
    for (let cp = 0; cp < 128; cp++) this.ascii.push(this.#compute(cp));
  }

  info(cp: number): CharInfo {
    let info = this.#cache.get(cp);
    if (info === undefined) {
      info = this.#compute(cp);
      if (this.#cache.size < 65536) this.#cache.set(cp, info);
    }
    return info;
  }

  #compute(cp: number): CharInfo {
    const ch = String.fromCodePoint(cp);
    if (this.#cleanText) {
      if (cp === 0 || cp === 0xfffd || isControl(cp, ch)) return { kind: DROP, norm: "" };
      if (isWhitespace(cp, ch)) return { kind: SPACE, norm: " " };
    }
    let norm = ch;
    if (this.#stripAccents) norm = norm.normalize("NFD").replace(RE_MARK_NONSPACING, "");
    if (this.#lowercase) {
      let lower = "";
      for (const c of norm) lower += c.toLowerCase(); // per character, like Rust's char::to_lowercase
      norm = lower;
    }
    if (norm === "") return { kind: DROP, norm };
    if (this.#chinese && isChineseChar(cp)) return { kind: CJK, norm };
    const first = norm.codePointAt(0)!;
    if (norm.length === (first > 0xffff ? 2 : 1)) {
      if (isWhitespace(first, norm)) return { kind: SPACE, norm: " " };
      return { kind: isPunctuation(first, norm) ? PUNCT : WORD, norm };
    }
    return { kind: MIXED, norm };
  }
}

const NORMALIZERS = new Map<string, CharNormalizer>();

/** The shared (cached) normaliser for one combination of settings. */
export function normalizerFor(
  lowercase: boolean,
  stripAccents: boolean,
  cleanText: boolean,
  chinese: boolean,
): CharNormalizer {
  const key = `${+lowercase}${+stripAccents}${+cleanText}${+chinese}`;
  let n = NORMALIZERS.get(key);
  if (!n) NORMALIZERS.set(key, n = new CharNormalizer(lowercase, stripAccents, cleanText, chinese));
  return n;
}
