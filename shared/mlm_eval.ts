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

/** Mean masked-token cross-entropy of `model` over `batches` (eval mode) and its perplexity. */
export async function mlmHeldoutLoss(
  model: BertModel,
  batches: MlmBatch[],
): Promise<{ loss: number; ppl: number; tokens: number }> {
  let sum = 0, n = 0;
  for (const b of batches) {
    const s = tf.tidy(() => {
      const t = batchTensors(b);
      const h = model.forward({ inputIds: t.inputIds, attentionMask: t.attentionMask });
      const logp = tf.logSoftmax(model.mlmLogits(h, t.positions)); // [N, V]
      const V = logp.shape[1];
      const flat = tf.add(
        tf.mul(tf.range(0, b.labels.length, 1, "int32"), tf.scalar(V, "int32")),
        t.labels,
      );
      return tf.neg(tf.sum(tf.gather(logp.reshape([-1]), flat)));
    });
    sum += (await s.data())[0];
    s.dispose();
    n += b.labels.length;
  }
  const loss = sum / Math.max(n, 1);
  return { loss, ppl: Math.exp(loss), tokens: n };
}

/** A trainer `evaluate` hook: held-out MLM loss and perplexity of `model` on fixed `batches`. */
export function heldoutEvaluator(
  model: BertModel,
  batches: MlmBatch[],
): () => Promise<{ eval_loss: number; eval_ppl: number }> {
  return async () => {
    const r = await mlmHeldoutLoss(model, batches);
    return { eval_loss: r.loss, eval_ppl: r.ppl };
  };
}
