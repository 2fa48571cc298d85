/**
 * `deno task mlm --model DIR "text with [MASK]"`: fill masks with a checkpoint's MLM head.
 * Prints the top-5 predictions per `[MASK]`; `--json` prints token ids and the logits of every
 * position, so the forward pass can be checked against another BERT implementation.
 *
 * @module
 */
import { BACKEND_FLAG, defineCommand, runMain, UsageError } from "./cli.ts";
import { initRuntime, tf } from "./runtime.ts";
import { loadCheckpoint } from "./checkpoint.ts";
import { BertModel } from "./model.ts";
import { resolveModelDir } from "./model_dir.ts";
import { WordPieceTokenizer } from "./tokenizer.ts";

/** Result of filling the masks of one text. */
export interface MlmResult {
  /** The text. */
  text: string;
  /** Its token ids (with `[CLS]`/`[SEP]`). */
  input_ids: number[];
  /** Its tokens. */
  tokens: string[];
  /** Indices of `[MASK]` tokens. */
  mask_positions: number[];
  /** Top-k per mask: token, id, probability. */
  predictions: { token: string; id: number; prob: number }[][];
  /** MLM logits of every position, `[T][V]` (only with `withLogits`). */
  mlm_logits?: number[][];
}

/** Fill the masks of each text with the model. */
export async function fillMasks(
  model: BertModel,
  tok: WordPieceTokenizer,
  texts: string[],
  opts: { top?: number; withLogits?: boolean } = {},
): Promise<MlmResult[]> {
  const top = opts.top ?? 5;
  const out: MlmResult[] = [];
  for (const text of texts) {
    const enc = tok.encode(text, undefined, { maxLength: model.config.max_position_embeddings });
    const T = enc.ids.length;
    const maskPos = enc.ids.flatMap((id, i) => (id === tok.maskId ? [i] : []));
    const logits = tf.tidy(() => {
      const ids = tf.tensor2d([enc.ids], [1, T], "int32");
      const types = tf.tensor2d([enc.typeIds], [1, T], "int32");
      const h = model.forward({ inputIds: ids, tokenTypeIds: types });
      return model.mlmLogits(h); // [T, V]
    });
    const V = logits.shape[1];
    const flat = (await logits.data()) as Float32Array;
    logits.dispose();
    const predictions = maskPos.map((p) => {
      const row = flat.subarray(p * V, (p + 1) * V);
      let max = -Infinity;
      for (const x of row) max = Math.max(max, x);
      let z = 0;
      for (const x of row) z += Math.exp(x - max);
      const idx = [...row.keys()].sort((a, b) => row[b] - row[a]).slice(0, top);
      return idx.map((id) => ({
        token: tok.idToToken(id),
        id,
        prob: Math.exp(row[id] - max) / z,
      }));
    });
    out.push({
      text,
      input_ids: enc.ids,
      tokens: enc.ids.map((i) => tok.idToToken(i)),
      mask_positions: maskPos,
      predictions,
      ...(opts.withLogits
        ? {
          mlm_logits: Array.from({ length: T }, (_, t) => [...flat.subarray(t * V, (t + 1) * V)]),
        }
        : {}),
    });
  }
  return out;
}

/** `deno task mlm`. */
export const MLM_COMMAND = defineCommand({
  summary: "Fill each [MASK] of the texts with the model's masked-LM head; prints the top " +
    "predictions per mask.",
  args: '"text with [MASK]" ...',
  positionals: { min: 1, max: Infinity },
  flags: {
    model: {
      type: "string",
      arg: "DIR",
      required: true,
      help: "checkpoint folder (config.json, model.safetensors, vocab.txt) or run folder\n" +
        "(its best/ checkpoint, else its newest)",
    },
    json: {
      type: "boolean",
      help: "print ids, attention mask, mask positions, top-k and the logits of every position",
    },
    top: { type: "int", min: 1, default: 5, arg: "K", help: "predictions per mask" },
    backend: BACKEND_FLAG,
  },
  async run({ model: spec, json, top, backend }, texts) {
    const masked = (t: string) => t.includes("[MASK]");
    const bad = texts.find((t) => !masked(t));
    if (bad !== undefined) {
      throw new UsageError(`no [MASK] in ${JSON.stringify(bad)} (e.g. "a [MASK] day")`);
    }
    const dir = await resolveModelDir(spec);
    await initRuntime({ backend, quiet: json });
    const ck = await loadCheckpoint(dir);
    if (!ck.vocab) throw new RangeError(`${dir}: no vocab.txt (the MLM needs the vocabulary)`);
    const tok = WordPieceTokenizer.fromVocab(ck.vocab);
    const model = BertModel.fromWeights(ck.config, ck.weights);
    const results = await fillMasks(model, tok, texts, { top, withLogits: json });
    model.dispose();
    if (json) {
      console.log(JSON.stringify(results.length === 1 ? results[0] : results));
      return;
    }
    for (const r of results) {
      console.log(r.text);
      if (r.mask_positions.length === 0) console.log("  ([MASK] fell beyond the model's length)");
      r.predictions.forEach((preds, i) => {
        const shown = preds.map((p) => `${p.token} ${(p.prob * 100).toFixed(1)}%`).join("  ");
        console.log(`  [MASK] #${i + 1} (position ${r.mask_positions[i]}): ${shown}`);
      });
    }
  },
});

if (import.meta.main) await runMain("deno task mlm", MLM_COMMAND);
