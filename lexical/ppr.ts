/**
 * Personalised PageRank over WordNet's graph for word sense disambiguation, in the manner of UKB
 * (Agirre and Soroa 2009; Agirre, López de Lacalle and Soroa 2014), word by word (`ppr_w2w`): for
 * each target word, the random walk restarts at the candidate synsets of the other content words
 * of its context (never at the target's own), and the target's candidate with the highest rank
 * wins.
 *
 * The graph has one node per synset and an undirected edge for every WordNet pointer (hypernymy,
 * hyponymy, meronymy, holonymy, derivation, similar-to, also-see, antonymy, domains, entailment,
 * cause, verb groups, participles, pertainyms, attributes); lexical pointers link their synsets.
 * Optionally, gloss relations: each synset is linked to the synset of every monosemous word of
 * its definition (UKB links disambiguated gloss words, which WordNet's files do not hold; a word
 * with a single synset in the whole of WordNet needs no disambiguation). It is held in compressed
 * sparse rows (typed arrays), and PageRank is a power iteration over it into reused buffers.
 *
 * @module
 */
import { join } from "node:path";
import { baseForm, candidateSenses, contentWords, type SenseChoice } from "./baselines.ts";
import { senseLogPrior } from "./prior.ts";
import type { WsdCorpus, WsdToken } from "./raganato.ts";
import { normalizeLemma, parsePos, type Sense, type WordNet } from "./wordnet.ts";

// --- graph ---------------------------------------------------------------------------------------

/** An undirected graph in compressed sparse rows: node `i`'s neighbours are `targets[offsets[i]..offsets[i+1]]`. */
export class SynsetGraph {
  /** Node names (synset ids such as `09213565n`), by node index. */
  readonly ids: readonly string[];
  /** Row offsets, `ids.length + 1` of them. */
  readonly offsets: Int32Array;
  /** Neighbour indices: each undirected edge appears once in each direction. */
  readonly targets: Int32Array;
  /** Number of undirected edges. */
  readonly edgeCount: number;
  readonly #index: Map<string, number>;

  /** Build from node names and `[a, b]` edges (node indices); loops and duplicates are dropped. */
  constructor(ids: readonly string[], edges: ArrayLike<number>) {
    const n = ids.length;
    this.ids = ids;
    this.#index = new Map(ids.map((id, i) => [id, i]));
    // one key per unordered pair, sorted, duplicates dropped
    const keys = new Float64Array(edges.length >> 1);
    let k = 0;
    for (let e = 0; e + 1 < edges.length; e += 2) {
      const a = edges[e], b = edges[e + 1];
      if (a === b) continue;
      if (!(a >= 0 && a < n && b >= 0 && b < n)) {
        throw new RangeError(`edge ${a}-${b} names a node outside 0..${n - 1}`);
      }
      keys[k++] = a < b ? a * n + b : b * n + a;
    }
    const sorted = keys.subarray(0, k).sort();
    const degree = new Int32Array(n + 1);
    let unique = 0;
    for (let i = 0; i < sorted.length; i++) {
      if (i > 0 && sorted[i] === sorted[i - 1]) continue;
      sorted[unique++] = sorted[i];
      const a = Math.floor(sorted[i] / n), b = sorted[i] % n;
      degree[a + 1]++;
      degree[b + 1]++;
    }
    for (let i = 0; i < n; i++) degree[i + 1] += degree[i];
    this.offsets = degree;
    this.targets = new Int32Array(2 * unique);
    const fill = degree.slice(0, n);
    for (let i = 0; i < unique; i++) {
      const a = Math.floor(sorted[i] / n), b = sorted[i] % n;
      this.targets[fill[a]++] = b;
      this.targets[fill[b]++] = a;
    }
    this.edgeCount = unique;
  }

  /** Number of nodes. */
  get size(): number {
    return this.ids.length;
  }

  /** The node index of synset id `id`, or `undefined`. */
  indexOf(id: string): number | undefined {
    return this.#index.get(id);
  }

  /** The degree of node `i`. */
  degree(i: number): number {
    return this.offsets[i + 1] - this.offsets[i];
  }
}

/** Options of {@link buildWordNetGraph}. */
export interface WordNetGraphOptions {
  /**
   * Link each synset to the synsets of the monosemous words of its definition. Default true
   * here; `ppr` takes {@link PPR_DEFAULTS}.
   */
  glossRelations?: boolean;
}

