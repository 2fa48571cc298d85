/**
 * LMGC and LMGC-M: word sense disambiguation as context–gloss pair classification, on the
 * model's existing 2-way sequence head (BERT's NSP head) — no parameter is added.
 *
 * A pair is `[CLS] … " target " … [SEP] target : gloss [SEP]`; the head's class 0 ("IsNext" in
 * BERT's NSP, here "the gloss belongs to this context") is the match. A word's sense is the
 * candidate with the highest P(match). LMGC trains the head on SemCor pairs; LMGC-M adds the
 * masked-LM loss on the same pairs (1:1), so lexical knowledge is injected while the language
 * model keeps its abilities.
 *
 * @module
 */
import type { WordPieceTokenizer } from "@cohesive/shared";
import type { BertModel, Rng } from "@cohesive/shared";
import { tf } from "@cohesive/shared/tf";
import { candidateSenses } from "./baselines.ts";
import { instancesOf, type WsdCorpus, type WsdKeys, type WsdSentence } from "./raganato.ts";
import type { Occurrence } from "./senses.ts";
import { parsePos, PARTS_OF_SPEECH, type Sense, type WordNet } from "./wordnet.ts";

/** Index of "match" on the 2-way head (BERT NSP's IsNext). */
export const MATCH = 0;

/**
 * What the 2-way head reads: `cls`, the pooled `[CLS]` state (BERT's NSP, GlossBERT's
 * "Sent-CLS"); `target`, the mean of the target word's pieces in the context (GlossBERT's
 * "Token-CLS"). Both go through the same pooler and head, so neither adds a parameter.
 */
export type PairPooling = "cls" | "target";

/** The pair poolings, for option checks. */
export const PAIR_POOLINGS: readonly PairPooling[] = ["cls", "target"];

/**
 * The pooling a checkpoint's head was trained with (its `cohesive.pairPooling`; `cls` when
 * absent, as in every BERT).
 *
 * @throws {RangeError} for a value that is not a pooling.
 */
export function pairPoolingOf(meta: Record<string, unknown>, where = "checkpoint"): PairPooling {
  const p = meta.pairPooling ?? "cls";
  if (!PAIR_POOLINGS.includes(p as PairPooling)) {
    throw new RangeError(
      `${where}: pairPooling ${JSON.stringify(p)} is not one of ${PAIR_POOLINGS.join(", ")}`,
    );
  }
  return p as PairPooling;
}

/** The candidate senses of one instance with its context and glosses. */
export interface InstancePairs {
  /** Instance id. */
  id: string;
  /** The context with the target in quotes. */
  context: string;
  /** `[start, end)` of the target word in `context` (inside the quotes). */
  target: [number, number];
  /** Candidate senses (WordNet order). */
  candidates: Sense[];
  /** `target : gloss` per candidate. */
  glosses: string[];
  /** 1 for a gold sense, 0 otherwise (absent without gold keys). */
  labels?: number[];
  /** The target in its unquoted sentence, for the sense-embedding scorer (`senses.ts`). */
  occurrence?: Occurrence;
}

/** Options of {@link instancePairs}. */
export interface PairOptions {
  /** Candidates of every part of speech instead of the instance's own. */
  allPos?: boolean;
}

/**
 * Context–gloss pairs of every instance of a corpus that has candidates. Instances without
 * candidates are skipped (a scorer counts them unanswered).
 */
export function instancePairs(
  corpus: WsdCorpus,
  wn: WordNet,
  keys?: WsdKeys,
  opts: PairOptions = {},
): InstancePairs[] {
  const out: InstancePairs[] = [];
  const sentenceWords = new Map<WsdSentence, string[]>();
  for (const ref of instancesOf(corpus)) {
    const pos = parsePos(ref.token.pos);
    const poses = opts.allPos ? PARTS_OF_SPEECH : pos ? [pos] : [];
    const candidates = poses.flatMap((p) =>
      candidateSenses(wn, ref.token.lemma, p, ref.token.text)
    );
    if (candidates.length === 0) continue;
    let words = sentenceWords.get(ref.sentence);
    if (!words) sentenceWords.set(ref.sentence, words = ref.sentence.tokens.map((t) => t.text));
    const { context, target: span } = quoteTarget(words, ref.index);
    const target = ref.token.text;
    const gold = keys?.get(ref.token.id);
    out.push({
      id: ref.token.id,
      context,
      target: span,
      candidates,
      glosses: candidates.map((s) => `${target} : ${s.synset.definition}`),
      labels: gold ? candidates.map((s) => (gold.includes(s.key) ? 1 : 0)) : undefined,
      occurrence: { words, index: ref.index },
    });
  }
  return out;
}

