/**
 * Tokenizer and text stream of a run: `bert-base-uncased` or a vocabulary file, over a text folder
 * or the embedded WordNet text.
 *
 * @module
 */
import {
  MlmStream,
  type MlmStream as MlmStreamT,
  type MlmTokenizer,
  WordPieceTokenizer,
} from "@cohesive/shared";
import { wordnetLines } from "@cohesive/lexical";

/** The tokenizer of `spec`: `bert-base-uncased`, or a vocab.txt / tokenizer.json / folder. */
export async function loadTokenizer(spec: string): Promise<WordPieceTokenizer> {
  if (spec === "bert-base-uncased") return WordPieceTokenizer.bertBaseUncased();
  return await WordPieceTokenizer.fromFile(spec);
}

/** Adapt a WordPiece tokenizer to the data pipeline. */
export function mlmTokenizer(tok: WordPieceTokenizer): MlmTokenizer {
  return {
    encodeIds: (t: string) => tok.encodeIds(t),
    vocabSize: tok.vocabSize,
    clsId: tok.clsId,
    sepId: tok.sepId,
    padId: tok.padId,
    maskId: tok.maskId,
  };
}

let wordnetCache: string[] | undefined;

/** A stream over `data` (`wordnet` or a path). */
export async function openText(
  data: string,
  tok: MlmTokenizer,
  seqLen: number,
): Promise<MlmStreamT> {
  if (data === "wordnet") {
    wordnetCache ??= await wordnetLines();
    return MlmStream.fromLines(wordnetCache, tok, seqLen);
  }
  return await MlmStream.fromPath(data, tok, seqLen);
}