const DATA_FILES = [["n", "data.noun"], ["v", "data.verb"], ["a", "data.adj"], [
  "r",
  "data.adv",
]] as const;
const INDEX_FILES = ["index.noun", "index.verb", "index.adj", "index.adv"] as const;

function dataLines(text: string): string[] {
  return text.split("\n").filter((l) => l.length > 0 && !l.startsWith("  "));
}

/**
 * Build the synset graph of `wn` from its dict folder's `data.*` files (and `index.*` for the
 * monosemous words of gloss relations). Takes a few seconds for WordNet 3.0.
 */
export function buildWordNetGraph(wn: WordNet, options: WordNetGraphOptions = {}): SynsetGraph {
  const glossRelations = options.glossRelations ?? true;
  const ids: string[] = [];
  const lines: string[] = [];
  for (const [pos, file] of DATA_FILES) {
    for (const line of dataLines(Deno.readTextFileSync(join(wn.path, file)))) {
      ids.push(line.slice(0, 8) + pos);
      lines.push(line);
    }
  }
  const index = new Map(ids.map((id, i) => [id, i]));
  const edges: number[] = [];
  const glosses: string[] = [];
  lines.forEach((line, from) => {
    const bar = line.indexOf(" | ");
    const f = (bar < 0 ? line : line.slice(0, bar)).split(" ");
    let i = 4 + 2 * parseInt(f[3], 16);
    const pointerCount = Number(f[i++]);
    for (let p = 0; p < pointerCount; p++, i += 4) {
      const pos = f[i + 2] === "s" ? "a" : f[i + 2];
      const to = index.get(f[i + 1] + pos);
      if (to !== undefined) edges.push(from, to);
    }
    if (glossRelations) glosses.push(bar < 0 ? "" : line.slice(bar + 3).split('"')[0]);
  });
  if (glossRelations) {
    // lemma → its one synset, for lemmas with a single synset over all parts of speech
    const monosemous = new Map<string, number>();
    const ambiguous = new Set<string>();
    INDEX_FILES.forEach((file, k) => {
      const pos = DATA_FILES[k][0];
      for (const line of dataLines(Deno.readTextFileSync(join(wn.path, file)))) {
        const f = line.trimEnd().split(" ");
        const lemma = f[0];
        if (ambiguous.has(lemma)) continue;
        const count = Number(f[2]);
        const node = index.get(f[f.length - 1] + pos);
        if (count !== 1 || monosemous.has(lemma) || node === undefined) {
          monosemous.delete(lemma);
          ambiguous.add(lemma);
        } else monosemous.set(lemma, node);
      }
    });
    glosses.forEach((gloss, from) => {
      for (const w of contentWords(gloss)) {
        const to = monosemous.get(baseForm(w, wn));
        if (to !== undefined) edges.push(from, to);
      }
    });
  }
  return new SynsetGraph(ids, edges);
}

const graphCache = new WeakMap<WordNet, Map<string, SynsetGraph>>();

/** {@link buildWordNetGraph}, built once per WordNet and options. */
export function wordNetGraph(wn: WordNet, options: WordNetGraphOptions = {}): SynsetGraph {
  let byOptions = graphCache.get(wn);
  if (!byOptions) graphCache.set(wn, byOptions = new Map());
  const key = String(options.glossRelations ?? true);
  let g = byOptions.get(key);
  if (!g) byOptions.set(key, g = buildWordNetGraph(wn, options));
  return g;
}

// --- PageRank ------------------------------------------------------------------------------------

/** Options of {@link PageRank}. */
export interface PageRankOptions {
  /** Probability of following an edge rather than restarting. Default 0.85. */
  damping?: number;
  /** Most iterations. Default 30. */
  iterations?: number;
  /** Stop when the L1 change of an iteration falls below this. Default 1e-4. */
  tolerance?: number;
}

/** A restart distribution: `weights[k]` on node `nodes[k]` (normalised to sum 1 when used). */
export interface Personalization {
  /** Node indices. */
  nodes: ArrayLike<number>;
  /** Their weights (positive total). */
  weights: ArrayLike<number>;
}

/**
 * Personalised PageRank on one graph, with buffers kept between calls: solves
 * `r = (1 − d)·v + d·M·r` by power iteration, `M` the random walk of the graph (the mass of
 * nodes without edges goes back to `v`). Several personalisations are ranked at once in blocks
 * (node-major layout), so each pass over the edges serves the whole block.
 */
