/**
 * The training loop every job shares: micro-batches, gradient accumulation, clipping, AdamW on
 * the warm-up/decay schedule, a JSONL metrics log, a progress bar, and checkpoints that resume
 * bit-exactly (weights, optimizer moments, step, data position and RNG).
 *
 * A run folder holds `config.json` (the resolved run config), `metrics.jsonl`,
 * `checkpoint-<step>/` (Hugging Face layout + training state) and `latest.json`, the commit point
 * naming the newest complete checkpoint (written atomically after the checkpoint).
 *
 * @module
 */
import { join } from "node:path";
import { type Scalar, type Tensor, tf } from "./runtime.ts";
import type { BertModel } from "./model.ts";
import { AdamW, clipByGlobalNorm, GradAccumulator, linearWarmupDecay } from "./optim.ts";
import { MetricsLog } from "./metrics_log.ts";
import { Progress } from "./progress.ts";
import { writeFileAtomic } from "./atomic.ts";
import { saveCheckpoint } from "./checkpoint.ts";
import { loadTrainingState, saveTrainingState } from "./training_state.ts";

/** Optimisation settings of a run. */
export interface TrainConfig {
  /** Optimizer updates to run. */
  steps: number;
  /** Peak learning rate. */
  lr: number;
  /** Warm-up updates (linear from 0 to `lr`), then linear decay to 0. */
  warmupSteps: number;
  /** AdamW decoupled weight decay (not on biases and LayerNorm). */
  weightDecay: number;
  /** Clip the global gradient norm to this; 0 disables. */
  clipNorm: number;
  /** Micro-batches accumulated per update. */
  accumSteps: number;
  /** Seed of dropout (and of the data hooks, by convention). */
  seed: number;
  /** Save a checkpoint every this many updates (and at the end); 0: only at the end. */
  saveEvery: number;
  /** Log training loss every this many updates. */
  logEvery: number;
  /** Run `evaluate` every this many updates; 0: never. */
  evalEvery: number;
}

/** What a job plugs into {@link train}. */
export interface TrainHooks<M> {
  /** The next micro-batch (host data). */
  next(): Promise<M>;
  /** Loss of one micro-batch; runs inside the gradient tape. `seed` drives dropout. */
  loss(micro: M, seed: number): Scalar;
  /** The data position, JSON-serialisable (saved with checkpoints). */
  dataState(): unknown;
  /** Restore a position from {@link TrainHooks.dataState}. */
  restoreData(state: unknown): void;
  /** Held-out metrics, e.g. `{ eval_loss }`. */
  evaluate?(step: number): Promise<Record<string, number>>;
  /** Extra values per micro-batch to report (e.g. tokens), summed per update. */
  count?(micro: M): Record<string, number>;
}

/** Result of {@link train}. */
export interface TrainResult {
  /** Last step reached. */
  step: number;
  /** Whether the run stopped early (interrupt). */
  interrupted: boolean;
  /** Training loss of each update, in order (from this process). */
  losses: number[];
}

/** Options of {@link train}. */
export interface TrainOptions {
  /** Vocabulary written into checkpoints. */
  vocab: string[];
  /** Continue from the run folder's `latest.json`. */
  resume?: boolean;
  /**
   * Stop (after saving) when this aborts. Default: the first Ctrl-C or SIGTERM during the run
   * (a second one exits at once).
   */
  signal?: AbortSignal;
  /** Show progress (default true). */
  progress?: boolean;
  /** Extra metadata for checkpoints. */
  meta?: Record<string, unknown>;
  /** Keep this many checkpoints (default 2). */
  keep?: number;
  /** Called after every update with its step and loss. */
  onStep?: (step: number, loss: number) => void;
  /**
   * Pause at this step (saving a checkpoint) though the schedule runs to `cfg.steps`: a budget cut
   * that `resume` continues exactly. Default: `cfg.steps`.
   */
  stopAt?: number;
}

/** Where the newest complete checkpoint of a run folder is, or undefined. */
export async function latestCheckpoint(runDir: string): Promise<string | undefined> {
  try {
    const j = JSON.parse(await Deno.readTextFile(join(runDir, "latest.json")));
    return join(runDir, j.checkpoint);
  } catch {
    return undefined;
  }
}

/**
 * Train `model` with `hooks` into the run folder `runDir`.
 *
 * @throws {Deno.errors.NotFound} when `resume` is set and the folder has no checkpoint.
 */
