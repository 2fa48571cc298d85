/**
 * Checkpoints as Hugging Face model folders: `config.json` (HF keys plus a `cohesive` block with the
 * format name and version), `model.safetensors` (`BertForPreTraining` tensor names) and `vocab.txt`.
 * Saving replaces the folder atomically; loading also reads foreign Hugging Face BERT folders
 * unchanged (`BertModel` names, legacy `gamma`/`beta`, tied decoder, absent heads).
 *
 * @module
 */
import { basename, dirname, join, resolve } from "node:path";
import {
  type BertConfig,
  bertTensorShapes,
  DEFAULT_BERT_CONFIG,
  resolveBertConfig,
} from "./bert_config.ts";
import {
  fmtShape,
  readSafetensors,
  SafetensorsError,
  type SafetensorsTensor,
  type TensorData,
  writeSafetensorsFile,
} from "./safetensors.ts";
import { writeDirAtomic } from "./atomic.ts";
import { isRecord } from "./strict_config.ts";
import { parseVocabTxt } from "./tokenizer/formats.ts";
import { saveTrainingState, type TrainingState } from "./training_state.ts";

/** The `cohesive.format` written into `config.json`. */
export const CHECKPOINT_FORMAT = "cohesive-bert";
/** The newest checkpoint version this code reads and the one it writes. */
export const CHECKPOINT_VERSION = 1;

/** The optional heads of `BertForPreTraining`, by the prefix of their tensor names. */
export type BertHead = "bert.pooler" | "cls.predictions" | "cls.seq_relationship";

const HEADS: readonly BertHead[] = ["bert.pooler", "cls.predictions", "cls.seq_relationship"];

/** What {@link saveCheckpoint} writes. */
export interface Checkpoint {
  /** The model's configuration. */
  config: BertConfig;
  /**
   * Tensors by `BertForPreTraining` name (see `bertTensorShapes`); a head may be left out whole.
   */
  weights: Map<string, TensorData>;
  /** WordPiece vocabulary, one token per id; its length must equal `config.vocab_size`. */
  vocab: string[];
  /** Run facts kept in `config.json` under `cohesive` (seed, step, data, ...), as plain JSON. */
  meta?: Record<string, unknown>;
  /** Optimizer and resume state, saved in the same atomic folder (see `saveTrainingState`). */
  trainingState?: TrainingState;
}

/** What {@link loadCheckpoint} returns. */
export interface LoadedCheckpoint {
  /** The model's configuration, resolved against the defaults. */
  config: BertConfig;
  /** Tensors by canonical `BertForPreTraining` name, shapes checked against `config`. */
  weights: Map<string, TensorData>;
  /** `vocab.txt`, or `undefined` when the folder has none. */
  vocab: string[] | undefined;
  /** The `cohesive` block of `config.json` without `format`/`version` (`{}` for foreign folders). */
  meta: Record<string, unknown>;
  /** Heads absent from the file (the model initialises them randomly). */
  missingHeads: BertHead[];
  /** Tensors that are not part of `BertForPreTraining` (e.g. `classifier.weight`), unvalidated. */
  extra: Map<string, TensorData>;
  /** Whether `config.json` came without a `cohesive` block (a Hugging Face folder). */
  foreign: boolean;
  /** The warnings raised while loading (also passed to `onWarning`). */
  warnings: string[];
}

/** Options of {@link loadCheckpoint}. */
export interface LoadCheckpointOptions {
  /** Fail unless every head (pooler, MLM, NSP) is in the file. Default false. */
  requireHeads?: boolean;
  /** Where warnings go; default `console.warn`. */
  onWarning?: (message: string) => void;
}

