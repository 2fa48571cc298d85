/**
 * Plagiarism detection by sentence alignment, with work that grows with the text, not with the
 * number of sentence pairs:
 *
 * 1. split the suspicious text and every source into sentences (identical sentences once);
 * 2. pick candidate pairs: for each suspicious sentence the `k` nearest source sentences by the
 *    similarity engine (without building the sentence × sentence matrix) and the `k` sharing the
 *    most word trigrams and content words (in a worker, see `evidence.ts`);
 * 3. score each candidate by combining, as a noisy-or, the engine's similarity `s` and the
 *    lexical evidence `l` (the larger of word-trigram containment and the share of words in
 *    copied phrases of 3+ words): `1 - (1 - s)(1 - l)`, times the square root of the source
 *    sentence's length over the suspicious one's (at most 1), so a short source sentence cannot
 *    explain a long suspicious one;
 * 4. align greedily one to one (best pair first, each sentence used once);
 * 5. judge the whole text:
 *    - `coverage`: the share of the suspicious text's characters (in sentences) aligned at or
 *      above the threshold;
 *    - `alignment`: the share of the text weighted by each sentence's alignment score, pairs
 *      below the threshold discounted by (score / threshold)⁴, so it grows smoothly with the
 *      evidence;
 *    - `containment`: the share of the suspicious text's word trigrams found in the sources;
 *    - `score`: the two combined as a noisy-or, `1 - (1 - alignment)(1 - containment)`;
 *    - `verdict`: `plagiarised` when `score` ≥ {@link PLAGIARISED_AT}, `suspicious` when it is
 *      ≥ {@link SUSPICIOUS_AT}, else `original`.
 *
 * Each reported pair carries its copied phrases (`copied`), with offsets in both documents.
 *
 * @module
 */
import { PayloadTooLargeError } from "./errors.ts";
import {
  type CopiedRun,
  documentContainment,
  lexicalEvidence,
  type PairEvidence,
} from "./evidence.ts";
import { pushTopK, type SimilarityEngine } from "./similarity_engine.ts";
import { splitSentences } from "./sentences.ts";
import type { WorkerPool } from "./worker_pool.ts";

/** The overall judgement. */
export type Verdict = "plagiarised" | "suspicious" | "original";

/** `score` at or above which the verdict is `plagiarised`. */
export const PLAGIARISED_AT = 0.5;
/** `score` at or above which the verdict is `suspicious`. */
export const SUSPICIOUS_AT = 0.15;

/** A sentence of a document. */
export interface SentenceRef {
  /** 0-based sentence index in its document. */
  index: number;
  /** Offset of its first character in the document. */
  start: number;
  /** Offset just past its end. */
  end: number;
  /** The sentence. */
  text: string;
}

/** One aligned pair. */
export interface AlignedPair {
  /** The suspicious sentence. */
  suspicious: SentenceRef;
  /** The source sentence, with its document's index in `sources`. */
  source: SentenceRef & { document: number };
  /** The alignment score: `similarity` and the lexical evidence combined (noisy-or). */
  score: number;
  /** The engine's similarity. */
  similarity: number;
  /** Word-trigram containment of the suspicious sentence in the source sentence. */
  containment: number;
  /** P(paraphrase) from the engine's pair head, or `null` without one. */
  paraphrase: number | null;
  /** Copied phrases (3+ words found in both), with offsets in the two documents. */
  copied: CopiedRun[];
}

/** The answer of {@link detectPlagiarism}. */
export interface PlagiarismReport {
  /** The similarity model. */
  model: string;
  /** The model giving `paraphrase`, or `null`. */
  paraphraseModel: string | null;
  /** The overall judgement. */
  verdict: Verdict;
  /**
   * The judgement's score in [0, 1]: `alignment` and `containment` combined as a noisy-or
   * (`containment` only when lexical evidence is on).
   */
  score: number;
  /** Share of the suspicious text weighted by each sentence's alignment score, in [0, 1]. */
  alignment: number;
  /** Word-trigram containment of the whole suspicious text in the sources, in [0, 1]. */
  containment: number;
  /** Share of the suspicious text that is aligned, in [0, 1]. */
  coverage: number;
  /** The alignment threshold used. */
  threshold: number;
  /** Sentence counts: the suspicious text's, and each source's. */
  sentences: { suspicious: number; sources: number[] };
  /** Aligned pairs, in suspicious-sentence order. */
  pairs: AlignedPair[];
}

/** Options of {@link detectPlagiarism}. */
export interface PlagiarismOptions {
  /** Alignment threshold. Default: the engine's `defaultThreshold`. */
  threshold?: number;
  /** Aborts the work when the client goes away. */
  signal?: AbortSignal;
  /** Where the lexical evidence is computed; without it, on the calling thread. */
  pool?: WorkerPool;
  /** Candidates per suspicious sentence from each of the engine and the lexical index. Default 5. */
  k?: number;
  /**
   * Whether lexical evidence (n-gram containment, copied phrases) counts in the score and finds
   * candidates. Default true; false scores by the engine's similarity alone.
   */
  lexical?: boolean;
}