export async function train<M>(
  model: BertModel,
  runDir: string,
  cfg: TrainConfig,
  hooks: TrainHooks<M>,
  opts: TrainOptions,
): Promise<TrainResult> {
  const own = opts.signal ? undefined : interruptSignal();
  try {
    return await trainLoop(model, runDir, cfg, hooks, {
      ...opts,
      signal: opts.signal ?? own!.signal,
    });
  } finally {
    own?.dispose();
  }
}

/** `checkpoint-N` folders of `runDir` with N <= `upTo`, by step. */
async function earlierCheckpoints(runDir: string, upTo: number): Promise<string[]> {
  const found: [number, string][] = [];
  for await (const e of Deno.readDir(runDir)) {
    const m = /^checkpoint-(\d+)$/.exec(e.name);
    if (e.isDirectory && m && Number(m[1]) <= upTo) {
      found.push([Number(m[1]), join(runDir, e.name)]);
    }
  }
  return found.sort((a, b) => a[0] - b[0]).map(([, d]) => d);
}

async function trainLoop<M>(
  model: BertModel,
  runDir: string,
  cfg: TrainConfig,
  hooks: TrainHooks<M>,
  opts: TrainOptions & { signal: AbortSignal },
): Promise<TrainResult> {
  await Deno.mkdir(runDir, { recursive: true });
  const opt = new AdamW(model.params, { weightDecay: cfg.weightDecay });
  const log = new MetricsLog(join(runDir, "metrics.jsonl"));
  const step0 = opts.resume ? await restoreRun(model, runDir, opt, hooks, log) : 0;
  let step = step0;

  const losses: number[] = [];
  const bar = opts.progress === false
    ? undefined
    : new Progress("train", cfg.steps, { start: step0 });
  const acc = new GradAccumulator();
  const keep = opts.keep ?? 2;
  // Checkpoints already in the folder (earlier processes of a resumed run, their Ctrl-C saves)
  // count towards `keep`, oldest first, so a run resumed many times does not pile them up.
  const saved: string[] = opts.resume ? await earlierCheckpoints(runDir, step0) : [];
  const save = async () => {
    const name = `checkpoint-${step}`;
    const dir = join(runDir, name);
    await saveCheckpoint(dir, {
      config: model.config,
      weights: await model.weights(),
      vocab: opts.vocab,
      meta: { ...opts.meta, step },
    });
    await saveTrainingState(dir, {
      step,
      rng: { seed: cfg.seed },
      dataPosition: hooks.dataState(),
      optimizer: await opt.state(),
    });
    await writeFileAtomic(join(runDir, "latest.json"), JSON.stringify({ checkpoint: name, step }));
    saved.push(dir);
    while (saved.length > keep) await Deno.remove(saved.shift()!, { recursive: true });
  };

  let interrupted = false;
  let t0 = performance.now();
  let counts: Record<string, number> = {};
  const until = Math.min(cfg.steps, opts.stopAt ?? cfg.steps);
  while (step < until) {
    if (opts.signal?.aborted) {
      interrupted = true;
      break;
    }
    const lossSum = await accumulateGrads(model, hooks, cfg, step, acc, counts);
    const mean = acc.mean();
    const { grads, norm } = await clipByGlobalNorm(mean, cfg.clipNorm);
    tf.dispose([...mean.values()]);
    const lr = linearWarmupDecay(step, cfg.lr, cfg.warmupSteps, cfg.steps);
    opt.apply(grads, lr);
    tf.dispose([...grads.values()]);
    step++;
    const loss = lossSum / cfg.accumSteps;
    losses.push(loss);
    opts.onStep?.(step, loss);
    const secs = (performance.now() - t0) / 1000;
    bar?.tick(1, {
      loss,
      ...(counts.tokens ? { "tok/s": Math.round(counts.tokens / secs) } : {}),
    });
    if (step % cfg.logEvery === 0 || step === cfg.steps) {
      await log.log({ step, loss, lr, grad_norm: norm, ...counts, secs });
      counts = {};
      t0 = performance.now();
    }
    if (hooks.evaluate && cfg.evalEvery > 0 && step % cfg.evalEvery === 0) {
      await log.log({ step, ...(await hooks.evaluate(step)) });
    }
    if (cfg.saveEvery > 0 && step % cfg.saveEvery === 0 && step < until) await save();
  }
  bar?.done();
  await save();
  opt.dispose();
  return { step, interrupted, losses };
}

