// Shared by the trainer's tests: a tiny MLM run on four lines with a character tokenizer.
import { tinyConfig } from "./testing.ts";
import { type BertModel, MlmStream, type MlmStreamState, Rng, sparseCrossEntropy } from "./mod.ts";
import type { TrainConfig, TrainHooks } from "./mod.ts";
import { tf } from "./tf.ts";

export { tinyConfig };

const LINES = [
  "the river bank was full of water",
  "she sat by the bank and watched the river",
  "money in the bank is safe",
  "many people find water in the long river",
];
const charTok = {
  encodeIds: (s: string) => [...s].map((c) => 5 + (c.charCodeAt(0) % 120)),
  vocabSize: 128,
  clsId: 2,
  sepId: 3,
  padId: 0,
  maskId: 4,
};

export function hooksFor(
  model: BertModel,
  seed: number,
): TrainHooks<ReturnType<MlmStream["batch"]> extends Promise<infer B> ? B : never> {
  const stream = MlmStream.fromLines(LINES, charTok, 16);
  const rng = new Rng(seed);
  return {
    next: () => stream.batch(2, rng),
    loss: (b, s) => {
      const ids = tf.tensor2d(b.inputIds, [b.B, b.T], "int32");
      const mask = tf.tensor2d(b.attentionMask, [b.B, b.T], "int32");
      const h = model.forward({ inputIds: ids, attentionMask: mask }, { training: true, seed: s });
      return sparseCrossEntropy(
        model.mlmLogits(h, tf.tensor1d(b.positions, "int32")),
        tf.tensor1d(b.labels, "int32"),
      );
    },
    dataState: () => ({ stream: stream.state, rng: rng.state }),
    restoreData: (s) => {
      const st = s as { stream: MlmStreamState; rng: number };
      stream.restore(st.stream);
      rng.restore(st.rng);
    },
  };
}

export const CFG: TrainConfig = {
  steps: 8,
  lr: 1e-3,
  warmupSteps: 2,
  weightDecay: 0.01,
  clipNorm: 1,
  accumSteps: 2,
  seed: 11,
  saveEvery: 3,
  logEvery: 1,
  evalEvery: 0,
};
export const vocab = Array.from({ length: 128 }, (_, i) => `t${i}`);