/**
 * The context of word `index` among `words`: the words joined by spaces with the target in
 * quotes (`… " bank " …`), and the target's `[start, end)` in it.
 */
export function quoteTarget(
  words: readonly string[],
  index: number,
): { context: string; target: [number, number] } {
  const before = words.slice(0, index).join(" ");
  const start = before.length + (index > 0 ? 1 : 0) + 2; // `" ` before the word
  const end = start + words[index].length;
  const context = [...words.slice(0, index), `" ${words[index]} "`, ...words.slice(index + 1)]
    .join(" ");
  return { context, target: [start, end] };
}

/** One training pair (indices into the instance list). */
export interface PairRef {
  /** Instance index. */
  inst: number;
  /** Candidate index. */
  cand: number;
  /** 1 gold, 0 not. */
  label: number;
}

/**
 * How the wrong candidates of an instance are drawn: `uniform`ly, or in proportion to how often
 * each sense is gold among the training instances (`frequency`, add-one smoothed). Uniform
 * negatives let the head score a gloss without its context — frequent senses are mostly
 * matches, rare ones mostly not; frequency-drawn negatives show a frequent sense's gloss as a
 * mismatch about as often as a match, so only the context tells them apart.
 */
export type NegativeSampling = "uniform" | "frequency";

/** The negative samplings, for option checks. */
export const NEGATIVE_SAMPLINGS: readonly NegativeSampling[] = ["uniform", "frequency"];

/**
 * Training pairs: every gold pair and, per instance, at most `negatives` wrong candidates drawn
 * with `rng` (all of them when `negatives` is undefined) as `sampling` says, shuffled.
 */
export function trainingPairs(
  insts: InstancePairs[],
  rng: Rng,
  negatives?: number,
  sampling: NegativeSampling = "uniform",
): PairRef[] {
  const goldCount = new Map<string, number>();
  if (sampling === "frequency") {
    for (const p of insts) {
      p.labels?.forEach((l, c) => {
        const k = p.candidates[c].key;
        if (l) goldCount.set(k, (goldCount.get(k) ?? 0) + 1);
      });
    }
  }
  const out: PairRef[] = [];
  insts.forEach((p, inst) => {
    if (!p.labels || !p.labels.includes(1)) return; // no gold among the candidates
    const neg: number[] = [];
    p.labels.forEach((l, cand) => (l ? out.push({ inst, cand, label: 1 }) : neg.push(cand)));
    let keep = neg;
    if (negatives !== undefined) {
      keep = sampling === "uniform"
        ? rng.shuffle(neg).slice(0, negatives)
        : weightedSample(rng, neg, (c) => (goldCount.get(p.candidates[c].key) ?? 0) + 1, negatives);
    }
    for (const cand of keep) out.push({ inst, cand, label: 0 });
  });
  return rng.shuffle(out);
}

/**
 * `k` of `items` without replacement, each drawn in proportion to `weight` (the `k` smallest
 * exponential clocks `−ln u / w`); all of them when `k` ≥ their number.
 */
function weightedSample<T>(rng: Rng, items: T[], weight: (x: T) => number, k: number): T[] {
  if (k >= items.length) return items;
  return items
    .map((x) => ({ x, t: -Math.log(1 - rng.next()) / weight(x) }))
    .sort((a, b) => a.t - b.t)
    .slice(0, k)
    .map((e) => e.x);
}

/** A tokenised batch of pairs. */
export interface PairBatch {
  /** Rows. */
  B: number;
  /** Columns. */
  T: number;
  /** `[B·T]` ids. */
  ids: Int32Array;
  /** `[B·T]` segment ids. */
  typeIds: Int32Array;
  /** `[B·T]` 1 real / 0 pad. */
  mask: Int32Array;
  /** `[B]` head labels (MATCH or 1 − MATCH). */
  labels: Int32Array;
  /**
   * `[B·T]` weights of the states the head reads with `target` pooling: `1/n` on the `n`
   * pieces of the target word (on `[CLS]` where truncation cut the target off); absent for `cls`.
   */
  select?: Float32Array;
}