/** A checkpoint that cannot be saved or loaded; the message is one line naming the file. */
export class CheckpointError extends Error {
  /**
   * Create the error.
   *
   * @param message one line: `<file>: <problem>`.
   * @param options standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "CheckpointError";
  }
}

/** Keys every Hugging Face config may carry that say nothing about a BERT's shape. */
const HF_GENERIC_KEYS = new Set([
  "return_dict",
  "output_hidden_states",
  "output_attentions",
  "torchscript",
  "tie_word_embeddings",
  "is_encoder_decoder",
  "bos_token_id",
  "eos_token_id",
  "sep_token_id",
  "cls_token_id",
  "decoder_start_token_id",
  "tokenizer_class",
  "prefix",
  "task_specific_params",
  "max_length",
  "min_length",
  "do_sample",
  "early_stopping",
  "num_beams",
  "num_beam_groups",
  "diversity_penalty",
  "temperature",
  "top_k",
  "top_p",
  "typical_p",
  "repetition_penalty",
  "length_penalty",
  "no_repeat_ngram_size",
  "encoder_no_repeat_ngram_size",
  "bad_words_ids",
  "num_return_sequences",
  "output_scores",
  "return_dict_in_generate",
  "forced_bos_token_id",
  "forced_eos_token_id",
  "remove_invalid_values",
  "exponential_decay_length_penalty",
  "suppress_tokens",
  "begin_suppress_tokens",
  "tf_legacy_loss",
  "pruned_heads",
  "cross_attention_hidden_size",
  "use_bfloat16",
  "xla_device",
  "num_labels",
  "output_past",
  "label_smoothing",
  "summary_type",
  "summary_use_proj",
  "summary_activation",
  "summary_last_dropout",
  "vocab_type",
]);

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

function headOf(name: string): BertHead | undefined {
  return HEADS.find((h) => name.startsWith(h + "."));
}

/**
 * Check canonical-named weights against the config: every name known, every shape right, every
 * non-head tensor present, each head whole or absent. Returns the absent heads.
 */
function checkWeights(
  weights: Map<string, TensorData>,
  config: BertConfig,
  where: string,
  says: string,
  fileName: (canonical: string) => string = (n) => n,
): BertHead[] {
  const shapes = bertTensorShapes(config);
  for (const [name, t] of weights) {
    const want = shapes.get(name);
    if (!want) {
      throw new CheckpointError(
        `${where}: unexpected tensor "${fileName(name)}" (not in a BertForPreTraining with ` +
          `${config.num_hidden_layers} layers, as ${says.replace(/ says$/, "")} describes)`,
      );
    }
    if (!sameShape(t.shape, want)) {
      throw new CheckpointError(
        `${where}: tensor "${fileName(name)}" has shape ${fmtShape(t.shape)}, ${says} ` +
          fmtShape(want),
      );
    }
  }
  const missing = [...shapes.keys()].filter((n) => !weights.has(n));
  const absentHeads = HEADS.filter((h) =>
    [...shapes.keys()].filter((n) => headOf(n) === h).every((n) => !weights.has(n))
  );
  const reallyMissing = missing.filter((n) => {
    const h = headOf(n);
    return h === undefined || !absentHeads.includes(h);
  });
  if (reallyMissing.length > 0) {
    const more = reallyMissing.length > 1 ? ` (and ${reallyMissing.length - 1} more)` : "";
    throw new CheckpointError(`${where}: tensor "${reallyMissing[0]}" is missing${more}`);
  }
  return absentHeads;
}

function checkPlainJson(v: unknown, what: string): void {
  let text: string | undefined;
  try {
    text = JSON.stringify(v);
  } catch (e) {
    throw new TypeError(`${what} is not JSON: ${(e as Error).message}`, { cause: e });
  }
  if (text === undefined) throw new TypeError(`${what} is not JSON`);
}

async function writeSynced(path: string, data: string): Promise<void> {
  using file = await Deno.open(path, { write: true, create: true, truncate: true });
  const bytes = new TextEncoder().encode(data);
  let off = 0;
  while (off < bytes.length) off += await file.write(bytes.subarray(off));
  await file.sync();
}

/**
 * Save a checkpoint as a Hugging Face model folder that `transformers` loads as
 * `BertForPreTraining`, atomically: everything is written into a hidden sibling folder, which then
 * replaces `dir` (the old folder is renamed away first and deleted last), so a crash leaves the old
 * checkpoint or the new one, never a mix. The folder is replaced whole: files that were in it
 * and are not part of the new checkpoint are gone.
 *
 * @param dir the checkpoint folder; if it exists it must be empty or hold a `config.json`.
 * @param ck the config, weights (`BertForPreTraining` names; `cls.predictions.decoder.weight` is
 *   tied and not written), vocabulary, optional run facts and optional training state.
 * @throws {CheckpointError} on unknown names, wrong shapes, missing tensors, a vocabulary of the
 *   wrong size, or a `dir` that is not a checkpoint folder; {TypeError} for non-JSON `meta`.
 *
 * @example
 * ```ts ignore
 * import { loadCheckpoint, saveCheckpoint } from "@cohesive/shared";
 * await saveCheckpoint("checkpoints/mini", { config, weights, vocab, meta: { step: 1000 } });
 * const ck = await loadCheckpoint("checkpoints/mini");
 * ```
 */
export async function saveCheckpoint(dir: string, ck: Checkpoint): Promise<void> {
  const target = resolve(dir);
  const base = basename(target);
  const parent = dirname(target);
  if (base === "" || target === parent) {
    throw new CheckpointError(`${dir}: cannot be a checkpoint folder`);
  }
  const config = resolveBertConfig({ ...ck.config }, `${dir}/config.json`);
  checkWeights(ck.weights, config, dir, "config says");
  if (!Array.isArray(ck.vocab) || ck.vocab.length !== config.vocab_size) {
    throw new CheckpointError(
      `${dir}: vocab has ${ck.vocab?.length} tokens, config says vocab_size ${config.vocab_size}`,
    );
  }
  const badToken = ck.vocab.findIndex((t) => typeof t !== "string" || /[\r\n]/.test(t));
  if (badToken >= 0) {
    throw new CheckpointError(`${dir}: vocab token ${badToken} is not a one-line string`);
  }
  const meta = ck.meta ?? {};
  checkPlainJson(meta, "checkpoint meta");
  for (const k of ["format", "version"]) {
    if (k in meta) throw new TypeError(`checkpoint meta may not use the reserved key "${k}"`);
  }

  const existing = await Deno.stat(target).catch((e) => {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  });
  if (existing) {
    if (!existing.isDirectory) throw new CheckpointError(`${dir}: exists and is not a folder`);
    const names: string[] = [];
    for await (const entry of Deno.readDir(target)) names.push(entry.name);
    if (names.length > 0 && !names.includes("config.json")) {
      throw new CheckpointError(
        `${dir}: exists and is not a checkpoint folder (no config.json); refusing to replace it`,
      );
    }
  }

  const hfConfig: Record<string, unknown> = { architectures: ["BertForPreTraining"] };
  for (const k of Object.keys(DEFAULT_BERT_CONFIG) as (keyof BertConfig)[]) hfConfig[k] = config[k];
  hfConfig.position_embedding_type = "absolute";
  hfConfig.torch_dtype = "float32";
  hfConfig.cohesive = { format: CHECKPOINT_FORMAT, version: CHECKPOINT_VERSION, ...meta };

  await writeDirAtomic(target, async (tmp) => {
    await writeSafetensorsFile(join(tmp, "model.safetensors"), ck.weights, { format: "pt" });
    await writeSynced(join(tmp, "vocab.txt"), ck.vocab.join("\n") + "\n");
    if (ck.trainingState) await saveTrainingState(tmp, ck.trainingState);
    await writeSynced(join(tmp, "config.json"), JSON.stringify(hfConfig, null, 2) + "\n");
  });
}

/** Map a tensor name in a file to its `BertForPreTraining` name, or `null` for ignored buffers. */
function canonicalName(name: string): string | null {
  let n = name;
  if (n.endsWith(".gamma")) n = n.slice(0, -".gamma".length) + ".weight";
  else if (n.endsWith(".beta")) n = n.slice(0, -".beta".length) + ".bias";
  if (/^(embeddings|encoder|pooler)\./.test(n)) n = "bert." + n;
  if (n.endsWith(".position_ids") || n === "bert.embeddings.token_type_ids") return null;
  return n;
}

async function readJson(path: string): Promise<unknown> {
  const text = await Deno.readTextFile(path);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new CheckpointError(`${path}: not valid JSON (${(e as Error).message})`, { cause: e });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return false;
    throw e;
  }
}

