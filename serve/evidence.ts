/**
 * Lexical evidence of copying between sentences, without a model and without comparing every
 * sentence with every other: an inverted index of the source sentences' word trigrams and
 * content words picks at most `k` candidate source sentences per suspicious sentence (features
 * shared by more than `maxPostings` sentences are skipped, so a word repeated thousands of times
 * costs nothing), then each candidate pair gets
 *
 * - `containment`: the share of the suspicious sentence's word trigrams found in the source
 *   sentence (unigrams for sentences under three words), the classic n-gram containment;
 * - `runs`: copied phrases, maximal runs of at least {@link MIN_RUN_WORDS} consecutive words found
 *   in both sentences (a greedy string tiling), with character offsets in both;
 * - `runCoverage`: the share of the suspicious sentence's words inside those runs.
 *
 * The module has no imports, so it runs in a worker as it is (see `evidence_worker.ts`).
 *
 * @module
 */

/** Fewest words in a copied phrase. */
export const MIN_RUN_WORDS = 3;

/** A copied phrase: character offsets in the suspicious and the source sentence, and its length in words. */
export interface CopiedRun {
  /** Start in the suspicious sentence. */
  start: number;
  /** End in the suspicious sentence. */
  end: number;
  /** Start in the source sentence. */
  sourceStart: number;
  /** End in the source sentence. */
  sourceEnd: number;
  /** Words in the phrase. */
  words: number;
}

/** The lexical evidence for one (suspicious, source) sentence pair. */
export interface PairEvidence {
  /** Index of the suspicious sentence. */
  row: number;
  /** Index of the source sentence. */
  col: number;
  /** Word-trigram containment of the suspicious sentence in the source sentence, in [0, 1]. */
  containment: number;
  /** Share of the suspicious sentence's words inside copied phrases, in [0, 1]. */
  runCoverage: number;
  /** Words of the source sentence / words of the suspicious one, at most 1. */
  lengthRatio: number;
  /** Copied phrases. */
  runs: CopiedRun[];
}

/** Input of {@link lexicalEvidence}. */
export interface EvidenceInput {
  /** Suspicious sentences. */
  rows: readonly string[];
  /** Source sentences. */
  cols: readonly string[];
  /** Lexical candidates per row. Default 5. */
  k?: number;
  /** Features shared by more sentences than this are not used to find candidates. Default 256. */
  maxPostings?: number;
  /** More pairs to give evidence for (e.g. a model's nearest neighbours), as `[row, col]`. */
  extra?: readonly (readonly [number, number])[];
}

/** A word with its offsets. */
export interface Word {
  /** The word, lower-cased. */
  w: string;
  /** Offset of its first character. */
  start: number;
  /** Offset just past it. */
  end: number;
}