/**
 * Tokenise pairs `(context, gloss)` into a padded batch; with `pooling` `target`, also the
 * selection of each context's target pieces (`target` of each pair, its span in `context`).
 */
export function encodePairs(
  tok: WordPieceTokenizer,
  pairs: { context: string; gloss: string; match?: boolean; target?: [number, number] }[],
  maxLength: number,
  pooling: PairPooling = "cls",
): PairBatch {
  const enc = tok.encodeBatch(pairs.map((p) => [p.context, p.gloss] as [string, string]), {
    maxLength,
    truncation: "longest_first",
  });
  const [B, T] = enc.shape;
  let select: Float32Array | undefined;
  if (pooling === "target") {
    select = new Float32Array(B * T);
    pairs.forEach((p, r) => {
      if (!p.target) throw new RangeError("target pooling needs each pair's target span");
      const [s, e] = p.target;
      const e0 = enc.encodings[r];
      const at: number[] = [];
      for (let t = 0; t < T; t++) {
        if (e0.segment[t] === 0 && e0.offsets[t][0] >= s && e0.offsets[t][1] <= e) at.push(t);
      }
      if (at.length === 0) at.push(0); // the target was truncated away: read [CLS]
      for (const t of at) select![r * T + t] = 1 / at.length;
    });
  }
  return {
    B,
    T,
    ids: enc.ids,
    typeIds: enc.typeIds,
    mask: enc.attentionMask,
    labels: Int32Array.from(pairs, (p) => (p.match ? MATCH : 1 - MATCH)),
    select,
  };
}

/**
 * P(match) of every candidate of every instance, by instance id (choose with `keysWithPrior` of
 * `prior.ts`; weight 0 is the argmax). Runs in
 * batches of at most `batchSize` pairs of at most `maxLength` tokens (default 160, capped at the
 * model's positions). `pooling` must be the one the head was trained with (default `cls`; a
 * checkpoint's is {@link pairPoolingOf} its meta).
 */
export async function predictSenses(
  model: BertModel,
  tok: WordPieceTokenizer,
  insts: InstancePairs[],
  opts: {
    maxLength?: number;
    batchSize?: number;
    pooling?: PairPooling;
    onProgress?: (done: number) => void;
  } = {},
): Promise<{ scores: Map<string, number[]> }> {
  // The paper's 160 tokens (Wahle et al. 2021), or fewer where the model has fewer positions.
  const maxLength = opts.maxLength ?? Math.min(160, model.config.max_position_embeddings);
  const B = opts.batchSize ?? 64;
  const flat: { inst: number; cand: number }[] = [];
  insts.forEach((p, inst) => p.candidates.forEach((_, cand) => flat.push({ inst, cand })));
  const probs = new Float32Array(flat.length);
  for (let i = 0; i < flat.length; i += B) {
    const chunk = flat.slice(i, i + B);
    const b = encodePairs(
      tok,
      chunk.map((f) => ({
        context: insts[f.inst].context,
        gloss: insts[f.inst].glosses[f.cand],
        target: insts[f.inst].target,
      })),
      maxLength,
      opts.pooling,
    );
    const p = tf.tidy(() => {
      const h = model.forward({
        inputIds: tf.tensor2d(b.ids, [b.B, b.T], "int32"),
        tokenTypeIds: tf.tensor2d(b.typeIds, [b.B, b.T], "int32"),
        attentionMask: tf.tensor2d(b.mask, [b.B, b.T], "int32"),
      });
      const select = b.select ? tf.tensor2d(b.select, [b.B, b.T]) : undefined;
      return tf.softmax(model.seqLogits(h, {}, select)).slice([0, MATCH], [-1, 1]).reshape([-1]);
    });
    probs.set((await p.data()) as Float32Array, i);
    p.dispose();
    opts.onProgress?.(Math.min(flat.length, i + B));
  }
  const scores = new Map<string, number[]>();
  let k = 0;
  for (const p of insts) {
    scores.set(p.id, Array.from(probs.subarray(k, k + p.candidates.length)));
    k += p.candidates.length;
  }
  return { scores };
}
