/**
 * Sense embeddings (LMMS-style nearest sense): every sense tagged in a training corpus gets the
 * mean of the context vectors of its tagged occurrences, and a word's sense is the candidate whose
 * centroid is nearest its own context vector (cosine), with the sense prior of `prior.ts` added
 * at the weight chosen on the selection set. Nothing is trained: the student's encoder is used
 * as it is, so its language-model abilities are untouched, and the table is data beside the
 * checkpoint (`senses.safetensors`), not parameters of the model.
 *
 * A context vector is three unit vectors of the last layer, concatenated and scaled to unit
 * length: the mean of the target word's pieces, the mean of up to two pieces on each side of it
 * (the local collocations that supervised WSD systems have always read), and the mean of the
 * sentence's pieces. Each sentence is encoded once for all its targets.
 *
 * @module
 */
import { join } from "node:path";
import {
  type BertModel,
  readSafetensorsFile,
  type WordPieceTokenizer,
  writeFileAtomic,
  writeSafetensors,
} from "@cohesive/shared";
import { tf } from "@cohesive/shared/tf";
import { type InstancePairs, type PairPooling, predictSenses } from "./lmgc.ts";
import { instancesOf, type WsdCorpus, type WsdKeys, type WsdSentence } from "./raganato.ts";

/** File name of the table inside a model folder. */
export const SENSE_FILE = "senses.safetensors";

/** The context features a table was built with (stored in the file; checked on load). */
export const SENSE_FEATURES = "target+neighbours+sentence";

/** Pieces on each side of the target that make its neighbourhood vector. */
const NEIGHBOUR_PIECES = 2;

/**
 * The default softmax temperature over the candidates' cosines: P(sense) ∝ exp(cos / τ). Only the
 * scale the sense prior's weight λ is measured in depends on it, not which sense wins alone.
 */
export const SENSE_TEMPERATURE = 0.05;

/** One word in its sentence. Occurrences that share the `words` array share one forward pass. */
export interface Occurrence {
  /** The sentence's words (joined by single spaces for the encoder). */
  words: readonly string[];
  /** Position of the target word. */
  index: number;
}

/** A sense table: one unit centroid per sense seen in the training corpus. */
export interface SenseTable {
  /** Sense keys, in row order. */
  keys: string[];
  /** Row of each sense key. */
  index: Map<string, number>;
  /** Width of a context vector (3 × hidden size). */
  dim: number;
  /** Unit centroids, `[keys.length, dim]` row-major. */
  vectors: Float32Array;
  /** Tagged occurrences behind each centroid. */
  counts: Float32Array;
  /** Softmax temperature τ over the candidates' cosines. */
  temperature: number;
  /** The corpus the table was built from. */
  source: string;
}

/** Options of {@link contextVectors}. */
export interface ContextVectorOptions {
  /** Pieces per sentence, `[CLS]` and `[SEP]` included (default 128, capped at the positions). */
  maxLength?: number;
  /** Sentences per forward pass (default 64). */
  batchSize?: number;
  /** Called with the number of sentences done. */
  onProgress?: (done: number, total: number) => void;
}

function normalise(v: Float32Array, from: number, to: number): void {
  let n = 0;
  for (let j = from; j < to; j++) n += v[j] * v[j];
  n = Math.sqrt(n);
  if (n > 0) { for (let j = from; j < to; j++) v[j] /= n; }
}

/**
 * The context vector of every occurrence (see the module doc), in order; `undefined` where the
 * target was truncated away.
 */