/** Read `config.json`: the resolved config, the cohesive meta, and whether it is foreign. */
async function loadConfig(
  dir: string,
): Promise<{ config: BertConfig; meta: Record<string, unknown>; foreign: boolean }> {
  const path = join(dir, "config.json");
  if (!(await exists(path))) {
    throw new CheckpointError(
      `${path}: missing (a checkpoint folder holds config.json, model.safetensors and vocab.txt)`,
    );
  }
  const json = await readJson(path);
  if (!isRecord(json)) throw new CheckpointError(`${path}: not a JSON object`);
  const foreign = !("cohesive" in json);
  let meta: Record<string, unknown> = {};
  let fields: Record<string, unknown> = json;
  if (!foreign) {
    const c = json.cohesive;
    if (!isRecord(c)) throw new CheckpointError(`${path}: "cohesive" is not an object`);
    if (c.format !== CHECKPOINT_FORMAT) {
      throw new CheckpointError(
        `${path}: cohesive.format is ${JSON.stringify(c.format)}, expected "${CHECKPOINT_FORMAT}"`,
      );
    }
    if (!Number.isSafeInteger(c.version) || (c.version as number) < 1) {
      throw new CheckpointError(
        `${path}: cohesive.version ${JSON.stringify(c.version)} is not a format version`,
      );
    }
    if ((c.version as number) > CHECKPOINT_VERSION) {
      throw new CheckpointError(
        `${path}: checkpoint format version ${c.version} is newer than this cohesive reads ` +
          `(${CHECKPOINT_VERSION}); update cohesive`,
      );
    }
    const { format: _f, version: _v, ...rest } = c;
    meta = rest;
  } else {
    // A Hugging Face folder: drop the generic keys every HF config carries, and nulls.
    fields = Object.fromEntries(
      Object.entries(json).filter(([k, v]) => !HF_GENERIC_KEYS.has(k) && v !== null),
    );
  }
  if ("model_type" in json && json.model_type !== "bert") {
    throw new CheckpointError(
      `${path}: model_type ${JSON.stringify(json.model_type)} is not supported (BERT only)`,
    );
  }
  const pet = json.position_embedding_type;
  if (pet !== undefined && pet !== null && pet !== "absolute") {
    throw new CheckpointError(
      `${path}: position_embedding_type ${JSON.stringify(pet)} is not supported (absolute only)`,
    );
  }
  try {
    return { config: resolveBertConfig(fields, path), meta, foreign };
  } catch (e) {
    if (e instanceof TypeError || e instanceof RangeError) {
      throw new CheckpointError(e.message, { cause: e });
    }
    throw e;
  }
}

