/**
 * The setup and wrap-up every masked-LM job of distill shares around `shared/trainer.ts`: the
 * model config of a run, its fixed held-out batches, the `run.json` record, and the final
 * held-out loss and checkpoint.
 *
 * @module
 */
import { join } from "node:path";
import {
  type BertConfig,
  type BertModel,
  fixedBatches,
  latestCheckpoint,
  type MlmBatch,
  mlmHeldoutLoss,
  type MlmTokenizer,
  resolveBertConfig,
  writeFileAtomic,
} from "@cohesive/shared";
import type { MlmRunConfig } from "./run_config.ts";
import { openText } from "./text_source.ts";

/** The model config of a run: its sizes, the vocabulary's size, positions for `seqLen`. */
export function modelConfigOf(cfg: MlmRunConfig, vocabSize: number): BertConfig {
  return resolveBertConfig({
    ...cfg.model,
    vocab_size: vocabSize,
    max_position_embeddings: Math.max(cfg.model.max_position_embeddings ?? 512, cfg.seqLen),
  });
}

/** The run's fixed held-out batches (the same for every evaluation and every resume). */
export async function heldoutBatches(cfg: MlmRunConfig, tok: MlmTokenizer): Promise<MlmBatch[]> {
  const stream = (await openText(cfg.data, tok, cfg.seqLen)).only("heldout", cfg.heldoutPercent);
  return await fixedBatches(stream, cfg.evalBatches, cfg.batchSize, 1234);
}

/** Create the run folder and, for a new run, write its `run.json`. */
export async function writeRunFile(
  runDir: string,
  resume: boolean | undefined,
  record: Record<string, unknown>,
): Promise<void> {
  await Deno.mkdir(runDir, { recursive: true });
  if (!resume) {
    await writeFileAtomic(join(runDir, "run.json"), JSON.stringify(record, null, 2));
  }
}

/** What a finished run reports beside the trainer's result. */
export interface RunOutcome {
  /** Final held-out MLM loss and perplexity. */
  heldout: { loss: number; ppl: number };
  /** Folder of the final checkpoint. */
  checkpoint: string;
  /** Wall time in seconds (this process). */
  seconds: number;
}

/** The final held-out loss of `model` (skipped when interrupted; then disposed), its checkpoint and the wall time. */
export async function finishRun(
  model: BertModel,
  runDir: string,
  heldout: MlmBatch[],
  t0: number,
  interrupted = false,
): Promise<RunOutcome> {
  // Interrupted: the checkpoint is saved; return now rather than after a held-out pass.
  const held = interrupted ? { loss: NaN, ppl: NaN } : await mlmHeldoutLoss(model, heldout);
  model.dispose();
  return {
    heldout: { loss: held.loss, ppl: held.ppl },
    checkpoint: (await latestCheckpoint(runDir))!,
    seconds: (performance.now() - t0) / 1000,
  };
}
