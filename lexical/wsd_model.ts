/**
 * A WSD model folder loaded for prediction: the model, its tokenizer, the sense-prior setting its
 * run selected, how its 2-way head pools, and its nearest-sense table when it has one.
 *
 * @module
 */
import { join } from "node:path";
import { BertModel, latestCheckpoint, loadCheckpoint, WordPieceTokenizer } from "@cohesive/shared";
import { type PairPooling, pairPoolingOf } from "./lmgc.ts";
import { readSenseTable, SENSE_FILE, type SenseTable } from "./senses.ts";
import { type PriorSetting, readPriorSetting } from "./prior.ts";

/** The checkpoint a model spec names: a run's `best/`, else its latest checkpoint, else itself. */
export async function modelDir(spec: string): Promise<string> {
  try {
    await Deno.stat(join(spec, "best", "config.json"));
    return join(spec, "best");
  } catch {
    return (await latestCheckpoint(spec)) ?? spec;
  }
}

/** Load a model folder (checkpoint, run folder, or LMGC run folder with `best/`). */
export async function loadWsdModel(
  spec: string,
): Promise<
  {
    model: BertModel;
    tok: WordPieceTokenizer;
    dir: string;
    prior: PriorSetting | undefined;
    pooling: PairPooling;
    senses: SenseTable | undefined;
  }
> {
  const dir = await modelDir(spec);
  const ck = await loadCheckpoint(dir);
  if (!ck.vocab) throw new RangeError(`${dir}: no vocab.txt`);
  const senses = await readSenseTable(dir);
  if (!senses && ck.missingHeads.includes("cls.seq_relationship")) {
    throw new RangeError(
      `${dir}: the model has no 2-way sequence head (cls.seq_relationship) and no ${SENSE_FILE}; ` +
        "train it with lexical finetune or build a sense table with lexical senses",
    );
  }
  return {
    model: BertModel.fromWeights(ck.config, ck.weights),
    tok: WordPieceTokenizer.fromVocab(ck.vocab),
    dir,
    prior: await readPriorSetting(dir),
    pooling: pairPoolingOf(ck.meta, join(dir, "config.json")),
    senses,
  };
}