/** One cell of an alignment. */
export interface Alignment {
  /** Row (suspicious sentence). */
  row: number;
  /** Column (source sentence). */
  col: number;
  /** The similarity. */
  score: number;
}

/**
 * Greedy one-to-one alignment of candidate cells: the best cell first, each row and column used
 * at most once, cells below `threshold` never. Sorted by row. Only the cells given are looked at,
 * so no rows × cols matrix is ever built.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { alignGreedy } from "@cohesive/serve";
 * const cells = [
 *   { row: 0, col: 0, score: 0.9 },
 *   { row: 0, col: 1, score: 0.8 },
 *   { row: 1, col: 0, score: 0.85 },
 * ];
 * const pairs = alignGreedy(cells, 0.5); // row 1 gets nothing left above 0.5
 * assert.deepEqual(pairs, [{ row: 0, col: 0, score: 0.9 }]);
 * ```
 */
export function alignGreedy<A extends Alignment>(cells: readonly A[], threshold: number): A[] {
  const sorted = cells.filter((c) => c.score >= threshold).sort((x, y) =>
    y.score - x.score || x.row - y.row || x.col - y.col
  );
  const rowUsed = new Set<number>();
  const colUsed = new Set<number>();
  const out: A[] = [];
  for (const c of sorted) {
    if (rowUsed.has(c.row) || colUsed.has(c.col)) continue;
    rowUsed.add(c.row);
    colUsed.add(c.col);
    out.push(c);
  }
  return out.sort((x, y) => x.row - y.row);
}

/** The verdict for a `score`. */
export function verdictOf(score: number): Verdict {
  return score >= PLAGIARISED_AT
    ? "plagiarised"
    : score >= SUSPICIOUS_AT
    ? "suspicious"
    : "original";
}

/** A sentence's weight in `score` at alignment score `s` and `threshold` (soft below it). */
export function alignmentWeight(s: number, threshold: number): number {
  if (s <= 0) return 0;
  return s >= threshold ? s : s * (s / threshold) ** 4;
}

/** The sentences of a plagiarism request (what the work limits count). */
export interface SplitDocuments {
  /** The suspicious text. */
  text: string;
  /** The suspicious text's sentences. */
  suspicious: SentenceRef[];
  /** Every source's sentences, in order, with their document. */
  sources: (SentenceRef & { document: number })[];
  /** Sentences per source. */
  counts: number[];
}

/**
 * Split the suspicious text and the sources into sentences. With `maxSentences`, stop as soon as
 * the documents split so far have more (so an over-limit request costs little).
 *
 * @throws {PayloadTooLargeError} beyond `maxSentences`.
 */
export function splitDocuments(
  suspicious: string,
  sources: readonly string[],
  maxSentences = Infinity,
): SplitDocuments {
  let total = 0;
  const check = (n: number) => {
    total += n;
    if (total > maxSentences) {
      throw new PayloadTooLargeError(
        `the documents have ${total}${total === n ? "" : " or more"} sentences together; ` +
          `the limit is ${maxSentences} (maxSentences)`,
      );
    }
  };
  const sus = splitSentences(suspicious).map((s, index) => ({ index, ...s }));
  check(sus.length);
  const counts: number[] = [];
  const src = sources.flatMap((doc, document) => {
    const ss = splitSentences(doc).map((s, index) => ({ document, index, ...s }));
    check(ss.length);
    counts.push(ss.length);
    return ss;
  });
  return { text: suspicious, suspicious: sus, sources: src, counts };
}

/** Distinct texts and, for each, the positions where it occurs. */
function distinct(texts: readonly string[]): { unique: string[]; at: number[][] } {
  const index = new Map<string, number>();
  const unique: string[] = [];
  const at: number[][] = [];
  texts.forEach((t, i) => {
    let u = index.get(t);
    if (u === undefined) {
      index.set(t, u = unique.length);
      unique.push(t);
      at.push([]);
    }
    at[u].push(i);
  });
  return { unique, at };
}

/**
 * The `k` nearest columns of each row by `engine`'s similarity: its own `nearest` when it has
 * one, else row blocks of its similarity matrix (at most 65,536 cells at a time).
 */
export async function nearestByEngine(
  engine: SimilarityEngine,
  rows: readonly string[],
  cols: readonly string[],
  k: number,
  signal?: AbortSignal,
): Promise<{ col: number; score: number }[][]> {
  if (engine.nearest) return await engine.nearest(rows, cols, k, signal);
  const out: { col: number; score: number }[][] = [];
  const block = Math.max(1, Math.floor(65_536 / Math.max(1, cols.length)));
  for (let r = 0; r < rows.length; r += block) {
    const part = rows.slice(r, r + block);
    const m = await engine.similarityMatrix(part, cols, signal);
    part.forEach((_, i) => out.push(topK(m.subarray(i * cols.length, (i + 1) * cols.length), k)));
  }
  return out;
}

/** The `k` largest entries of `row`, best first. */
export function topK(row: ArrayLike<number>, k: number): { col: number; score: number }[] {
  const best: { col: number; score: number }[] = [];
  for (let j = 0; j < row.length; j++) pushTopK(best, j, row[j], k);
  return best;
}

