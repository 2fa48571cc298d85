/**
 * Train a WordPiece vocabulary from text the way Hugging Face's `WordPieceTrainer` does: count the
 * words BERT's BasicTokenizer yields, start from their characters (`##`-prefixed inside a word),
 * then repeatedly merge the most frequent adjacent pair of pieces (BPE-style) until the vocabulary
 * is full. Text is streamed: only the word counts are kept in memory.
 *
 * @module
 */
import { join } from "node:path";
import { basicTokenize } from "./tokenizer.ts";

/** Options of {@link trainWordPiece}. */
export interface TrainWordPieceOptions {
  /** Size of the vocabulary to reach (special tokens and the alphabet included). */
  vocabSize: number;
  /** A pair seen fewer times than this is never merged. Default 2 (BertWordPieceTokenizer's). */
  minFrequency?: number;
  /** Lowercase the text first (BERT uncased). Default `true`. */
  lowercase?: boolean;
  /** Strip accents first. Default: same as `lowercase`. */
  stripAccents?: boolean;
  /** Keep at most this many distinct characters, the most frequent ones. Default 1000. */
  limitAlphabet?: number;
  /** Tokens placed first, in this order. Default `[PAD] [UNK] [CLS] [SEP] [MASK]`. */
  specialTokens?: readonly string[];
}

const PAIR_SHIFT = 4194304; // 2^22: pair key = a * 2^22 + b, lexicographic in (a, b)

/** A binary max-heap of (count, pair key): higher count first, then the smaller pair. */
class PairHeap {
  #counts: number[] = [];
  #keys: number[] = [];

  get size(): number {
    return this.#counts.length;
  }

  #above(i: number, j: number): boolean {
    const ci = this.#counts[i];
    const cj = this.#counts[j];
    return ci > cj || (ci === cj && this.#keys[i] < this.#keys[j]);
  }

  #swap(i: number, j: number): void {
    const c = this.#counts[i];
    this.#counts[i] = this.#counts[j];
    this.#counts[j] = c;
    const k = this.#keys[i];
    this.#keys[i] = this.#keys[j];
    this.#keys[j] = k;
  }

  push(count: number, key: number): void {
    this.#counts.push(count);
    this.#keys.push(key);
    let i = this.#counts.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      if (!this.#above(i, p)) break;
      this.#swap(i, p);
      i = p;
    }
  }

  topCount(): number {
    return this.#counts[0];
  }

  topKey(): number {
    return this.#keys[0];
  }

  pop(): void {
    const last = this.#counts.length - 1;
    this.#swap(0, last);
    this.#counts.pop();
    this.#keys.pop();
    const n = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < n && this.#above(l, m)) m = l;
      if (r < n && this.#above(r, m)) m = r;
      if (m === i) break;
      this.#swap(i, m);
      i = m;
    }
  }
}

/** Count the words of `lines` (BERT basic tokenization). */
async function countWords(
  lines: Iterable<string> | AsyncIterable<string>,
  lowercase: boolean,
  stripAccents: boolean,
): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  const add = (line: string) => {
    for (const w of basicTokenize(line, { lowercase, stripAccents })) {
      counts.set(w, (counts.get(w) ?? 0) + 1);
    }
  };
  if (Symbol.iterator in lines) {
    for (const line of lines as Iterable<string>) add(line);
  } else {
    for await (const line of lines as AsyncIterable<string>) add(line);
  }
  return counts;
}

/**
 * Train a WordPiece vocabulary (vocab.txt order: specials, the alphabet, `##` characters, then
 * merges) from lines of text.
 *
 * Like Hugging Face's trainer: characters not in the (limited) alphabet are dropped from words;
 * ties between equally frequent pairs go to the pair of smaller ids; a merge of `x` and `##y` gives
 * `xy`, of `##x` and `##y` gives `##xy`. The result may exceed `vocabSize` when the alphabet alone
 * does, and stays below it when no pair reaches `minFrequency`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { trainWordPiece, WordPieceTokenizer } from "@cohesive/shared";
 * const vocab = await trainWordPiece(["low lower lowest", "newer newest wider"], {
 *   vocabSize: 60,
 *   minFrequency: 1,
 * });
 * const tok = WordPieceTokenizer.fromVocab(vocab);
 * assert.equal(tok.tokenize("lowest").join("").replaceAll("##", ""), "lowest");
 * ```
 *
 * @throws {RangeError} for a non-positive `vocabSize` or negative `minFrequency`/`limitAlphabet`.
 */
