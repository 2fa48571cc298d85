/**
 * Exact-resume training state: the step, the random generator's state, the position in the data
 * and the optimizer's moments, saved beside a checkpoint so a run continues bit for bit.
 *
 * Files: `training_state.json` (format `cohesive-train-state`, version 1) and
 * `optimizer.safetensors` (float32, bit-exact).
 *
 * @module
 */
import { join } from "node:path";
import { writeAtomic, writeFileAtomic } from "./atomic.ts";
import {
  readSafetensors,
  SafetensorsError,
  type TensorData,
  writeSafetensorsFile,
} from "./safetensors.ts";

/** The `format` written into `training_state.json`. */
export const TRAINING_STATE_FORMAT = "cohesive-train-state";
/** The newest `training_state.json` version this code reads and the one it writes. */
export const TRAINING_STATE_VERSION = 1;

const STATE_FILE = "training_state.json";
const OPTIMIZER_FILE = "optimizer.safetensors";

/** Everything needed to resume a run exactly where it stopped. */
export interface TrainingState {
  /** Optimizer steps taken so far (a non-negative integer). */
  step: number;
  /**
   * The random generator's state, as plain JSON (numbers, strings, booleans, null, arrays,
   * objects): store typed arrays as `Array.from(state)` and 64-bit words as strings.
   */
  rng: unknown;
  /** Where the data stream stands (epoch, shard, offset, shuffle seed, ...), as plain JSON. */
  dataPosition: unknown;
  /** Optimizer tensors by name, e.g. `m/<param>` and `v/<param>` for Adam's moments. */
  optimizer: Map<string, TensorData>;
  /** Anything else to carry across a resume (schedule state, best metric, ...), as plain JSON. */
  extra?: Record<string, unknown>;
}

/** A training state that cannot be read back; the message names the file and the problem. */
export class TrainingStateError extends Error {
  /**
   * Create the error.
   *
   * @param message one line: `<file>: <problem>`.
   * @param options standard error options (`cause`).
   */
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "TrainingStateError";
  }
}

/** Throw a TypeError unless `v` survives a JSON round trip unchanged. */
function checkJson(v: unknown, path: string): void {
  if (v === null || typeof v === "string" || typeof v === "boolean") return;
  if (typeof v === "number") {
    if (!Number.isFinite(v)) {
      throw new TypeError(`training state ${path} is ${v}, which JSON cannot hold`);
    }
    return;
  }
  if (Array.isArray(v)) {
    v.forEach((x, i) => checkJson(x, `${path}[${i}]`));
    return;
  }
  if (typeof v === "object") {
    const proto = Object.getPrototypeOf(v);
    if (proto !== Object.prototype && proto !== null) {
      const kind = (v as object).constructor?.name ?? "object";
      throw new TypeError(
        `training state ${path} is a ${kind}; store plain JSON (e.g. Array.from(...) for typed arrays)`,
      );
    }
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) checkJson(x, `${path}.${k}`);
    return;
  }
  throw new TypeError(`training state ${path} is a ${typeof v}, which JSON cannot hold`);
}

/**
 * Save a training state into `dir` (created if needed): `optimizer.safetensors` first, then
 * `training_state.json`, each written atomically. Both carry one save id, so a crash between the
 * two writes is detected by {@link loadTrainingState} instead of resuming with mismatched moments.
 * To save weights and training state as one atomic unit, pass the state to `saveCheckpoint`.
 *
 * @throws {TypeError} when `step` is not a non-negative integer or `rng`, `dataPosition` or
 *   `extra` is not plain JSON; the errors of `writeSafetensors` for bad optimizer tensors.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { loadTrainingState, saveTrainingState } from "@cohesive/shared";
 * const dir = await Deno.makeTempDir();
 * const m = { shape: [2], data: new Float32Array([0.1, -0.2]) };
 * await saveTrainingState(dir, {
 *   step: 10,
 *   rng: { seed: 1, s: [1, 2, 3, 4] },
 *   dataPosition: { epoch: 0, offset: 320 },
 *   optimizer: new Map([["m/w", m]]),
 * });
 * const back = await loadTrainingState(dir);
 * assert.equal(back.step, 10);
 * assert.deepEqual(back.optimizer.get("m/w"), m);
 * ```
 */