export class PageRank {
  /** The graph. */
  readonly graph: SynsetGraph;
  /** The damping factor. */
  readonly damping: number;
  /** The most iterations. */
  readonly iterations: number;
  /** The L1 change that counts as converged. */
  readonly tolerance: number;
  /** Personalisations ranked together by {@link PageRank.rankMany}. */
  readonly block: number;
  /** Iterations the last block ran. */
  lastIterations = 0;
  readonly #inverseDegree: Float64Array;
  readonly #rank: Float64Array;
  readonly #next: Float64Array;
  readonly #spread: Float64Array;
  readonly #final: Float64Array;

  /** Prepare buffers for `graph` and blocks of `block` personalisations (default 8). */
  constructor(graph: SynsetGraph, options: PageRankOptions & { block?: number } = {}) {
    this.graph = graph;
    this.damping = options.damping ?? 0.85;
    this.iterations = options.iterations ?? 30;
    this.tolerance = options.tolerance ?? 1e-4;
    this.block = Math.max(1, Math.floor(options.block ?? 8));
    const n = graph.size;
    this.#inverseDegree = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const d = graph.degree(i);
      this.#inverseDegree[i] = d ? 1 / d : 0;
    }
    this.#rank = new Float64Array(n * this.block);
    this.#next = new Float64Array(n * this.block);
    this.#spread = new Float64Array(n * this.block);
    this.#final = new Float64Array(n * this.block);
  }

  /**
   * The PageRank vector personalised on `nodes` with `weights`. The returned array is a buffer
   * of this object, overwritten by the next call.
   */
  rank(nodes: ArrayLike<number>, weights: ArrayLike<number>): Float64Array {
    const r = this.#run([{ nodes, weights }], 1);
    return r.subarray(0, this.graph.size);
  }

  /**
   * Rank every personalisation of `problems` and read the ranks of the nodes `readOut[p]` for
   * problem `p`.
   */
  rankMany(
    problems: readonly Personalization[],
    readOut: readonly ArrayLike<number>[],
  ): number[][] {
    const out: number[][] = [];
    for (let p0 = 0; p0 < problems.length; p0 += this.block) {
      const chunk = problems.slice(p0, p0 + this.block);
      const B = chunk.length;
      const r = this.#run(chunk, B);
      chunk.forEach((_, b) => {
        const at = readOut[p0 + b];
        const ranks: number[] = [];
        for (let k = 0; k < at.length; k++) ranks.push(r[at[k] * B + b]);
        out.push(ranks);
      });
    }
    return out;
  }

  /** Run a block of `B` personalisations; returns the rank buffer (node-major, `B` columns). */
  #run(problems: readonly Personalization[], B: number): Float64Array {
    const n = this.graph.size;
    let count = 0;
    for (const p of problems) count += p.nodes.length;
    const at = new Int32Array(count); // flat index node * B + column of each restart entry
    const v = new Float64Array(count);
    const column = new Int32Array(count);
    let k = 0;
    problems.forEach((p, b) => {
      let total = 0;
      for (let i = 0; i < p.nodes.length; i++) total += p.weights[i];
      if (!(total > 0)) throw new RangeError("personalisation needs a positive weight");
      for (let i = 0; i < p.nodes.length; i++, k++) {
        const node = p.nodes[i];
        if (!(node >= 0 && node < n)) throw new RangeError(`node ${node} outside 0..${n - 1}`);
        at[k] = node * B + b;
        v[k] = p.weights[i] / total;
        column[k] = b;
      }
    });
    let r = this.#rank.subarray(0, n * B), next = this.#next.subarray(0, n * B);
    const spread = this.#spread.subarray(0, n * B);
    const out = this.#final.subarray(0, n * B);
    const dangling = new Float64Array(B);
    const change = new Float64Array(B);
    const done = new Uint8Array(B);
    let open = B;
    r.fill(0);
    for (let k = 0; k < count; k++) r[at[k]] += v[k];
    let it = 0;
    while (it < this.iterations && open > 0) {
      step(this.graph, this.#inverseDegree, r, next, spread, B, this.damping, dangling);
      for (let k = 0; k < count; k++) {
        next[at[k]] += (1 - this.damping + this.damping * dangling[column[k]]) * v[k];
      }
      [r, next] = [next, r];
      it++;
      if (this.tolerance > 0) {
        change.fill(0);
        for (let x = 0; x < r.length;) {
          for (let c = 0; c < B; c++, x++) change[c] += Math.abs(next[x] - r[x]);
        }
        // a converged column is kept as it is now, so a block answers as one run at a time would
        for (let c = 0; c < B; c++) {
          if (done[c] || change[c] >= this.tolerance) continue;
          for (let x = c; x < r.length; x += B) out[x] = r[x];
          done[c] = 1;
          open--;
        }
      }
    }
    for (let c = 0; c < B; c++) {
      if (!done[c]) { for (let x = c; x < r.length; x += B) out[x] = r[x]; }
    }
    this.lastIterations = it;
    return out;
  }
}

