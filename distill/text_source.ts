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
  trainWordPiece,
  trainWordPieceFromFolder,
  WordPieceTokenizer,
} from "@cohesive/shared";
import { wordnetLines } from "@cohesive/lexical";

/** The tokenizer of `spec`: `bert-base-uncased`, or a vocab.txt / tokenizer.json / folder. */
export async function loadTokenizer(spec: string): Promise<WordPieceTokenizer> {
  if (spec === "bert-base-uncased") return WordPieceTokenizer.bertBaseUncased();
  return await WordPieceTokenizer.fromFile(spec);
}

/**
 * A bert-base-uncased-style tokenizer (lowercased, BERT's specials) whose WordPiece vocabulary of
 * `vocabSize` entries is trained on `data` (`wordnet`, a text folder or a text file).
 *
 * @throws {Deno.errors.NotFound} when `data` is missing or holds no `.txt` file.
 */
export async function trainTokenizer(data: string, vocabSize: number): Promise<WordPieceTokenizer> {
  const opts = { vocabSize };
  let vocab: string[];
  if (data === "wordnet") vocab = await trainWordPiece(await wordnetLines(), opts);
  else if (await isFile(data)) {
    vocab = await trainWordPiece((await Deno.readTextFile(data)).split("\n"), opts);
  } else vocab = await trainWordPieceFromFolder(data, opts);
  return WordPieceTokenizer.fromVocab(vocab, { lowercase: true, stripAccents: true });
}

async function isFile(path: string): Promise<boolean> {
  try {
    return (await Deno.stat(path)).isFile;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound(`text corpus not found: ${path}`);
    }
    throw e;
  }
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
