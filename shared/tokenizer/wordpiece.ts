/**
 * The model of BERT's WordPiece pipeline: greedy longest-match-first WordPiece of one word with
 * the `##` continuation prefix, words too long or with an unmatchable rest becoming the unknown
 * token (Hugging Face `models.WordPiece`).
 *
 * @module
 */

const WORD_CACHE_LIMIT = 200_000;

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}

/** WordPiece over one vocabulary, with a cache of the words it has split. */
export class WordPieceModel {
  readonly #ids: ReadonlyMap<string, number>;
  readonly #unkId: number;
  readonly #maxInputCharsPerWord: number;
  readonly #maxPieceLen: number;
  readonly #cache = new Map<string, Int32Array>();

  constructor(ids: ReadonlyMap<string, number>, unkId: number, maxInputCharsPerWord: number) {
    this.#ids = ids;
    this.#unkId = unkId;
    this.#maxInputCharsPerWord = maxInputCharsPerWord;
    let maxLen = 1;
    for (const t of ids.keys()) if (t.length > maxLen) maxLen = t.length;
    this.#maxPieceLen = maxLen;
  }

  /** The pieces of one word as `[id, endUnit, id, endUnit, …]` (end: exclusive UTF-16 index). */
  pieces(word: string): Int32Array {
    let r = this.#cache.get(word);
    if (r !== undefined) return r;
    r = this.#computePieces(word);
    if (this.#cache.size >= WORD_CACHE_LIMIT) this.#cache.clear();
    this.#cache.set(word, r);
    return r;
  }

  #computePieces(word: string): Int32Array {
    const L = word.length;
    const unk = Int32Array.of(this.#unkId, L);
    if (L > this.#maxInputCharsPerWord) {
      let chars = 0;
      for (const _ of word) chars++;
      if (chars > this.#maxInputCharsPerWord) return unk;
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
}