/** Align `suspicious` against `sources` with `engine` and judge it. */
export async function detectPlagiarism(
  suspicious: string | SplitDocuments,
  sources: readonly string[],
  engine: SimilarityEngine,
  options: PlagiarismOptions = {},
): Promise<PlagiarismReport> {
  const threshold = options.threshold ?? engine.defaultThreshold;
  const k = options.k ?? 5;
  const split = typeof suspicious === "string" ? splitDocuments(suspicious, sources) : suspicious;
  const sus = split.suspicious;
  const src = split.sources;
  const rows = distinct(sus.map((s) => s.text));
  const cols = distinct(src.map((s) => s.text));
  // Candidates: the engine's nearest neighbours, then lexical evidence for them and for the
  // sentences sharing the most word n-grams.
  const near = rows.unique.length && cols.unique.length
    ? await nearestByEngine(engine, rows.unique, cols.unique, k, options.signal)
    : [];
  const extra = near.flatMap((list, r) => list.map((c) => [r, c.col] as [number, number]));
  const lexical = options.lexical ?? true;
  const input = { rows: rows.unique, cols: cols.unique, k: lexical ? k : 0, extra };
  const texts = { text: split.text, documents: [...sources] };
  const [evidence, containment] = await Promise.all([
    rows.unique.length && cols.unique.length
      ? options.pool ? options.pool.run<PairEvidence[]>("evidence", input) : lexicalEvidence(input)
      : [],
    options.pool
      ? options.pool.run<number>("containment", texts)
      : documentContainment(texts.text, texts.documents),
  ]);
  const semantic = new Map<string, number>();
  near.forEach((list, r) => list.forEach((c) => semantic.set(`${r} ${c.col}`, c.score)));
  const missing = evidence.filter((e) => !semantic.has(`${e.row} ${e.col}`));
  if (missing.length) {
    const scores = await engine.similarity(
      missing.map((e) => [rows.unique[e.row], cols.unique[e.col]] as const),
      options.signal,
    );
    missing.forEach((e, i) => semantic.set(`${e.row} ${e.col}`, scores[i]));
  }
  // Align distinct sentences, best pair first; a pair of distinct sentences aligns as many of
  // their occurrences as both have left.
  const cells = evidence.map((e) => {
    const similarity = clamp01(semantic.get(`${e.row} ${e.col}`) ?? 0);
    const lex = Math.max(e.containment, e.runCoverage);
    const fit = Math.sqrt(e.lengthRatio);
    const score = (lexical ? 1 - (1 - similarity) * (1 - lex) : similarity) * fit;
    return { ...e, similarity, score };
  }).sort((x, y) => y.score - x.score || x.row - y.row || x.col - y.col);
  const rowNext = rows.at.map(() => 0);
  const colNext = cols.at.map(() => 0);
  const aligned: { sus: number; src: number; cell: (typeof cells)[number] }[] = [];
  for (const c of cells) {
    const ra = rows.at[c.row];
    const ca = cols.at[c.col];
    while (rowNext[c.row] < ra.length && colNext[c.col] < ca.length) {
      aligned.push({ sus: ra[rowNext[c.row]++], src: ca[colNext[c.col]++], cell: c });
    }
  }
  aligned.sort((x, y) => x.sus - y.sus);
  const strong = aligned.filter((a) => a.cell.score >= threshold);
  const paraphrase = strong.length
    ? await engine.paraphrase(
      strong.map((a) => [sus[a.sus].text, src[a.src].text] as const),
      options.signal,
    )
    : null;
  let total = 0;
  for (const s of sus) total += s.end - s.start;
  let covered = 0;
  let weighted = 0;
  for (const a of aligned) {
    const len = sus[a.sus].end - sus[a.sus].start;
    if (a.cell.score >= threshold) covered += len;
    weighted += len * alignmentWeight(a.cell.score, threshold);
  }
  const pairs = strong.map((a, i): AlignedPair => {
    const s = sus[a.sus];
    const t = src[a.src];
    return {
      suspicious: s,
      source: t,
      score: round(a.cell.score),
      similarity: round(a.cell.similarity),
      containment: round(a.cell.containment),
      paraphrase: paraphrase ? round(paraphrase[i]) : null,
      copied: a.cell.runs.map((r) => ({
        start: s.start + r.start,
        end: s.start + r.end,
        sourceStart: t.start + r.sourceStart,
        sourceEnd: t.start + r.sourceEnd,
        words: r.words,
      })),
    };
  });
  const alignment = total ? weighted / total : 0;
  const score = lexical ? 1 - (1 - alignment) * (1 - containment) : alignment;
  return {
    model: engine.name,
    paraphraseModel: engine.paraphraseModel,
    verdict: verdictOf(score),
    score: round(score),
    alignment: round(alignment),
    containment: round(containment),
    coverage: round(total ? covered / total : 0),
    threshold,
    sentences: { suspicious: sus.length, sources: split.counts },
    pairs,
  };
}

function clamp01(x: number): number {
  return x < 0 ? 0 : x > 1 ? 1 : x;
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