/** Read every tensor of the folder (single file or sharded), keyed by the name in the file. */
async function loadTensors(
  dir: string,
): Promise<{ tensors: Map<string, SafetensorsTensor>; file: string }> {
  const single = join(dir, "model.safetensors");
  const index = join(dir, "model.safetensors.index.json");
  const parse = (bytes: Uint8Array, path: string) => {
    try {
      return readSafetensors(bytes, path).tensors;
    } catch (e) {
      if (e instanceof SafetensorsError) throw new CheckpointError(e.message, { cause: e });
      throw e;
    }
  };
  if (await exists(single)) {
    return { tensors: parse(await Deno.readFile(single), single), file: single };
  }
  if (await exists(index)) {
    const json = await readJson(index);
    const map = isRecord(json) ? json.weight_map : undefined;
    if (!isRecord(map)) throw new CheckpointError(`${index}: no "weight_map" object`);
    const tensors = new Map<string, SafetensorsTensor>();
    for (const shard of new Set(Object.values(map))) {
      if (typeof shard !== "string" || shard.includes("/") || shard.includes("\\")) {
        throw new CheckpointError(`${index}: bad shard name ${JSON.stringify(shard)}`);
      }
      const path = join(dir, shard);
      if (!(await exists(path))) {
        throw new CheckpointError(`${path}: missing (listed in model.safetensors.index.json)`);
      }
      for (const [name, t] of parse(await Deno.readFile(path), path)) {
        if (tensors.has(name)) {
          throw new CheckpointError(`${path}: tensor "${name}" is also in another shard`);
        }
        tensors.set(name, t);
      }
    }
    return { tensors, file: index };
  }
  for (const other of ["pytorch_model.bin", "tf_model.h5", "flax_model.msgpack"]) {
    if (await exists(join(dir, other))) {
      const convert = other === "pytorch_model.bin"
        ? `; convert it with: python -c "import torch; from safetensors.torch import save_file; ` +
          `sd = torch.load('${dir}/pytorch_model.bin', map_location='cpu'); ` +
          `save_file({k: v.clone().contiguous() for k, v in sd.items()}, ` +
          `'${dir}/model.safetensors', metadata={'format': 'pt'})"`
        : "; re-save the model with transformers' save_pretrained(dir, safe_serialization=True)";
      throw new CheckpointError(
        `${join(dir, other)}: cohesive reads model.safetensors only${convert}`,
      );
    }
  }
  throw new CheckpointError(`${single}: missing (no model weights in ${dir})`);
}

