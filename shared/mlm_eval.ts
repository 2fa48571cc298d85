/**
 * Held-out masked-LM evaluation: a fixed set of masked batches (same masks for every model, so
 * curves compare), mean cross-entropy over masked tokens and its perplexity.
 *
 * @module
 */
import { type Tensor1D, type Tensor2D, tf } from "./runtime.ts";
import type { BertModel } from "./model.ts";
import type { MlmBatch, MlmStream } from "./mlm_data.ts";
import { Rng } from "./rng.ts";

/** Draw `n` fixed held-out batches of `B` rows from `stream` (masks seeded by `seed`). */
export async function fixedBatches(
  stream: MlmStream,
  n: number,
  B: number,
  seed: number,
): Promise<MlmBatch[]> {
  const rng = new Rng(seed);
  const out: MlmBatch[] = [];
  for (let i = 0; i < n; i++) out.push(await stream.batch(B, rng));
  return out;
}

/** Tensors of a host batch (`[B, T]` ids and mask, `[N]` positions and labels). */
export function batchTensors(b: MlmBatch): {
  inputIds: Tensor2D;
  attentionMask: Tensor2D;
  positions: Tensor1D;
  labels: Tensor1D;
} {
  return {
    inputIds: tf.tensor2d(b.inputIds, [b.B, b.T], "int32"),
    attentionMask: tf.tensor2d(b.attentionMask, [b.B, b.T], "int32"),
    positions: tf.tensor1d(b.positions, "int32"),
    labels: tf.tensor1d(b.labels, "int32"),
  };
}

/**
 * Mean masked-token cross-entropy of `model` over `batches` (eval mode), its perplexity, and the
 * top-1 accuracy of the masked predictions.
 */
export async function mlmHeldoutLoss(
  model: BertModel,
  batches: MlmBatch[],
): Promise<{ loss: number; ppl: number; accuracy: number; tokens: number }> {
  let sum = 0, n = 0, hits = 0;
  for (const b of batches) {
    const [s, top] = tf.tidy(() => {
      const t = batchTensors(b);
      const h = model.forward({ inputIds: t.inputIds, attentionMask: t.attentionMask });
      const logp = tf.logSoftmax(model.mlmLogits(h, t.positions)); // [N, V]
      const V = logp.shape[1];
      const flat = tf.add(
        tf.mul(tf.range(0, b.labels.length, 1, "int32"), tf.scalar(V, "int32")),
        t.labels,
      );
      return [tf.neg(tf.sum(tf.gather(logp.reshape([-1]), flat))), tf.argMax(logp, 1)];
    });
    sum += (await s.data())[0];
    const best = await top.data();
    for (let i = 0; i < b.labels.length; i++) if (best[i] === b.labels[i]) hits++;
    tf.dispose([s, top]);
    n += b.labels.length;
  }
  const loss = sum / Math.max(n, 1);
  return { loss, ppl: Math.exp(loss), accuracy: hits / Math.max(n, 1), tokens: n };
}

/**
 * The same batches with the tokens of every row in a random order (`[CLS]` stays first; padding
 * stays at the end; the masked positions follow their tokens). A model that uses word order
 * predicts worse on these; a bag-of-words model predicts exactly as well. Deterministic for `seed`.
 */
export function shuffledBatches(batches: MlmBatch[], seed = 7): MlmBatch[] {
  const rng = new Rng(seed);
  return batches.map((b) => {
    const ids = Int32Array.from(b.inputIds);
    const to = new Int32Array(b.B * b.T); // old flat index -> new flat index
    for (let r = 0; r < b.B; r++) {
      const o = r * b.T;
      let n = 0;
      while (n < b.T && b.attentionMask[o + n]) n++;
      const perm = rng.shuffle(Array.from({ length: Math.max(n - 1, 0) }, (_, i) => i + 1));
      to[o] = o;
      perm.forEach((from, i) => {
        ids[o + 1 + i] = b.inputIds[o + from];
        to[o + from] = o + 1 + i;
      });
    }
    return { ...b, inputIds: ids, positions: Int32Array.from(b.positions, (p) => to[p]) };
  });
}

/** What {@link heldoutEvaluator} reports. */
export type HeldoutMetrics = {
  /** Mean masked-token cross-entropy (nats). */
  eval_loss: number;
  /** Its perplexity. */
  eval_ppl: number;
  /**
   * Loss on the same batches with each row's tokens shuffled, minus `eval_loss`: how much the model
   * gains from word order (≈ 0 for a bag-of-words model). Only with `order: true`.
   */
  eval_order_gain?: number;
};

/**
 * A trainer `evaluate` hook: held-out MLM loss and perplexity of `model` on fixed `batches`, and
 * with `order` the word-order gain (see {@link HeldoutMetrics}).
 */
export function heldoutEvaluator(
  model: BertModel,
  batches: MlmBatch[],
  opts: { order?: boolean } = {},
): () => Promise<HeldoutMetrics> {
  const shuffled = opts.order ? shuffledBatches(batches) : undefined;
  return async () => {
    const r = await mlmHeldoutLoss(model, batches);
    const out: HeldoutMetrics = { eval_loss: r.loss, eval_ppl: r.ppl };
    if (shuffled) out.eval_order_gain = (await mlmHeldoutLoss(model, shuffled)).loss - r.loss;
    return out;
  };
}