export async function trainWordPiece(
  lines: Iterable<string> | AsyncIterable<string>,
  opts: TrainWordPieceOptions,
): Promise<string[]> {
  const vocabSize = opts.vocabSize;
  if (!Number.isInteger(vocabSize) || vocabSize <= 0) {
    throw new RangeError(`vocabSize must be a positive integer, got ${vocabSize}`);
  }
  const minFrequency = opts.minFrequency ?? 2;
  if (!(minFrequency >= 0)) throw new RangeError(`minFrequency must be >= 0, got ${minFrequency}`);
  const limitAlphabet = opts.limitAlphabet ?? 1000;
  if (!(limitAlphabet >= 0)) {
    throw new RangeError(`limitAlphabet must be >= 0, got ${limitAlphabet}`);
  }
  const lowercase = opts.lowercase ?? true;
  const stripAccents = opts.stripAccents ?? lowercase;
  const specials = opts.specialTokens ?? ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"];

  const wordCounts = await countWords(lines, lowercase, stripAccents);
  return mergeWordPieces(wordCounts, vocabSize, minFrequency, limitAlphabet, specials);
}

function mergeWordPieces(
  wordCounts: Map<string, number>,
  vocabSize: number,
  minFrequency: number,
  limitAlphabet: number,
  specials: readonly string[],
): string[] {
  const vocab = new VocabBuilder();
  for (const t of specials) vocab.add(t);
  // 1. The alphabet: every character, weighted by word count; the rarest beyond the limit go.
  const alphabet = alphabetOf(wordCounts, limitAlphabet);
  for (const cp of alphabet) vocab.add(String.fromCodePoint(cp));
  // 2. `##` forms of the characters seen inside words, then every word as a symbol sequence.
  const inAlphabet = new Set(alphabet);
  for (const cp of innerChars(wordCounts, inAlphabet)) vocab.add("##" + String.fromCodePoint(cp));
  const words = new WordSymbols(wordCounts, inAlphabet, vocab);
  wordCounts.clear();
  // 3. Merge the most frequent pair until the vocabulary is full.
  const heap = new PairHeap();
  for (const [key, count] of words.pairCounts) if (count > 0) heap.push(count, key);
  while (vocab.size < vocabSize && heap.size > 0) {
    const key = heap.topKey();
    const stale = heap.topCount();
    heap.pop();
    const count = words.pairCounts.get(key) ?? 0;
    if (count !== stale) {
      // A newer entry exists when the count grew; re-queue only a shrunk count.
      if (count > 0 && count < stale) heap.push(count, key);
      continue;
    }
    if (count < 1 || count < minFrequency) break;
    const a = Math.floor(key / PAIR_SHIFT);
    const b = key - a * PAIR_SHIFT;
    const right = vocab.tokens[b];
    const c = vocab.add(vocab.tokens[a] + (right.startsWith("##") ? right.slice(2) : right));
    for (const g of words.merge(key, a, b, c)) {
      const n = words.pairCounts.get(g)!;
      if (n > 0) heap.push(n, g);
    }
  }
  return vocab.tokens;
}

/** Tokens in id order, each added once. */
class VocabBuilder {
  readonly tokens: string[] = [];
  readonly ids = new Map<string, number>();

  get size(): number {
    return this.tokens.length;
  }

  /** The id of `t`, added at the end when new. */
  add(t: string): number {
    let id = this.ids.get(t);
    if (id === undefined) {
      id = this.tokens.length;
      this.tokens.push(t);
      this.ids.set(t, id);
    }
    return id;
  }
}

/** The code points of the words, the `limit` most frequent (by word count), in code order. */
function alphabetOf(wordCounts: Map<string, number>, limit: number): number[] {
  const charCounts = new Map<number, number>();
  for (const [word, count] of wordCounts) {
    for (const c of word) {
      const cp = c.codePointAt(0)!;
      charCounts.set(cp, (charCounts.get(cp) ?? 0) + count);
    }
  }
  let alphabet = [...charCounts.keys()];
  if (alphabet.length > limit) {
    alphabet.sort((x, y) => charCounts.get(y)! - charCounts.get(x)! || x - y);
    alphabet = alphabet.slice(0, limit);
  }
  return alphabet.sort((x, y) => x - y);
}

/** The alphabet's code points seen after a word's first character, in code order. */
function innerChars(wordCounts: Map<string, number>, inAlphabet: Set<number>): number[] {
  const inner = new Set<number>();
  for (const word of wordCounts.keys()) {
    let first = true;
    for (const c of word) {
      if (!first) {
        const cp = c.codePointAt(0)!;
        if (inAlphabet.has(cp)) inner.add(cp);
      }
      first = false;
    }
  }
  return [...inner].sort((x, y) => x - y);
}

/** Every word as a sequence of symbol ids, the count of each adjacent pair and where it occurs. */
class WordSymbols {
  readonly pairCounts = new Map<number, number>();
  readonly #syms: Int32Array[];
  readonly #lens: Int32Array;
  readonly #counts: Float64Array;
  readonly #where = new Map<number, number[]>();
  readonly #seen: Int32Array;
  readonly #grown = new Set<number>();
  #step = 0;