/** Load the latest checkpoint of `runDir` into the model, optimizer and data; returns its step. */
async function restoreRun<M>(
  model: BertModel,
  runDir: string,
  opt: AdamW,
  hooks: TrainHooks<M>,
  log: MetricsLog,
): Promise<number> {
  const dir = await latestCheckpoint(runDir);
  if (!dir) throw new Deno.errors.NotFound(`${runDir}: no checkpoint to resume from`);
  const st = await loadTrainingState(dir);
  const { loadCheckpoint } = await import("./checkpoint.ts");
  const ck = await loadCheckpoint(dir);
  for (const [name, v] of model.params) {
    const w = ck.weights.get(name);
    if (!w) throw new RangeError(`${dir}: checkpoint lacks "${name}"`);
    tf.tidy(() => v.assign(tf.tensor(w.data, w.shape, "float32")));
  }
  opt.loadState(st.optimizer, st.step);
  hooks.restoreData(st.dataPosition);
  await log.truncateAfter(st.step);
  return st.step;
}

/**
 * Run the `accumSteps` micro-batches of one step, adding their gradients to `acc` and their
 * `count`s to `counts`; returns the sum of their losses.
 */
async function accumulateGrads<M>(
  model: BertModel,
  hooks: TrainHooks<M>,
  cfg: TrainConfig,
  step: number,
  acc: GradAccumulator,
  counts: Record<string, number>,
): Promise<number> {
  let lossSum = 0;
  for (let micro = 0; micro < cfg.accumSteps; micro++) {
    const batch = await hooks.next();
    for (const [k, v] of Object.entries(hooks.count?.(batch) ?? {})) {
      counts[k] = (counts[k] ?? 0) + v;
    }
    const seed = (cfg.seed * 1_000_003 + step * cfg.accumSteps + micro) >>> 0;
    const { value, grads } = tf.variableGrads(() => hooks.loss(batch, seed));
    lossSum += (await value.data())[0];
    value.dispose();
    const named = new Map<string, Tensor>();
    for (const [name, v] of model.params) if (grads[v.name]) named.set(name, grads[v.name]);
    acc.add(named);
    tf.dispose(grads);
  }
  return lossSum;
}

/**
 * An AbortSignal that fires on the first Ctrl-C (SIGINT) or SIGTERM; a second one exits at once.
 * Call the returned `dispose` when the job ends.
 */
export function interruptSignal(): { signal: AbortSignal; dispose: () => void } {
  const ctl = new AbortController();
  const handler = () => {
    if (ctl.signal.aborted) Deno.exit(130);
    console.error("\ninterrupt: saving a checkpoint, then stopping (Ctrl-C again to quit now)");
    ctl.abort();
  };
  const sigs: Deno.Signal[] = Deno.build.os === "windows" ? ["SIGINT"] : ["SIGINT", "SIGTERM"];
  for (const s of sigs) Deno.addSignalListener(s, handler);
  return {
    signal: ctl.signal,
    dispose: () => {
      for (const s of sigs) Deno.removeSignalListener(s, handler);
    },
  };
}

/**
 * The resolved config of a run folder: with `resume`, the config saved in its `run.json`
 * (re-resolved, so a hand-edited typo is still caught); otherwise `partial` resolved, provided the
 * folder holds no run yet.
 *
 * @throws {Deno.errors.NotFound} when resuming a folder without `run.json`.
 * @throws {Deno.errors.AlreadyExists} when starting over a folder that holds a run.
 */
export async function resolveRunConfig<C>(
  runDir: string,
  partial: Record<string, unknown>,
  resume: boolean | undefined,
  resolve: (partial: Record<string, unknown>, source: string) => C,
): Promise<C> {
  const runFile = join(runDir, "run.json");
  if (resume) {
    let saved: Record<string, unknown>;
    try {
      saved = JSON.parse(await Deno.readTextFile(runFile)).config;
    } catch {
      throw new Deno.errors.NotFound(
        `${runDir}: not a run folder (no run.json) — nothing to resume`,
      );
    }
    return resolve(saved, runFile);
  }
  const cfg = resolve(partial, "run config");
  if (await latestCheckpoint(runDir)) {
    throw new Deno.errors.AlreadyExists(
      `${runDir} already holds a run: pass --resume to continue it or choose another --out`,
    );
  }
  return cfg;
}
