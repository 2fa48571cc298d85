/**
 * The decoder of BERT's WordPiece pipeline (Hugging Face `decoders.WordPiece`): `##` pieces join
 * the previous token, other tokens are separated by a space, then spaces before punctuation and
 * contractions are cleaned up.
 *
 * @module
 */

/** Options of {@link WordPieceTokenizer.decode}. */
export interface DecodeOptions {
  /** Leave out special tokens ([CLS], [SEP], [PAD], [MASK], [UNK]). Default `false`. */
  skipSpecialTokens?: boolean;
  /** Hugging Face's clean-up of spaces before punctuation and contractions. Default `true`. */
  cleanup?: boolean;
}

/** Hugging Face's WordPiece decoder clean-up. */
function cleanup(s: string): string {
  return s.replaceAll(" .", ".").replaceAll(" ?", "?").replaceAll(" !", "!")
    .replaceAll(" ,", ",").replaceAll(" ' ", "'").replaceAll(" n't", "n't")
    .replaceAll(" 'm", "'m").replaceAll(" do not", " don't").replaceAll(" 's", "'s")
    .replaceAll(" 've", "'ve").replaceAll(" 're", "'re");
}

/**
 * Join WordPiece tokens into text (the tokens already chosen: specials left out by the caller).
 *
 * @example
 * ```ts
 * import { decodeWordPieces } from "./decoder.ts";
 * import assert from "node:assert/strict";
 * assert.equal(decodeWordPieces(["un", "##able", "to", "go", "."], true), "unable to go.");
 * assert.equal(decodeWordPieces(["un", "##able", "."], false), "unable .");
 * ```
 */
export function decodeWordPieces(tokens: Iterable<string>, clean: boolean): string {
  let out = "";
  let first = true;
  for (const token of tokens) {
    let piece = token;
    if (!first) piece = token.startsWith("##") ? token.slice(2) : ` ${token}`;
    out += clean ? cleanup(piece) : piece;
    first = false;
  }
  return out;
}
