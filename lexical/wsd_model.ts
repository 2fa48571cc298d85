/**
 * Load a WSD model folder: an LMGC/LMGC-M checkpoint (its 2-way head reads context–gloss pairs)
 * or a nearest-sense folder (a checkpoint with a sense table), with the sense-prior weight chosen
 * for it.
 *
 * @module
 */
import { join } from "node:path";
import { BertModel, loadCheckpoint, resolveModelDir, WordPieceTokenizer } from "@cohesive/shared";
import { type PairPooling, pairPoolingOf } from "./lmgc.ts";
import { readSenseTable, SENSE_FILE, type SenseTable } from "./senses.ts";
import { type PriorSetting, readPriorSetting } from "./prior.ts";

/** A loaded WSD model. */
export interface WsdModel {
  /** The encoder with its heads. */
  model: BertModel;
  /** Its tokenizer. */
  tok: WordPieceTokenizer;
  /** The checkpoint folder it was read from. */
  dir: string;
  /** The sense-prior weight chosen for it (its `wsd.json`), if any. */
  prior: PriorSetting | undefined;
  /** What its 2-way head reads. */
  pooling: PairPooling;
  /** Its sense table (nearest-sense models), if any. */
  senses: SenseTable | undefined;
}

/**
 * Load a model folder: a checkpoint, or a run folder (its `best/`, else its newest checkpoint).
 *
 * @throws {RangeError} when the checkpoint has no vocabulary, or neither a 2-way head nor a sense
 *   table.
 */
export async function loadWsdModel(spec: string): Promise<WsdModel> {
  const dir = await resolveModelDir(spec);
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