export async function saveTrainingState(dir: string, st: TrainingState): Promise<void> {
  if (!Number.isSafeInteger(st.step) || st.step < 0) {
    throw new TypeError(`training state step must be a non-negative integer, got ${st.step}`);
  }
  if (st.rng === undefined) throw new TypeError("training state rng is missing");
  if (st.dataPosition === undefined) throw new TypeError("training state dataPosition is missing");
  checkJson(st.rng, "rng");
  checkJson(st.dataPosition, "dataPosition");
  checkJson(st.extra ?? {}, "extra");
  if (!(st.optimizer instanceof Map)) {
    throw new TypeError("training state optimizer must be a Map of tensors");
  }
  await Deno.mkdir(dir, { recursive: true });
  const saveId = crypto.randomUUID();
  const optPath = join(dir, OPTIMIZER_FILE);
  await writeAtomic(optPath, (tmp) =>
    writeSafetensorsFile(tmp, st.optimizer, {
      format: TRAINING_STATE_FORMAT,
      save_id: saveId,
      step: String(st.step),
    }));
  const json = {
    format: TRAINING_STATE_FORMAT,
    version: TRAINING_STATE_VERSION,
    step: st.step,
    rng: st.rng,
    dataPosition: st.dataPosition,
    extra: st.extra ?? {},
    optimizer: { file: OPTIMIZER_FILE, tensors: st.optimizer.size, save_id: saveId },
  };
  await writeFileAtomic(join(dir, STATE_FILE), JSON.stringify(json, null, 2) + "\n");
}

/**
 * Load the training state saved in `dir` by {@link saveTrainingState} (or `saveCheckpoint` with a
 * `trainingState`). Optimizer tensors come back bit-exact.
 *
 * @throws {TrainingStateError} with one line naming the file and the problem: no state saved,
 *   bad JSON, another format, a newer version, a missing or malformed `optimizer.safetensors`, or
 *   the two files coming from different saves.
 */
export async function loadTrainingState(dir: string): Promise<TrainingState> {
  const statePath = join(dir, STATE_FILE);
  let text: string;
  try {
    text = await Deno.readTextFile(statePath);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new TrainingStateError(
        `${statePath}: missing; no training state was saved here, so the run cannot resume exactly`,
        { cause: e },
      );
    }
    throw e;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new TrainingStateError(`${statePath}: not valid JSON (${(e as Error).message})`, {
      cause: e,
    });
  }
  const fail = (problem: string) => new TrainingStateError(`${statePath}: ${problem}`);
  if (typeof json !== "object" || json === null || Array.isArray(json)) {
    throw fail("not a JSON object");
  }
  const j = json as Record<string, unknown>;
  if (j.format !== TRAINING_STATE_FORMAT) {
    throw fail(`format is ${JSON.stringify(j.format)}, expected "${TRAINING_STATE_FORMAT}"`);
  }
  if (!Number.isSafeInteger(j.version) || (j.version as number) < 1) {
    throw fail(`version ${JSON.stringify(j.version)} is not a format version`);
  }
  if ((j.version as number) > TRAINING_STATE_VERSION) {
    throw fail(
      `version ${j.version} is newer than this cohesive reads (${TRAINING_STATE_VERSION}); ` +
        `update cohesive`,
    );
  }
  if (!Number.isSafeInteger(j.step) || (j.step as number) < 0) {
    throw fail(`step ${JSON.stringify(j.step)} is not a non-negative integer`);
  }
  if (!("rng" in j) || !("dataPosition" in j)) throw fail("rng or dataPosition is missing");
  const opt = j.optimizer as Record<string, unknown> | undefined;
  if (typeof opt?.file !== "string" || typeof opt.save_id !== "string") {
    throw fail("optimizer entry is missing or malformed");
  }
  const optPath = join(dir, opt.file);
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(optPath);
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) {
      throw new TrainingStateError(`${optPath}: missing (training_state.json refers to it)`, {
        cause: e,
      });
    }
    throw e;
  }
  let contents;
  try {
    contents = readSafetensors(bytes, optPath);
  } catch (e) {
    if (e instanceof SafetensorsError) throw new TrainingStateError(e.message, { cause: e });
    throw e;
  }
  if (contents.metadata.save_id !== opt.save_id) {
    throw new TrainingStateError(
      `${optPath}: from a different save than training_state.json (an interrupted save?); ` +
        `resume from an older checkpoint`,
    );
  }
  const optimizer = new Map<string, TensorData>();
  for (const [name, t] of contents.tensors) {
    if (t.dtype !== "F32") {
      throw new TrainingStateError(`${optPath}: tensor "${name}" is ${t.dtype}, expected F32`);
    }
    optimizer.set(name, { shape: t.shape, data: t.data });
  }
  const extra = j.extra;
  return {
    step: j.step as number,
    rng: j.rng,
    dataPosition: j.dataPosition,
    optimizer,
    extra: typeof extra === "object" && extra !== null ? extra as Record<string, unknown> : {},
  };
}
