/**
 * Plagiarism detection by sentence alignment: split the suspicious text and every source into
 * sentences, score every (suspicious, source) sentence pair with a similarity engine, align
 * greedily one to one (best pair first, each sentence used once, pairs at or above a
 * threshold), then judge the whole text by how much of it is aligned and how closely:
 *
 * - `coverage`: the share of the suspicious text's characters (in sentences) that are aligned;
 * - `score`: the same share, each aligned sentence weighted by its similarity;
 * - `verdict`: `plagiarised` when `score` ≥ {@link PLAGIARISED_AT}, `suspicious` when it is
 *   ≥ {@link SUSPICIOUS_AT}, else `original`.
 *
 * @module
 */
import type { SimilarityEngine } from "./similarity_engine.ts";
import { splitSentences } from "./sentences.ts";

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
  /** Their similarity. */
  score: number;
  /** P(paraphrase) from the engine's pair head, or `null` without one. */
  paraphrase: number | null;
}

/** The answer of {@link detectPlagiarism}. */
export interface PlagiarismReport {
  /** The similarity model. */
  model: string;
  /** The model giving `paraphrase`, or `null`. */
  paraphraseModel: string | null;
  /** The overall judgement. */
  verdict: Verdict;
  /** Similarity-weighted share of the suspicious text that is aligned, in [0, 1]. */
  score: number;
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
 * Greedy one-to-one alignment of a row-major `[rows, cols]` score matrix: the best cell first,
 * each row and column used at most once, cells below `threshold` never. Sorted by row.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { alignGreedy } from "@cohesive/serve";
 * const m = new Float32Array([0.9, 0.8, 0.85, 0.1]);
 * const pairs = alignGreedy(m, 2, 2, 0.5); // row 1 gets nothing left above 0.5
 * assert.deepEqual(pairs.map((p) => [p.row, p.col]), [[0, 0]]);
 * ```
 */
export function alignGreedy(
  matrix: Float32Array,
  rows: number,
  cols: number,
  threshold: number,
): Alignment[] {
  const cells: number[] = [];
  for (let k = 0; k < rows * cols; k++) if (matrix[k] >= threshold) cells.push(k);
  cells.sort((x, y) => matrix[y] - matrix[x] || x - y);
  const rowUsed = new Uint8Array(rows);
  const colUsed = new Uint8Array(cols);
  const out: Alignment[] = [];
  for (const k of cells) {
    const row = Math.floor(k / cols);
    const col = k % cols;
    if (rowUsed[row] || colUsed[col]) continue;
    rowUsed[row] = colUsed[col] = 1;
    out.push({ row, col, score: matrix[k] });
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

/** Align `suspicious` against `sources` with `engine` and judge it. */
export async function detectPlagiarism(
  suspicious: string,
  sources: readonly string[],
  engine: SimilarityEngine,
  options: PlagiarismOptions = {},
): Promise<PlagiarismReport> {
  const threshold = options.threshold ?? engine.defaultThreshold;
  const sus = splitSentences(suspicious).map((s, index) => ({ index, ...s }));
  const src = sources.flatMap((doc, document) =>
    splitSentences(doc).map((s, index) => ({ document, index, ...s }))
  );
  const counts = sources.map(() => 0);
  for (const s of src) counts[s.document]++;
  const matrix = await engine.similarityMatrix(
    sus.map((s) => s.text),
    src.map((s) => s.text),
    options.signal,
  );
  const aligned = alignGreedy(matrix, sus.length, src.length, threshold);
  const paraphrase = aligned.length
    ? await engine.paraphrase(
      aligned.map((a) => [sus[a.row].text, src[a.col].text] as const),
      options.signal,
    )
    : null;
  let total = 0;
  for (const s of sus) total += s.end - s.start;
  let covered = 0;
  let weighted = 0;
  const pairs = aligned.map((a, i): AlignedPair => {
    const len = sus[a.row].end - sus[a.row].start;
    covered += len;
    weighted += len * a.score;
    return {
      suspicious: sus[a.row],
      source: src[a.col],
      score: round(a.score),
      paraphrase: paraphrase ? round(paraphrase[i]) : null,
    };
  });
  const score = total ? weighted / total : 0;
  return {
    model: engine.name,
    paraphraseModel: engine.paraphraseModel,
    verdict: verdictOf(score),
    score: round(score),
    coverage: round(total ? covered / total : 0),
    threshold,
    sentences: { suspicious: sus.length, sources: counts },
    pairs,
  };
}

function round(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}
