/**
 * Teachers: loading (run folders or Hugging Face checkpoint folders), the vocabulary check, and
 * each teacher's top-k view of the masked positions of a batch.
 *
 * @module
 */
import { join } from "node:path";
import { BertModel, loadCheckpoint, type MlmBatch, resolveModelDir } from "@cohesive/shared";
import { tf } from "@cohesive/shared/tf";
import type { TeacherTopK } from "./weighting.ts";

/** A loaded teacher. */
export interface Teacher {
  /** What the user passed. */
  spec: string;
  /** The checkpoint folder actually read. */
  dir: string;
  /** The model (eval mode only). */
  model: BertModel;
  /** Its vocabulary. */
  vocab: string[];
}

/** A run folder resolves to its latest checkpoint; a checkpoint folder is itself. */
export async function resolveCheckpointDir(spec: string): Promise<string> {
  return await resolveModelDir(spec);
}

/**
 * Check that two vocabularies are identical.
 *
 * @throws {RangeError} naming both sources and the first difference.
 */
export function assertSameVocab(
  a: readonly string[],
  aName: string,
  b: readonly string[],
  bName: string,
): void {
  if (a.length !== b.length) {
    throw new RangeError(
      `vocabulary mismatch: ${aName} has ${a.length} entries, ${bName} has ${b.length}; ` +
        `teachers and student must share one vocabulary`,
    );
  }
  for (let i = 0; i < a.length; i++) {
    if (a[i] !== b[i]) {
      throw new RangeError(
        `vocabulary mismatch: id ${i} is "${a[i]}" in ${aName} but "${b[i]}" in ${bName}; ` +
          `teachers and student must share one vocabulary`,
      );
    }
  }
}

/**
 * Load teachers and check that they share one vocabulary (with `vocab` when given).
 *
 * @throws {CheckpointError} for an unreadable folder; {RangeError} for a vocabulary mismatch.
 */
export async function loadTeachers(
  specs: string[],
  vocab?: { tokens: readonly string[]; name: string },
): Promise<Teacher[]> {
  if (specs.length === 0) {
    throw new RangeError("at least one teacher is needed (--teachers DIR,...)");
  }
  const out: Teacher[] = [];
  for (const spec of specs) {
    const dir = await resolveCheckpointDir(spec);
    const ck = await loadCheckpoint(dir);
    if (!ck.vocab) {
      throw new RangeError(`${join(dir, "vocab.txt")}: missing; a teacher needs its vocabulary`);
    }
    const ref = out[0] ? { tokens: out[0].vocab, name: `teacher ${out[0].spec}` } : vocab;
    if (ref) assertSameVocab(ref.tokens, ref.name, ck.vocab, `teacher ${spec}`);
    out.push({ spec, dir, model: BertModel.fromWeights(ck.config, ck.weights), vocab: ck.vocab });
  }
  return out;
}

/**
 * One teacher's top-k distribution at temperature `T` over the masked positions of a batch,
 * plus the probability of the gold token and the entropy of the full distribution (both at `T`),
 * which the weightings need.
 */
export async function teacherTopK(
  model: BertModel,
  batch: MlmBatch,
  T: number,
  k: number,
): Promise<TeacherTopK> {
  const N = batch.labels.length;
  // Stage by stage, each [N, V] tensor freed as soon as the next one exists: one scope around
  // all of them held about eight at once (75 MB each for a 32 × 128 batch over 30k words).
  const logp = tf.tidy(() => {
    const inputIds = tf.tensor2d(batch.inputIds, [batch.B, batch.T], "int32");
    const attentionMask = tf.tensor2d(batch.attentionMask, [batch.B, batch.T], "int32");
    const h = model.forward({ inputIds, attentionMask });
    const logits = model.mlmLogits(h, tf.tensor1d(batch.positions, "int32")); // [N, V]
    return tf.logSoftmax(tf.div(logits, T)); // [N, V]
  });
  const V = logp.shape[1] as number;
  const p = tf.exp(logp);
  const top = tf.topk(p, k); // [N, k]
  const gold = tf.tidy(() => {
    const flat = tf.add(
      tf.mul(tf.range(0, N, 1, "int32"), tf.scalar(V, "int32")),
      tf.tensor1d(batch.labels, "int32"),
    );
    return tf.gather(p.reshape([-1]), flat); // [N]
  });
  const ent = tf.tidy(() => tf.neg(tf.sum(tf.mul(p, logp), -1))); // [N]
  tf.dispose([p, logp]);
  const [ids, probs, pGold, entropy] = [top.indices, top.values, gold, ent];
  const r: TeacherTopK = {
    ids: (await ids.data()) as Int32Array,
    probs: (await probs.data()) as Float32Array,
    k,
    pGold: (await pGold.data()) as Float32Array,
    entropy: (await entropy.data()) as Float32Array,
  };
  tf.dispose([ids, probs, pGold, entropy]);
  return r;
}
