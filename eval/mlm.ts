/**
 * Held-out masked-LM diagnostics of checkpoints: loss and perplexity on fixed masked batches of a
 * text folder's held-out split (the split teachers and students never train on), the
 * **word-order gain** (loss on the same rows with their tokens shuffled, minus the loss: about 0
 * for a model that is still a bag of words) and a **unigram** reference (cross-entropy of the
 * held-out targets under add-one token frequencies of training rows). A small model's loss below
 * the unigram with no order gain has learnt topic, not syntax: lexical fine-tuning on it cannot
 * tell "bank of the river" from "bank of England" by word order.
 *
 * Output folder: `mlm.json` and `mlm.md`.
 *
 * @module
 */
import { join } from "node:path";
import {
  BertModel,
  fixedBatches,
  initRuntime,
  loadCheckpoint,
  type MlmBatch,
  mlmHeldoutLoss,
  shuffledBatches,
  WordPieceTokenizer,
  writeFileAtomic,
} from "@cohesive/shared";
import { mlmTokenizer, openText } from "@cohesive/distill";
import { resolveModelDir } from "./classifier.ts";

/** One model's held-out MLM figures. */
export interface MlmEvalRow {
  /** Name given on the command line. */
  name: string;
  /** Checkpoint folder evaluated. */
  checkpoint: string;
  /** Parameter count. */
  parameters: number;
  /** Mean masked-token cross-entropy (nats). */
  loss: number;
  /** Its perplexity. */
  ppl: number;
  /** Top-1 accuracy of the masked predictions. */
  accuracy: number;
  /** Loss with each row's tokens shuffled. */
  shuffledLoss: number;
  /** `shuffledLoss − loss`: what word order is worth to the model (nats). */
  orderGain: number;
  /** Unigram cross-entropy of the same targets (nats). */
  unigram: number;
  /** Masked tokens scored. */
  tokens: number;
  /** Row length used (the requested one, capped at the model's positions). */
  seqLen: number;
}

/** Result of {@link evaluateMlm}. */
export interface MlmEvalResult {
  /** Text evaluated (folder, file or `wordnet`). */
  data: string;
  /** Batches × rows of (at most) `seqLen` tokens. */
  batches: { count: number; rows: number; seqLen: number };
  /** One row per model. */
  models: MlmEvalRow[];
  /** Markdown and JSON written (when `out` was given). */
  files: string[];
}

/** Options of {@link evaluateMlm}. */
export interface MlmEvalOptions {
  /** Models: a name and a checkpoint or run folder (its latest checkpoint). */
  models: { name: string; dir: string }[];
  /** Text folder or file (its held-out split is used) or `wordnet`. */
  data: string;
  /** Held-out batches (default 16). */
  batches?: number;
  /** Rows per batch (default 32). */
  rows?: number;
  /** Row length in tokens (default 128, capped at each model's positions). */
  seqLen?: number;
  /** Held-out share of lines, as in training (default 2 %). */
  heldoutPercent?: number;
  /** Training rows counted for the unigram reference (default 4,000). */
  unigramRows?: number;
  /** Masking seed (default 1234, the one teachers evaluate with). */
  seed?: number;
  /** Output folder for `mlm.json` and `mlm.md`. */
  out?: string;
  /** Backend (default: COHESIVE_BACKEND, else auto). */
  backend?: string;
  /** The command line, recorded in the JSON. */
  command?: string;
}

/** Add-one unigram cross-entropy (nats) of `batches`' targets, counts from `trainRows`. */
export function unigramCrossEntropy(
  trainRows: number[][],
  batches: MlmBatch[],
  vocabSize: number,
  special: number[],
): number {
  const counts = new Float64Array(vocabSize).fill(1);
  let total = vocabSize;
  const skip = new Set(special);
  for (const r of trainRows) {
    for (const id of r) {
      if (skip.has(id)) continue;
      counts[id]++;
      total++;
    }
  }
  let sum = 0, n = 0;
  for (const b of batches) {
    for (const l of b.labels) {
      sum -= Math.log(counts[l] / total);
      n++;
    }
  }
  return sum / Math.max(n, 1);
}