  constructor(wordCounts: Map<string, number>, inAlphabet: Set<number>, vocab: VocabBuilder) {
    const n = wordCounts.size;
    this.#syms = new Array(n);
    this.#lens = new Int32Array(n);
    this.#counts = new Float64Array(n);
    this.#seen = new Int32Array(n).fill(-1);
    let w = 0;
    const buf: number[] = [];
    for (const [word, count] of wordCounts) {
      buf.length = 0;
      let first = true;
      for (const c of word) {
        if (inAlphabet.has(c.codePointAt(0)!)) buf.push(vocab.ids.get(first ? c : "##" + c)!);
        first = false;
      }
      this.#syms[w] = Int32Array.from(buf);
      this.#lens[w] = buf.length;
      this.#counts[w] = count;
      w++;
    }
    for (let w = 0; w < n; w++) {
      const s = this.#syms[w];
      for (let i = 0; i + 1 < this.#lens[w]; i++) {
        this.#bump(s[i] * PAIR_SHIFT + s[i + 1], this.#counts[w], w);
      }
    }
  }

  /** Replace every pair `a b` (key `key`) by `c`; returns the pairs whose counts grew. */
  merge(key: number, a: number, b: number, c: number): Set<number> {
    this.#step++;
    this.#grown.clear();
    const list = this.#where.get(key) ?? [];
    this.#where.delete(key);
    for (const w of list) {
      if (this.#seen[w] === this.#step) continue;
      this.#seen[w] = this.#step;
      this.#mergeInWord(w, key, a, b, c);
    }
    this.pairCounts.delete(key);
    return this.#grown;
  }

  #mergeInWord(w: number, key: number, a: number, b: number, c: number): void {
    const s = this.#syms[w];
    const len = this.#lens[w];
    const cnt = this.#counts[w];
    let r = 0;
    let o = 0;
    while (r < len) {
      if (r + 1 < len && s[r] === a && s[r + 1] === b) {
        if (o > 0) {
          const prev = s[o - 1];
          this.#bump(prev * PAIR_SHIFT + a, -cnt, w);
          this.#bump(prev * PAIR_SHIFT + c, cnt, w);
        }
        if (r + 2 < len) {
          const next = s[r + 2];
          this.#bump(b * PAIR_SHIFT + next, -cnt, w);
          this.#bump(c * PAIR_SHIFT + next, cnt, w);
        }
        this.pairCounts.set(key, this.pairCounts.get(key)! - cnt);
        s[o++] = c;
        r += 2;
      } else {
        s[o++] = s[r++];
      }
    }
    this.#lens[w] = o;
  }

  #bump(key: number, delta: number, w: number): void {
    this.pairCounts.set(key, (this.pairCounts.get(key) ?? 0) + delta);
    if (delta <= 0) return;
    this.#grown.add(key);
    const list = this.#where.get(key);
    if (list === undefined) this.#where.set(key, [w]);
    else if (list[list.length - 1] !== w) list.push(w);
  }
}

/** The `.txt` files under `dir`, recursively, in sorted order. */
async function listTextFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const entries: Deno.DirEntry[] = [];
  for await (const e of Deno.readDir(dir)) entries.push(e);
  entries.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
  for (const e of entries) {
    const path = join(dir, e.name);
    if (e.isDirectory) out.push(...await listTextFiles(path));
    else if (e.isFile && e.name.endsWith(".txt")) out.push(path);
  }
  return out;
}

/** The lines of a UTF-8 file, read in chunks (never the whole file at once). */
async function* readLines(path: string): AsyncGenerator<string> {
  const file = await Deno.open(path);
  const decoder = new TextDecoder();
  let rest = "";
  try {
    const buf = new Uint8Array(1 << 20);
    for (;;) {
      const n = await file.read(buf);
      if (n === null) break;
      const chunk = rest + decoder.decode(buf.subarray(0, n), { stream: true });
      const lines = chunk.split("\n");
      rest = lines.pop()!;
      yield* lines;
    }
    rest += decoder.decode();
    if (rest !== "") yield rest;
  } finally {
    file.close();
  }
}

/**
 * {@link trainWordPiece} over every `.txt` file under `dir` (recursively, sorted by path), read
 * line by line.
 *
 * @throws {Deno.errors.NotFound} when `dir` is missing or holds no `.txt` file.
 */
export async function trainWordPieceFromFolder(
  dir: string,
  opts: TrainWordPieceOptions,
): Promise<string[]> {
  let files: string[];
  try {
    files = await listTextFiles(dir);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new Deno.errors.NotFound(`text folder not found: ${dir}`);
    }
    throw e;
  }
  if (files.length === 0) throw new Deno.errors.NotFound(`no .txt file under ${dir}`);
  async function* allLines(): AsyncGenerator<string> {
    for (const f of files) yield* readLines(f);
  }
  return await trainWordPiece(allLines(), opts);
}