export async function contextVectors(
  model: BertModel,
  tok: WordPieceTokenizer,
  occurrences: readonly Occurrence[],
  opts: ContextVectorOptions = {},
): Promise<(Float32Array | undefined)[]> {
  const H = model.config.hidden_size;
  const maxLength = Math.min(opts.maxLength ?? 128, model.config.max_position_embeddings);
  const batchSize = opts.batchSize ?? 64;
  const bySentence = new Map<readonly string[], number[]>();
  occurrences.forEach((o, i) => {
    if (!Number.isInteger(o.index) || o.index < 0 || o.index >= o.words.length) {
      throw new RangeError(`occurrence ${i}: index ${o.index} outside its ${o.words.length} words`);
    }
    const at = bySentence.get(o.words);
    if (at) at.push(i);
    else bySentence.set(o.words, [i]);
  });
  const sentences = [...bySentence];
  const out: (Float32Array | undefined)[] = new Array(occurrences.length).fill(undefined);
  for (let s = 0; s < sentences.length; s += batchSize) {
    const chunk = sentences.slice(s, s + batchSize);
    const texts = chunk.map(([words]) => words.join(" "));
    const enc = tok.encodeBatch(texts, { maxLength });
    const [B, T] = enc.shape;
    const h = tf.tidy(() =>
      model.forward({
        inputIds: tf.tensor2d(enc.ids, [B, T], "int32"),
        attentionMask: tf.tensor2d(enc.attentionMask, [B, T], "int32"),
      })
    );
    const states = (await h.data()) as Float32Array;
    h.dispose();
    chunk.forEach(([words, at], r) => {
      const e = enc.encodings[r];
      // Real pieces of the sentence (not specials, not padding), in order.
      const pieces: number[] = [];
      for (let t = 0; t < T; t++) {
        if (e.attentionMask[t] === 1 && e.offsets[t][1] > e.offsets[t][0]) pieces.push(t);
      }
      const starts: number[] = [];
      let pos = 0;
      for (const w of words) {
        starts.push(pos);
        pos += w.length + 1;
      }
      for (const i of at) {
        const a = starts[occurrences[i].index];
        const b = a + words[occurrences[i].index].length;
        const target = pieces.filter((t) => e.offsets[t][0] >= a && e.offsets[t][1] <= b);
        if (!target.length) continue;
        const first = pieces.indexOf(target[0]), last = pieces.indexOf(target[target.length - 1]);
        const near = [
          ...pieces.slice(Math.max(0, first - NEIGHBOUR_PIECES), first),
          ...pieces.slice(last + 1, last + 1 + NEIGHBOUR_PIECES),
        ];
        const v = new Float32Array(3 * H);
        [target, near.length ? near : target, pieces].forEach((ts, part) => {
          for (const t of ts) {
            const row = (r * T + t) * H;
            for (let j = 0; j < H; j++) v[part * H + j] += states[row + j];
          }
          normalise(v, part * H, (part + 1) * H);
        });
        for (let j = 0; j < 3 * H; j++) v[j] /= Math.sqrt(3);
        out[i] = v;
      }
    });
    opts.onProgress?.(Math.min(sentences.length, s + batchSize), sentences.length);
  }
  return out;
}

/** Each instance of `corpus` as an occurrence (words shared per sentence), by instance id. */
export function corpusOccurrences(corpus: WsdCorpus): Map<string, Occurrence> {
  const words = new Map<WsdSentence, string[]>();
  const out = new Map<string, Occurrence>();
  for (const ref of instancesOf(corpus)) {
    let w = words.get(ref.sentence);
    if (!w) words.set(ref.sentence, w = ref.sentence.tokens.map((t) => t.text));
    out.set(ref.token.id, { words: w, index: ref.index });
  }
  return out;
}

/** A sense-tagged corpus: its text and gold keys. */
export interface TaggedCorpus {
  /** The corpus. */
  corpus: WsdCorpus;
  /** Instance id → gold sense keys. */
  keys: WsdKeys;
}

/**
 * Build a table from sense-tagged corpora: the normalised mean context vector of each gold sense
 * key over all of them (an instance with several gold keys counts for each).
 */
export async function buildSenseTable(
  model: BertModel,
  tok: WordPieceTokenizer,
  sources: readonly TaggedCorpus[],
  opts: ContextVectorOptions & { source?: string; temperature?: number } = {},
): Promise<SenseTable> {
  const occ = sources.flatMap(({ corpus, keys }) =>
    [...corpusOccurrences(corpus)].flatMap(([id, o]) => {
      const gold = keys.get(id);
      return gold ? [{ gold, o }] : [];
    })
  );
  const vecs = await contextVectors(model, tok, occ.map((x) => x.o), opts);
  const dim = 3 * model.config.hidden_size;
  const sums = new Map<string, { v: Float32Array; n: number }>();
  occ.forEach(({ gold }, i) => {
    const v = vecs[i];
    if (!v) return;
    for (const key of gold) {
      let s = sums.get(key);
      if (!s) sums.set(key, s = { v: new Float32Array(dim), n: 0 });
      for (let j = 0; j < dim; j++) s.v[j] += v[j];
      s.n++;
    }
  });
  const keys = [...sums.keys()].sort();
  const vectors = new Float32Array(keys.length * dim);
  const counts = new Float32Array(keys.length);
  keys.forEach((k, r) => {
    const s = sums.get(k)!;
    vectors.set(s.v, r * dim);
    normalise(vectors, r * dim, (r + 1) * dim);
    counts[r] = s.n;
  });
  return {
    keys,
    index: new Map(keys.map((k, r) => [k, r])),
    dim,
    vectors,
    counts,
    temperature: opts.temperature ?? SENSE_TEMPERATURE,
    source: opts.source ?? "corpus",
  };
}

/**
 * P(sense) of every candidate of every instance (`occurrence` must be set), by instance id:
 * softmax of cosine / τ over the candidates the table knows; 0 for the others; uniform when it
 * knows none (the sense prior, or WordNet's order, then decides).
 */