/** One power-iteration step from `r` into `next` (before restarts), `B` columns. */
function step(
  graph: SynsetGraph,
  inv: Float64Array,
  r: Float64Array,
  next: Float64Array,
  spread: Float64Array,
  B: number,
  d: number,
  dangling: Float64Array,
): void {
  const { offsets, targets } = graph;
  const n = offsets.length - 1;
  dangling.fill(0);
  for (let i = 0, x = 0; i < n; i++) {
    const w = inv[i];
    const end = x + B;
    if (w === 0) { for (let c = 0; x < end; x++, c++) dangling[c] += r[x]; }
    else for (; x < end; x++) spread[x] = r[x] * w;
  }
  if (B === 1) {
    let start = offsets[0];
    for (let i = 0; i < n; i++) {
      const end = offsets[i + 1];
      let s = 0;
      for (let e = start; e < end; e++) s += spread[targets[e]];
      next[i] = d * s;
      start = end;
    }
    return;
  }
  if (B === 8) {
    // the common block, unrolled: sums held in locals, one pass over each row's edges
    let start = offsets[0];
    for (let i = 0; i < n; i++) {
      const end = offsets[i + 1];
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0, s4 = 0, s5 = 0, s6 = 0, s7 = 0;
      for (let e = start; e < end; e++) {
        const f = targets[e] << 3;
        s0 += spread[f];
        s1 += spread[f + 1];
        s2 += spread[f + 2];
        s3 += spread[f + 3];
        s4 += spread[f + 4];
        s5 += spread[f + 5];
        s6 += spread[f + 6];
        s7 += spread[f + 7];
      }
      const row = i << 3;
      next[row] = d * s0;
      next[row + 1] = d * s1;
      next[row + 2] = d * s2;
      next[row + 3] = d * s3;
      next[row + 4] = d * s4;
      next[row + 5] = d * s5;
      next[row + 6] = d * s6;
      next[row + 7] = d * s7;
      start = end;
    }
    return;
  }
  next.fill(0);
  let start = offsets[0];
  for (let i = 0; i < n; i++) {
    const end = offsets[i + 1];
    const row = i * B;
    for (let e = start; e < end; e++) {
      const from = targets[e] * B;
      for (let c = 0; c < B; c++) next[row + c] += spread[from + c];
    }
    start = end;
  }
  for (let x = 0; x < next.length; x++) next[x] *= d;
}

// --- disambiguation ------------------------------------------------------------------------------

/**
 * The weight of the sense-frequency prior in `log PPR + λ · log p(sense)` that
 * `disambiguateText()` uses with `ppr` by default, chosen on semeval2007.
 */
export const PPR_PRIOR_WEIGHT = 8;

/**
 * The λ tried on the selection set: the neural models' grid (`PRIOR_WEIGHTS`) and larger ones (PageRank values of
 * two candidates can differ by orders of magnitude, so useful weights are larger).
 */
export const PPR_PRIOR_WEIGHTS: readonly number[] = [
  0,
  0.1,
  0.2,
  0.3,
  0.5,
  0.75,
  1,
  1.5,
  2,
  3,
  5,
  8,
  12,
  20,
  30,
  50,
];

/**
 * The graph knobs chosen on semeval2007, for PageRank alone (`λ = 0`) and with the prior: whether
 * gloss relations are added to the graph, and whether the personalisation is weighted by tag
 * counts.
 */
export const PPR_DEFAULTS: {
  readonly alone: Required<WordNetGraphOptions> & { readonly weighted: boolean };
  readonly withPrior: Required<WordNetGraphOptions> & { readonly weighted: boolean };
} = {
  alone: { glossRelations: false, weighted: true },
  withPrior: { glossRelations: true, weighted: true },
};

