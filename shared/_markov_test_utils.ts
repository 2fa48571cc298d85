// Shared by the word-order learning tests: on a Markov chain where the next token is the previous
// one plus 1 (mod 5) 90 % of the time, a model that reads its neighbours' positions approaches
// 0.5 nats, while one that sees only the bag of words gains nothing from word order
// (`eval_order_gain` ≈ 0).
import {
  AdamW,
  BertModel,
  heldoutEvaluator,
  maskRows,
  type MlmBatch,
  resolveBertConfig,
  Rng,
  sparseCrossEntropy,
} from "./mod.ts";
import { tf } from "./tf.ts";

const TOK = { vocabSize: 10, clsId: 2, sepId: 3, padId: 0, maskId: 4 };

function markovBatch(rng: Rng, B: number, T: number): MlmBatch {
  const rows = Array.from({ length: B }, () => {
    let x = rng.int(5);
    const r = [TOK.clsId];
    for (let t = 0; t < T - 2; t++) {
      r.push(5 + x);
      x = rng.next() < 0.9 ? (x + 1) % 5 : rng.int(5);
    }
    return [...r, TOK.sepId];
  });
  return maskRows(rows, T, TOK, rng);
}

/** The size of a word-order run. */
export interface MarkovRun {
  hidden: number;
  layers: number;
  steps: number;
  lr: number;
  /** Rows per batch and tokens per row. */
  batch: number;
  length: number;
}

/** Train a fresh BERT with AdamW on the chain; the held-out metrics before and after. */
export async function trainOnMarkov(run: MarkovRun) {
  const cfg = resolveBertConfig({
    vocab_size: 10,
    hidden_size: run.hidden,
    num_hidden_layers: run.layers,
    num_attention_heads: 2,
    intermediate_size: 2 * run.hidden,
    max_position_embeddings: 32,
    hidden_dropout_prob: 0,
    attention_probs_dropout_prob: 0,
  });
  const model = BertModel.create(cfg, 1);
  const opt = new AdamW(model.params, { weightDecay: 0.01 });
  try {
    const rng = new Rng(5);
    const held = Array.from(
      { length: 4 },
      () => markovBatch(new Rng(99 + rng.int(1000)), 32, run.length),
    );
    const evaluate = heldoutEvaluator(model, held, { order: true });
    const before = await evaluate();
    for (let step = 0; step < run.steps; step++) {
      const b = markovBatch(rng, run.batch, run.length);
      const { value, grads } = tf.variableGrads(() =>
        sparseCrossEntropy(
          model.mlmLogits(
            model.forward({
              inputIds: tf.tensor2d(b.inputIds, [b.B, b.T], "int32"),
              attentionMask: tf.tensor2d(b.attentionMask, [b.B, b.T], "int32"),
            }, { training: true, seed: step }),
            tf.tensor1d(b.positions, "int32"),
          ),
          tf.tensor1d(b.labels, "int32"),
        )
      );
      const named = new Map<string, tf.Tensor>();
      for (const [name, v] of model.params) if (grads[v.name]) named.set(name, grads[v.name]);
      opt.apply(named, run.lr);
      tf.dispose([value, ...Object.values(grads)]);
    }
    return { before, after: await evaluate() };
  } finally {
    opt.dispose();
    model.dispose();
  }
}