function sameData(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/**
 * Load a checkpoint folder written by {@link saveCheckpoint}, or a Hugging Face BERT folder
 * unchanged: `BertModel` names without the `bert.` prefix, legacy `LayerNorm.gamma`/`beta`,
 * `*.position_ids` buffers (ignored), a tied `cls.predictions.decoder.weight` (ignored, with a
 * warning when it differs from the word embeddings), sharded `model.safetensors.index.json`, and
 * absent heads (reported in `missingHeads`; the model initialises them). Every tensor's shape is
 * checked against `config.json`.
 *
 * @param dir the checkpoint folder.
 * @throws {CheckpointError} with one line naming the file and the problem: a missing folder or
 *   file, only `pytorch_model.bin` (with the command that converts it), a truncated or malformed
 *   safetensors file, a wrong shape, a missing tensor, a vocabulary of the wrong size, an unknown
 *   format or version, or absent heads when `requireHeads` is set.
 *
 * @example
 * ```ts ignore
 * import { loadCheckpoint } from "@cohesive/shared";
 * const { config, weights, vocab, missingHeads } = await loadCheckpoint("checkpoints/mini");
 * ```
 */
export async function loadCheckpoint(
  dir: string,
  opts: LoadCheckpointOptions = {},
): Promise<LoadedCheckpoint> {
  const warnings: string[] = [];
  const warn = (m: string) => {
    warnings.push(m);
    (opts.onWarning ?? console.warn)(m);
  };
  await requireCheckpointFolder(dir);
  const { config, meta, foreign } = await loadConfig(dir);
  const { tensors, file } = await loadTensors(dir);
  const { weights, extra, fileNames, decoder } = sortTensors(tensors, config, file, warn);
  const missingHeads = checkWeights(
    weights,
    config,
    file,
    "config.json says",
    (n) => fileNames.get(n) ?? n,
  );
  if (opts.requireHeads && missingHeads.length > 0) {
    throw new CheckpointError(
      `${file}: no ${missingHeads.join(", ")} head${missingHeads.length > 1 ? "s" : ""} ` +
        `(an encoder-only checkpoint), but heads were required`,
    );
  }
  if (decoder) {
    const emb = weights.get("bert.embeddings.word_embeddings.weight")!;
    if (!sameShape(decoder.shape, emb.shape) || !sameData(decoder.data, emb.data)) {
      warn(
        `${file}: cls.predictions.decoder.weight differs from the word embeddings; cohesive ` +
          `ties them and uses bert.embeddings.word_embeddings.weight`,
      );
    }
  }
  if (extra.size > 0) {
    warn(
      `${file}: ${extra.size} tensor${extra.size > 1 ? "s are" : " is"} not part of ` +
        `BertForPreTraining and kept aside: ${[...extra.keys()].slice(0, 5).join(", ")}` +
        (extra.size > 5 ? ", ..." : ""),
    );
  }
  const vocab = await readVocab(dir, config, warn);
  return { config, weights, vocab, meta, missingHeads, extra, foreign, warnings };
}

/**
 * @throws {CheckpointError} when `dir` is missing (naming what an interrupted save left) or is not
 *   a folder.
 */
async function requireCheckpointFolder(dir: string): Promise<void> {
  const st = await Deno.stat(dir).catch((e) => {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  });
  if (!st) {
    const target = resolve(dir);
    const leftovers: string[] = [];
    try {
      for await (const e of Deno.readDir(dirname(target))) {
        if (e.name.startsWith(`.${basename(target)}.old-`)) leftovers.push(e.name);
      }
    } catch { /* no parent folder either */ }
    const hint = leftovers.length > 0
      ? `; an interrupted save left ${join(dirname(dir), leftovers[0])}: rename it to ${dir}`
      : "";
    throw new CheckpointError(`${dir}: no such checkpoint folder${hint}`);
  }
  if (!st.isDirectory) {
    throw new CheckpointError(`${dir}: not a folder (give the folder that holds config.json)`);
  }
}

/**
 * The file's tensors under their `BertForPreTraining` names, the ones outside it (`extra`), and
 * the tied decoder (compared by the caller); the decoder bias stands in for a missing MLM bias.
 */
function sortTensors(
  tensors: Map<string, SafetensorsTensor>,
  config: BertConfig,
  file: string,
  warn: (m: string) => void,
): {
  weights: Map<string, TensorData>;
  extra: Map<string, TensorData>;
  fileNames: Map<string, string>;
  decoder: SafetensorsTensor | undefined;
} {
  const weights = new Map<string, TensorData>();
  const extra = new Map<string, TensorData>();
  const fileNames = new Map<string, string>();
  const shapes = bertTensorShapes(config);
  let decoder: SafetensorsTensor | undefined;
  let decoderBias: SafetensorsTensor | undefined;
  for (const [name, t] of tensors) {
    const canon = canonicalName(name);
    if (canon === null) continue;
    if (canon === "cls.predictions.decoder.weight") decoder = t;
    else if (canon === "cls.predictions.decoder.bias") decoderBias = t;
    else if (!shapes.has(canon) && !canon.startsWith("bert.") && !canon.startsWith("cls.")) {
      extra.set(name, { shape: t.shape, data: t.data });
    } else if (weights.has(canon)) {
      throw new CheckpointError(
        `${file}: tensor "${canon}" appears twice (as "${fileNames.get(canon)}" and "${name}")`,
      );
    } else {
      weights.set(canon, { shape: t.shape, data: t.data });
      fileNames.set(canon, name);
    }
  }
  if (decoderBias) {
    const bias = weights.get("cls.predictions.bias");
    if (!bias) {
      weights.set("cls.predictions.bias", { shape: decoderBias.shape, data: decoderBias.data });
      fileNames.set("cls.predictions.bias", "cls.predictions.decoder.bias");
    } else if (!sameData(bias.data, decoderBias.data)) {
      warn(
        `${file}: cls.predictions.decoder.bias differs from cls.predictions.bias; ` +
          `using cls.predictions.bias`,
      );
    }
  }
  return { weights, extra, fileNames, decoder };
}

/** The folder's `vocab.txt`, checked against the config; undefined (with a warning) without one. */
async function readVocab(
  dir: string,
  config: BertConfig,
  warn: (m: string) => void,
): Promise<string[] | undefined> {
  const vocabPath = join(dir, "vocab.txt");
  if (!(await exists(vocabPath))) {
    warn(`${dir}: no vocab.txt; the tokenizer's vocabulary must come from elsewhere`);
    return undefined;
  }
  const vocab = parseVocabTxt(await Deno.readTextFile(vocabPath));
  if (vocab.length !== config.vocab_size) {
    throw new CheckpointError(
      `${vocabPath}: ${vocab.length} tokens, config.json says vocab_size ${config.vocab_size}`,
    );
  }
  return vocab;
}