/** `options` with the graph knobs it leaves out taken from {@link PPR_DEFAULTS}. */
export function withPprDefaults(options: PprOptions = {}): PprOptions {
  const d = (options.priorWeight ?? 0) > 0 ? PPR_DEFAULTS.withPrior : PPR_DEFAULTS.alone;
  return {
    ...options,
    glossRelations: options.glossRelations ?? d.glossRelations,
    weighted: options.weighted ?? d.weighted,
  };
}

/** Options of {@link pprChoose} and {@link pprScores}. */
export interface PprOptions extends PageRankOptions, WordNetGraphOptions {
  /**
   * Spread each context word's restart mass over its candidates in proportion to their tag counts
   * + 1 (UKB's sense-frequency weights), not evenly. Default: {@link PPR_DEFAULTS}.
   */
  weighted?: boolean;
  /** λ of `log PPR + λ · log p(sense)` (see `senseLogPrior`). Default 0: PageRank alone. */
  priorWeight?: number;
  /** Sentences on each side of the target's sentence added to its context. Default 0. */
  window?: number;
}

const engines = new WeakMap<SynsetGraph, Map<string, PageRank>>();

/** A {@link PageRank} over `wn`'s graph with `options`, made once and reused. */
export function pageRankOf(wn: WordNet, options: PprOptions = {}): PageRank {
  const graph = wordNetGraph(wn, options);
  let byOptions = engines.get(graph);
  if (!byOptions) engines.set(graph, byOptions = new Map());
  const key = `${options.damping}:${options.iterations}:${options.tolerance}`;
  let pr = byOptions.get(key);
  if (!pr) byOptions.set(key, pr = new PageRank(graph, options));
  return pr;
}

/** The personalisation of one target: its context words' candidates, the target's own left out. */
export function personalizationOf(
  candidates: readonly Sense[],
  context: readonly (readonly Sense[])[],
  graph: SynsetGraph,
  weighted = false,
): Personalization | undefined {
  const nodes: number[] = [];
  const weights: number[] = [];
  const own = candidates[0] && `${candidates[0].lemma}/${candidates[0].pos}`;
  for (const word of context) {
    if (word.length === 0 || `${word[0].lemma}/${word[0].pos}` === own) continue;
    let mass = 0;
    const start = nodes.length;
    for (const s of word) {
      const node = graph.indexOf(s.synset.id);
      if (node === undefined) continue;
      const w = weighted ? s.tagCount + 1 : 1;
      nodes.push(node);
      weights.push(w);
      mass += w;
    }
    for (let k = start; k < nodes.length; k++) weights[k] /= mass;
  }
  return nodes.length ? { nodes, weights } : undefined;
}

/**
 * The rank of each candidate of a target word under PageRank personalised on the candidates of
 * the context words (each context word carries mass 1, spread over its candidates). Context
 * words that share the target's lemma and part of speech are left out. Returns `undefined` when
 * no context word has a synset in the graph.
 */
export function pprScores(
  candidates: readonly Sense[],
  context: readonly (readonly Sense[])[],
  pr: PageRank,
  options: { weighted?: boolean } = {},
): number[] | undefined {
  const p = personalizationOf(candidates, context, pr.graph, options.weighted);
  if (!p) return undefined;
  const rank = pr.rank(p.nodes, p.weights);
  return candidates.map((s) => {
    const node = pr.graph.indexOf(s.synset.id);
    return node === undefined ? 0 : rank[node];
  });
}

/**
 * Index of the best candidate under `log rank + λ · log p(sense)`; ties go to the earlier
 * candidate (WordNet's order).
 */
export function chooseByRank(
  ranks: readonly number[],
  candidates: readonly Sense[],
  priorWeight = 0,
): number {
  const logPrior = priorWeight > 0 ? senseLogPrior(candidates) : undefined;
  let best = 0, bestScore = -Infinity;
  ranks.forEach((r, i) => {
    const s = Math.log(Math.max(r, 1e-300)) + (logPrior ? priorWeight * logPrior[i] : 0);
    if (s > bestScore) [best, bestScore] = [i, s];
  });
  return best;
}