/** Evaluate every model on the same held-out text; writes `mlm.json`/`mlm.md` to `out`. */
export async function evaluateMlm(opts: MlmEvalOptions): Promise<MlmEvalResult> {
  if (opts.models.length === 0) throw new RangeError("give at least one --model");
  await initRuntime({ backend: opts.backend, quiet: true });
  const count = opts.batches ?? 16, rows = opts.rows ?? 32, seed = opts.seed ?? 1234;
  const pct = opts.heldoutPercent ?? 2, asked = opts.seqLen ?? 128;
  const rowsOut: MlmEvalRow[] = [];
  // Models of one vocabulary and length share their batches and unigram reference (built once).
  const shared = new Map<string, { batches: MlmBatch[]; unigram: number }>();
  for (const m of opts.models) {
    const dir = await resolveModelDir(m.dir);
    const ck = await loadCheckpoint(dir);
    if (!ck.vocab) throw new RangeError(`${dir}: no vocab.txt beside the weights`);
    const seqLen = Math.min(asked, ck.config.max_position_embeddings);
    const key = `${seqLen}\n${ck.vocab.join("\n")}`;
    let data = shared.get(key);
    if (!data) {
      const tok = WordPieceTokenizer.fromVocab(ck.vocab);
      const mtok = mlmTokenizer(tok);
      const held = (await openText(opts.data, mtok, seqLen)).only("heldout", pct);
      const batches = await fixedBatches(held, count, rows, seed);
      const train = (await openText(opts.data, mtok, seqLen)).only("train", pct);
      const unigram = unigramCrossEntropy(
        await train.rows(opts.unigramRows ?? 4000),
        batches,
        tok.vocabSize,
        [tok.clsId, tok.sepId, tok.padId],
      );
      shared.set(key, data = { batches, unigram });
    }
    const { batches, unigram } = data;
    const model = BertModel.fromWeights(ck.config, ck.weights, 0);
    try {
      const r = await mlmHeldoutLoss(model, batches);
      const s = await mlmHeldoutLoss(model, shuffledBatches(batches));
      rowsOut.push({
        name: m.name,
        checkpoint: dir,
        parameters: model.parameterCount(),
        loss: r.loss,
        ppl: r.ppl,
        accuracy: r.accuracy,
        shuffledLoss: s.loss,
        orderGain: s.loss - r.loss,
        unigram,
        tokens: r.tokens,
        seqLen,
      });
    } finally {
      model.dispose();
    }
  }
  const result: MlmEvalResult = {
    data: opts.data,
    batches: { count, rows, seqLen: asked },
    models: rowsOut,
    files: [],
  };
  if (opts.out) {
    await Deno.mkdir(opts.out, { recursive: true });
    const json = join(opts.out, "mlm.json"), md = join(opts.out, "mlm.md");
    await writeFileAtomic(
      json,
      JSON.stringify(
        { ...result, command: opts.command, date: new Date().toISOString() },
        null,
        2,
      ) +
        "\n",
    );
    await writeFileAtomic(md, formatMlmTable(result) + "\n");
    result.files = [md, json];
  }
  return result;
}

/** The markdown table of an {@link MlmEvalResult}. */
export function formatMlmTable(r: MlmEvalResult): string {
  const f = (x: number) => x.toFixed(3);
  const lines = [
    `Held-out masked-LM loss on ${r.data} (${r.batches.count} × ${r.batches.rows} rows of up to ${r.batches.seqLen} tokens; nats)`,
    "",
    "| model | parameters | loss | perplexity | accuracy | shuffled order | order gain | unigram | masked tokens |",
    "|---|---:|---:|---:|---:|---:|---:|---:|---:|",
    ...r.models.map((m) =>
      `| ${m.name} | ${m.parameters.toLocaleString("en-US")} | ${f(m.loss)} | ${
        m.ppl.toFixed(1)
      } | ${(100 * m.accuracy).toFixed(1)} % | ${f(m.shuffledLoss)} | ${f(m.orderGain)} | ${
        f(m.unigram)
      } | ${m.tokens} |`
    ),
    "",
    "order gain = shuffled-order loss − loss: ≈ 0 means the model ignores word order (a bag of words).",
  ];
  return lines.join("\n");
}
