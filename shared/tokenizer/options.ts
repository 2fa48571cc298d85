/**
 * The settings of a WordPiece tokenizer that its files carry (`tokenizer.json`,
 * `tokenizer_config.json`) or a caller overrides.
 *
 * @module
 */

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