/**
 * Personalised PageRank WSD (`ppr_w2w`) for one word: the candidate ranked highest by PageRank
 * over WordNet's graph personalised on the context words' candidates, optionally combined with
 * the sense-frequency prior. A word with one candidate, or without context in the graph, gets
 * the first sense (`model: "first-sense"`).
 *
 * @param candidates the target's senses in WordNet order.
 * @param context the candidate senses of each other content word of the context.
 */
export function pprChoose(
  candidates: readonly Sense[],
  context: readonly (readonly Sense[])[],
  wn: WordNet,
  options: PprOptions = {},
): SenseChoice | undefined {
  options = withPprDefaults(options);
  if (candidates.length === 0) return undefined;
  if (candidates.length === 1) return { sense: candidates[0], score: 1, model: "first-sense" };
  const ranks = pprScores(candidates, context, pageRankOf(wn, options), options);
  if (!ranks) return { sense: candidates[0], score: 1, model: "first-sense" };
  const best = chooseByRank(ranks, candidates, options.priorWeight ?? 0);
  return { sense: candidates[best], score: ranks[best], model: "ppr" };
}

// --- a whole corpus ------------------------------------------------------------------------------

/** The candidate senses of each content word (WordNet part of speech, known lemma) of `tokens`. */
export function contextSensesOf(tokens: readonly WsdToken[], wn: WordNet): Sense[][] {
  const out: Sense[][] = [];
  for (const t of tokens) {
    const pos = parsePos(t.pos);
    if (!pos) continue;
    const senses = candidateSenses(wn, t.lemma, pos, normalizeLemma(t.text));
    if (senses.length) out.push(senses);
  }
  return out;
}

/** One instance's candidates and their PageRank (`undefined`: one candidate, or no context). */
export interface PprInstance {
  /** The instance id. */
  id: string;
  /** Candidate senses in WordNet order. */
  candidates: Sense[];
  /** PageRank of each candidate, when PageRank was run. */
  ranks?: number[];
}

/**
 * The PageRank of every instance's candidates in a framework corpus (`ppr_w2w`: one
 * personalisation per polysemous instance, ranked in blocks). Instances whose part of speech is
 * not WordNet's, or whose lemma WordNet lacks, are left out.
 */
export function pprCorpus(corpus: WsdCorpus, wn: WordNet, options: PprOptions = {}): PprInstance[] {
  options = withPprDefaults(options);
  const window = options.window ?? 0;
  const pr = pageRankOf(wn, options);
  const out: PprInstance[] = [];
  const problems: Personalization[] = [];
  const readOut: number[][] = [];
  const ranked: PprInstance[] = [];
  for (const text of corpus.texts) {
    const senses = text.sentences.map((s) => contextSensesOf(s.tokens, wn));
    text.sentences.forEach((sentence, si) => {
      for (const token of sentence.tokens) {
        if (token.kind !== "instance" || token.id === undefined) continue;
        const pos = parsePos(token.pos);
        if (!pos) continue;
        const candidates = candidateSenses(wn, token.lemma, pos, normalizeLemma(token.text));
        if (candidates.length === 0) continue;
        const inst: PprInstance = { id: token.id, candidates };
        out.push(inst);
        if (candidates.length === 1) continue;
        const context = [...senses[si]];
        for (let d = 1; d <= window; d++) {
          context.push(...(senses[si - d] ?? []), ...(senses[si + d] ?? []));
        }
        const p = personalizationOf(candidates, context, pr.graph, options.weighted);
        if (!p) continue;
        problems.push(p);
        readOut.push(candidates.map((s) => pr.graph.indexOf(s.synset.id) ?? 0));
        ranked.push(inst);
      }
    });
  }
  const ranks = pr.rankMany(problems, readOut);
  ranked.forEach((inst, k) => {
    inst.ranks = ranks[k].map((r, i) =>
      pr.graph.indexOf(inst.candidates[i].synset.id) === undefined ? 0 : r
    );
  });
  return out;
}

/** The choice for one {@link PprInstance} with prior weight λ (first sense without ranks). */
export function choosePprInstance(inst: PprInstance, priorWeight = 0): SenseChoice {
  if (!inst.ranks) return { sense: inst.candidates[0], score: 1, model: "first-sense" };
  const best = chooseByRank(inst.ranks, inst.candidates, priorWeight);
  return { sense: inst.candidates[best], score: inst.ranks[best], model: "ppr" };
}