const WORD = /[\p{L}\p{N}]+(?:['’]\p{L}+)*/gu;

const STOP = new Set(
  (
    "a an the and or but nor so yet of in on at by for with from to into onto about over under " +
    "as is are was were be been being am do does did have has had having it its this that these " +
    "those he she they we you i me him her them us my your his our their not no than then there " +
    "here which who whom whose what when where why how all any each some such can could will " +
    "would shall should may might must also very just only more most other"
  ).split(" "),
);

/** The words of `text`, lower-cased, with their offsets. */
export function wordsOf(text: string): Word[] {
  const out: Word[] = [];
  for (const m of text.matchAll(WORD)) {
    out.push({
      w: m[0].toLowerCase().replace(/’/g, "'"),
      start: m.index!,
      end: m.index! + m[0].length,
    });
  }
  return out;
}

function ngrams(words: readonly Word[], n: number): string[] {
  const out: string[] = [];
  for (let i = 0; i + n <= words.length; i++) {
    let g = words[i].w;
    for (let j = 1; j < n; j++) g += " " + words[i + j].w;
    out.push(g);
  }
  return out;
}

/**
 * Word n-gram containment of `a` in `b`: the share of `a`'s distinct word n-grams that occur in
 * `b` (n = 3, or fewer when `a` is shorter), the plain baseline of plagiarism detection.
 *
 * @example
 * ```ts
 * import { ngramContainment } from "@cohesive/serve";
 * ngramContainment("the cat sat on the mat", "a cat sat on the mat today"); // 0.75
 * ```
 */
export function ngramContainment(a: string, b: string, n = 3): number {
  const wa = wordsOf(a);
  const m = Math.min(n, wa.length);
  if (m === 0) return 0;
  const ga = new Set(ngrams(wa, m));
  const gb = new Set(ngrams(wordsOf(b), m));
  let shared = 0;
  for (const g of ga) if (gb.has(g)) shared++;
  return shared / ga.size;
}

/**
 * Word-trigram containment of a whole text in a set of documents: the share of `text`'s distinct
 * word trigrams found in any of `documents` (unigrams when `text` has fewer than three words).
 *
 * @example
 * ```ts
 * import { documentContainment } from "@cohesive/serve";
 * documentContainment("the cat sat on the mat", ["a cat sat on it", "on the mat"]); // 0.5
 * ```
 */
export function documentContainment(text: string, documents: readonly string[]): number {
  const wa = wordsOf(text);
  const n = Math.min(3, wa.length);
  if (n === 0) return 0;
  const ga = new Set(ngrams(wa, n));
  const found = new Set<string>();
  for (const d of documents) {
    for (const g of ngrams(wordsOf(d), n)) if (ga.has(g)) found.add(g);
  }
  return found.size / ga.size;
}

/** Evidence for one pair of tokenised sentences. */
function pairEvidence(
  row: number,
  col: number,
  a: readonly Word[],
  b: readonly Word[],
  ga: readonly string[],
  bIndex: Map<string, number[]>,
): PairEvidence {
  const n = Math.min(3, a.length);
  let containment = 0;
  if (n > 0) {
    const distinct = new Set(n === 3 ? ga : ngrams(a, n));
    let shared = 0;
    const gb = n === 3 ? bIndex : new Map(ngrams(b, n).map((g, i) => [g, [i]]));
    for (const g of distinct) if (gb.has(g)) shared++;
    containment = shared / distinct.size;
  }
  // Greedy string tiling over trigram anchors: at each position, the longest run found in b.
  const runs: CopiedRun[] = [];
  let inRuns = 0;
  if (a.length < MIN_RUN_WORDS) {
    if (a.length > 0 && a.length === b.length && a.every((x, i) => x.w === b[i].w)) {
      runs.push({
        start: a[0].start,
        end: a.at(-1)!.end,
        sourceStart: b[0].start,
        sourceEnd: b.at(-1)!.end,
        words: a.length,
      });
      inRuns = a.length;
    }
  } else {
    let i = 0;
    while (i + MIN_RUN_WORDS <= a.length) {
      const at = bIndex.get(ga[i]);
      let best = 0;
      let bestJ = -1;
      if (at) {
        for (const j of at.slice(0, 8)) {
          let len = 0;
          while (i + len < a.length && j + len < b.length && a[i + len].w === b[j + len].w) len++;
          if (len > best) [best, bestJ] = [len, j];
        }
      }
      if (best >= MIN_RUN_WORDS) {
        runs.push({
          start: a[i].start,
          end: a[i + best - 1].end,
          sourceStart: b[bestJ].start,
          sourceEnd: b[bestJ + best - 1].end,
          words: best,
        });
        inRuns += best;
        i += best;
      } else i++;
    }
  }
  return {
    row,
    col,
    containment,
    runCoverage: a.length ? inRuns / a.length : 0,
    lengthRatio: a.length ? Math.min(1, b.length / a.length) : 0,
    runs,
  };
}

/**
 * Candidate pairs and their lexical evidence: for each row, the (at most `k`) columns sharing the
 * most word trigrams and content words, plus the `extra` pairs. Rows without any shared feature
 * get no candidate. Work grows with the text and with `k × maxPostings`, never with
 * rows × cols.
 *
 * @example
 * ```ts
 * import { lexicalEvidence } from "@cohesive/serve";
 * const [e] = lexicalEvidence({
 *   rows: ["The quick brown fox jumps over the dog."],
 *   cols: ["Unrelated.", "A quick brown fox jumps over the dog!"],
 * });
 * console.log(e.col, e.runs[0].words); // 1 7
 * ```
 */
export function lexicalEvidence(input: EvidenceInput): PairEvidence[] {
  const k = input.k ?? 5;
  const maxPostings = input.maxPostings ?? 256;
  const colWords = input.cols.map(wordsOf);
  const colTri = colWords.map((w) => ngrams(w, 3));
  // Inverted index: feature → columns (trigrams weigh 1, content words 0.25).
  const postings = new Map<string, number[]>();
  const add = (f: string, j: number) => {
    const list = postings.get(f);
    if (!list) postings.set(f, [j]);
    else if (list.at(-1) !== j) list.push(j);
  };
  colWords.forEach((ws, j) => {
    for (const g of colTri[j]) add(`3 ${g}`, j);
    for (const w of ws) if (!STOP.has(w.w) && w.w.length > 1) add(`1 ${w.w}`, j);
    if (ws.length > 0 && ws.length < 3) add(`= ${ws.map((x) => x.w).join(" ")}`, j);
  });
  const wanted = new Map<number, Set<number>>();
  for (const [r, c] of input.extra ?? []) {
    let set = wanted.get(r);
    if (!set) wanted.set(r, set = new Set());
    set.add(c);
  }
  const out: PairEvidence[] = [];
  const acc = new Float64Array(input.cols.length);
  const touched: number[] = [];
  input.rows.forEach((text, i) => {
    const ws = wordsOf(text);
    const tri = ngrams(ws, 3);
    for (const j of touched) acc[j] = 0;
    touched.length = 0;
    const score = (f: string, weight: number) => {
      const list = postings.get(f);
      if (!list || list.length > maxPostings) return;
      for (const j of list) {
        if (acc[j] === 0) touched.push(j);
        acc[j] += weight;
      }
    };
    for (const g of new Set(tri)) score(`3 ${g}`, 1);
    for (const w of new Set(ws.filter((x) => !STOP.has(x.w) && x.w.length > 1).map((x) => x.w))) {
      score(`1 ${w}`, 0.25);
    }
    if (ws.length > 0 && ws.length < 3) score(`= ${ws.map((x) => x.w).join(" ")}`, 1);
    const cols = new Set(
      touched.sort((x, y) => acc[y] - acc[x] || x - y).slice(0, k),
    );
    for (const j of wanted.get(i) ?? []) cols.add(j);
    for (const j of [...cols].sort((x, y) => x - y)) {
      const bIndex = new Map<string, number[]>();
      colTri[j].forEach((g, p) => {
        const list = bIndex.get(g);
        if (list) list.push(p);
        else bIndex.set(g, [p]);
      });
      out.push(pairEvidence(i, j, ws, colWords[j], tri, bIndex));
    }
  });
  return out;
}