export async function senseProbabilities(
  model: BertModel,
  tok: WordPieceTokenizer,
  table: SenseTable,
  insts: readonly InstancePairs[],
  opts: ContextVectorOptions = {},
): Promise<Map<string, number[]>> {
  if (table.dim !== 3 * model.config.hidden_size) {
    throw new RangeError(
      `the sense table has ${table.dim}-wide vectors; this model makes ${
        3 * model.config.hidden_size
      }`,
    );
  }
  const occ = insts.map((p) => {
    if (!p.occurrence) throw new RangeError(`instance ${p.id} has no occurrence to embed`);
    return p.occurrence;
  });
  const vecs = await contextVectors(model, tok, occ, opts);
  const scores = new Map<string, number[]>();
  insts.forEach((p, i) => {
    const v = vecs[i];
    const rows = p.candidates.map((s) => table.index.get(s.key));
    const logits = rows.map((r) => {
      if (r === undefined || !v) return -Infinity;
      let dot = 0;
      for (let j = 0; j < table.dim; j++) dot += table.vectors[r * table.dim + j] * v[j];
      return dot / table.temperature;
    });
    const max = Math.max(...logits);
    if (max === -Infinity) {
      scores.set(p.id, p.candidates.map(() => 1 / p.candidates.length));
      return;
    }
    const ex = logits.map((l) => Math.exp(l - max));
    const sum = ex.reduce((a, b) => a + b, 0);
    scores.set(p.id, ex.map((x) => x / sum));
  });
  return scores;
}

/** Write a table into a model folder (`senses.safetensors`, atomically). */
export async function writeSenseTable(dir: string, table: SenseTable): Promise<void> {
  const bytes = writeSafetensors(
    new Map([
      ["centroids", { shape: [table.keys.length, table.dim], data: table.vectors }],
      ["counts", { shape: [table.keys.length], data: table.counts }],
    ]),
    {
      format: "cohesive-senses",
      version: "1",
      features: SENSE_FEATURES,
      temperature: String(table.temperature),
      source: table.source,
      keys: JSON.stringify(table.keys),
    },
  );
  await writeFileAtomic(join(dir, SENSE_FILE), bytes);
}

/** Read the table of a model folder; undefined when it has none. */
export async function readSenseTable(dir: string): Promise<SenseTable | undefined> {
  const path = join(dir, SENSE_FILE);
  let file;
  try {
    file = await readSafetensorsFile(path);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
  const m = file.metadata ?? {};
  const bad = (why: string) => new RangeError(`${path}: not a sense table (${why})`);
  if (m.format !== "cohesive-senses") throw bad(`format "${m.format}"`);
  if (m.features !== SENSE_FEATURES) {
    throw bad(`features "${m.features}", expected ${SENSE_FEATURES}`);
  }
  const c = file.tensors.get("centroids"), n = file.tensors.get("counts");
  let keys: unknown;
  try {
    keys = JSON.parse(m.keys ?? "");
  } catch {
    throw bad("keys are not JSON");
  }
  if (!c || !n || c.shape.length !== 2 || !Array.isArray(keys) || keys.length !== c.shape[0]) {
    throw bad("centroids [N, D], counts [N] and N keys expected");
  }
  const temperature = Number(m.temperature);
  if (!(temperature > 0)) throw bad(`temperature "${m.temperature}"`);
  return {
    keys: keys as string[],
    index: new Map((keys as string[]).map((k, r) => [k, r])),
    dim: c.shape[1],
    vectors: c.data,
    counts: n.data,
    temperature,
    source: m.source ?? "",
  };
}

/** Options of {@link candidateProbabilities}. */
export interface ScoringOptions {
  /** A sense table: score by nearest sense; without one, by LMGC's P(match). */
  senses?: SenseTable;
  /** What the LMGC head reads (the one it was trained with). */
  pooling?: PairPooling;
  /** Pieces per input (LMGC's pair, or the sentence). */
  maxLength?: number;
}

/**
 * Every candidate's probability for every instance, by instance id: P(sense) from the sense
 * table when one is given, else the context–gloss classifier's P(match).
 */
export async function candidateProbabilities(
  model: BertModel,
  tok: WordPieceTokenizer,
  insts: InstancePairs[],
  opts: ScoringOptions = {},
): Promise<Map<string, number[]>> {
  if (opts.senses) {
    return await senseProbabilities(model, tok, opts.senses, insts, { maxLength: opts.maxLength });
  }
  const { scores } = await predictSenses(model, tok, insts, {
    maxLength: opts.maxLength,
    pooling: opts.pooling,
  });
  return scores;
}
