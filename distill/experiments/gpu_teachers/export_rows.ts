/**
 * Write the corpus as packed token rows for pretraining teachers elsewhere (a GPU machine with
 * PyTorch and no Deno): exactly the rows `distill teacher` would read — cohesive's WordPiece, the
 * same packing and the same held-out split by line hash — as little-endian uint16 files.
 *
 *   deno run -A distill/experiments/gpu_teachers/export_rows.ts --data PATH --out DIR [--seq 128]
 *       [--heldout-percent 2] [--epochs 1]
 *
 * Writes `DIR/train.u16` (one pass over the train split, `rows × seq` ids), `DIR/heldout.u16`
 * (one pass over the held-out split), `DIR/vocab.txt` and `DIR/meta.json`.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { MlmStream, WordPieceTokenizer, writeFileAtomic } from "@cohesive/shared";
import { mlmTokenizer } from "../../text_source.ts";

const USAGE = "usage: export_rows.ts --data PATH --out DIR [--seq 128] [--heldout-percent 2]";

function usage(msg: string): never {
  console.error(`export_rows: ${msg}\n${USAGE}`);
  Deno.exit(2);
}

/** One pass over one split, as a flat uint16 array of `rows × seq` ids. */
async function onePass(
  data: string,
  tok: WordPieceTokenizer,
  seq: number,
  split: "train" | "heldout",
  pct: number,
): Promise<{ ids: Uint16Array; rows: number }> {
  const stream = (await MlmStream.fromPath(data, mlmTokenizer(tok), seq)).only(split, pct);
  const chunks: Uint16Array[] = [];
  let rows = 0;
  const t0 = performance.now();
  while (stream.state.epoch === 0) {
    const part = await stream.rows(256);
    const flat = new Uint16Array(part.length * seq);
    part.forEach((r, i) => flat.set(r, i * seq));
    chunks.push(flat);
    rows += part.length;
    if (chunks.length % 40 === 0) {
      const s = ((performance.now() - t0) / 1000).toFixed(0);
      console.error(`${split}: ${rows} rows (${s} s)`);
    }
  }
  const ids = new Uint16Array(rows * seq);
  let at = 0;
  for (const c of chunks) {
    ids.set(c, at);
    at += c.length;
  }
  return { ids, rows };
}

async function main(): Promise<void> {
  let values;
  try {
    ({ values } = parseArgs({
      args: Deno.args,
      options: {
        data: { type: "string" },
        out: { type: "string" },
        seq: { type: "string", default: "128" },
        "heldout-percent": { type: "string", default: "2" },
      },
      strict: true,
    }));
  } catch (e) {
    usage((e as Error).message);
  }
  if (!values.data || !values.out) usage("--data and --out are required");
  const seq = Number(values.seq), pct = Number(values["heldout-percent"]);
  if (!Number.isInteger(seq) || seq < 8 || seq > 512) usage("--seq must be an integer in 8..512");
  if (!(pct > 0 && pct < 50)) usage("--heldout-percent must be in (0, 50)");
  const tok = WordPieceTokenizer.bertBaseUncased();
  if (tok.vocabSize > 65536) throw new RangeError("vocabulary too large for uint16 rows");
  await Deno.mkdir(values.out, { recursive: true });
  const train = await onePass(values.data, tok, seq, "train", pct);
  const held = await onePass(values.data, tok, seq, "heldout", pct);
  const bytes = (a: Uint16Array) => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  await writeFileAtomic(join(values.out, "train.u16"), bytes(train.ids));
  await writeFileAtomic(join(values.out, "heldout.u16"), bytes(held.ids));
  await writeFileAtomic(join(values.out, "vocab.txt"), tok.vocab.join("\n") + "\n");
  const meta = {
    format: "cohesive-mlm-rows",
    version: 1,
    seq,
    heldout_percent: pct,
    vocab_size: tok.vocabSize,
    tokenizer: "bert-base-uncased",
    cls_id: tok.clsId,
    sep_id: tok.sepId,
    pad_id: tok.padId,
    mask_id: tok.maskId,
    train_rows: train.rows,
    heldout_rows: held.rows,
    data: values.data,
  };
  await writeFileAtomic(join(values.out, "meta.json"), JSON.stringify(meta, null, 2) + "\n");
  console.log(
    `wrote ${train.rows} train rows and ${held.rows} held-out rows of ${seq} tokens to ${values.out}`,
  );
}

if (import.meta.main) {
  try {
    await main();
  } catch (e) {
    console.error(`export_rows: ${(e as Error).message}`);
    Deno.exit(1);
  }
}
