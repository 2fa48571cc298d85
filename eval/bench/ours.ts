/**
 * One measurement of ours, in its own process so peak memory is its own: the BERT-mini MLM
 * `train` step, `infer`, or a 3-teacher `distill` step against cached top-k teacher outputs, on
 * one backend. Prints one JSON object. Run by `deno task bench`; the PyTorch peer
 * (`peers/bert_mini.py`) does the identical work.
 *
 * @module
 */
import { parseArgs } from "node:util";
import {
  AdamW,
  BertModel,
  initRuntime,
  kdLossTopK,
  resolveBertConfig,
  Rng,
  runCli,
  sparseCrossEntropy,
  usage,
} from "@cohesive/shared";
import { tf } from "@cohesive/shared/tf";
import { mixTopK, type TeacherTopK, teacherWeights } from "@cohesive/distill";
import { bertForwardFlops } from "./flops.ts";
import { describeAdapter } from "./gpu/adapter.ts";

/** The measurement a run prints. */
export interface OursResult {
  /** `train`, `infer` or `distill`. */
  mode: string;
  /** tfjs backend. */
  backend: string;
  /** Tokens (every position of every row) per second. */
  tokens_per_s: number;
  /** Median step time. */
  step_ms: number;
  /** Peak resident memory of the process (VmHWM), MiB. */
  peak_rss_mib: number;
  /** Achieved GFLOP/s by the analytic count. */
  gflops: number;
  /** Timed steps. */
  steps: number;
  /** Rows per step. */
  batch: number;
  /** Tokens per row. */
  seq: number;
  /** Rows per accumulated micro-batch. */
  micro: number;
  /** The WebGPU adapter's description, on webgpu: whatever ran the step, named. */
  adapter?: string;
  /** With `--profile`: one more step, under `tf.profile`. */
  profile?: StepProfile;
}

/** Where one step's work goes, as `tf.profile` sees it (kernels as tfjs launches them). */
export interface StepProfile {
  /** Kernel launches in the step (a few, such as reshapes, launch nothing on the device). */
  kernels: number;
  /** The step's wall time under profiling (each kernel timed alone: slower than a plain step). */
  wall_ms: number;
  /** Sum of the kernels' own times, where the backend's timer gives them. */
  kernel_ms?: number;
  /** Bytes of tensors the step left allocated, and the peak during it. */
  new_bytes: number;
  /** Peak bytes of tensors during the step. */
  peak_bytes: number;
  /** The kernels by total time (or count), at most 12. */
  top: { name: string; count: number; ms?: number }[];
  /** Why profiling failed, when it did (the timing above stands). */
  error?: string;
}

/** Runs `f` once under `tf.profile` and summarises the kernels it launched. */
async function profileStep(f: () => Promise<void>): Promise<StepProfile> {
  const t0 = performance.now();
  try {
    const info = await tf.profile(async () => {
      await f();
      return [];
    });
    const by = new Map<string, { name: string; count: number; ms?: number }>();
    let total: number | undefined;
    for (const k of info.kernels) {
      const e = by.get(k.name) ?? { name: k.name, count: 0 };
      e.count++;
      const ms = k.kernelTimeMs as unknown;
      if (typeof ms === "number" && Number.isFinite(ms)) {
        e.ms = (e.ms ?? 0) + ms;
        total = (total ?? 0) + ms;
      }
      by.set(k.name, e);
    }
    const top = [...by.values()]
      .sort((a, b) => (b.ms ?? 0) - (a.ms ?? 0) || b.count - a.count)
      .slice(0, 12);
    return {
      kernels: info.kernels.length,
      wall_ms: performance.now() - t0,
      kernel_ms: total,
      new_bytes: info.newBytes,
      peak_bytes: info.peakBytes,
      top,
    };
  } catch (e) {
    return {
      kernels: 0,
      wall_ms: performance.now() - t0,
      new_bytes: 0,
      peak_bytes: 0,
      top: [],
      error: (e as Error).message.split("\n")[0],
    };
  }
}

async function peakRssMiB(): Promise<number> {
  try {
    const s = await Deno.readTextFile("/proc/self/status");
    return Number(/VmHWM:\s+(\d+)/.exec(s)?.[1] ?? 0) / 1024;
  } catch {
    return Deno.memoryUsage().rss / 2 ** 20;
  }
}

async function main() {
  const { values } = usage(() =>
    parseArgs({
      args: Deno.args,
      options: {
        backend: { type: "string", default: "wasm" },
        mode: { type: "string", default: "train" },
        steps: { type: "string", default: "3" },
        warmup: { type: "string", default: "1" },
        batch: { type: "string", default: "32" },
        seq: { type: "string", default: "128" },
        teachers: { type: "string", default: "3" },
        topk: { type: "string", default: "64" },
        micro: { type: "string" },
        profile: { type: "boolean", default: false },
      },
    })
  );
  const B = Number(values.batch), T = Number(values.seq), steps = Number(values.steps);
  const warmup = Number(values.warmup), K = Number(values.teachers), k = Number(values.topk);
  // Rows per micro-batch: a training step of B rows runs as B / micro accumulated micro-batches
  // (the same optimizer step; less memory — the wasm heap is 32-bit).
  const micro = Math.min(B, Number(values.micro ?? B));
  if (B % micro !== 0) throw new RangeError(`--micro ${micro} must divide --batch ${B}`);
  const mode = values.mode!;
  if (!["train", "infer", "distill"].includes(mode)) throw new TypeError(`unknown mode ${mode}`);
  const runtime = await initRuntime({ backend: values.backend, quiet: true });
  // The adapter tfjs' webgpu backend got (it asks for high-performance, as describeAdapter does).
  const adapter = runtime.backend === "webgpu" ? (await describeAdapter())?.description : undefined;
  const cfg = resolveBertConfig({}); // BERT-mini: 4 layers, hidden 256, 4 heads, vocab 30,522
  const model = BertModel.create(cfg, 0);
  const opt = new AdamW(model.params);
  const N = Math.round(0.15 * T) * B; // masked positions, as the peer
  const shape: BenchShape = { B, T, N, micro };
  const pool = syntheticPool(new Rng(1), shape, cfg.vocab_size, K, k);
  /** One whole step (upload, compute, optimizer, download of what the step reads back). */
  const step = (s: number) => benchStep(model, opt, pool[s % pool.length], shape, mode, s);
  const times: number[] = [];
  for (let s = 0; s < warmup + steps; s++) {
    const t0 = performance.now();
    await step(s);
    if (s >= warmup) times.push(performance.now() - t0);
  }
  const profile = values.profile ? await profileStep(() => step(warmup + steps)) : undefined;
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)];
  const mean = times.reduce((a, b) => a + b, 0) / times.length;
  const flops = bertForwardFlops(cfg, B, T, N) * (mode === "infer" ? 1 : 3);
  const r: OursResult = {
    mode,
    backend: values.backend!,
    tokens_per_s: (B * T) / (mean / 1000),
    step_ms: median,
    peak_rss_mib: await peakRssMiB(),
    gflops: flops / (mean / 1000) / 1e9,
    steps,
    batch: B,
    seq: T,
    micro,
    ...(adapter !== undefined ? { adapter } : {}),
    ...(profile ? { profile } : {}),
  };
  console.log(JSON.stringify(r));
}

/** Rows, tokens per row, masked positions and rows per accumulated micro-batch of a step. */
interface BenchShape {
  B: number;
  T: number;
  N: number;
  micro: number;
}

/** One step's host data: token ids, masked positions and labels, and K teachers' top-k. */
interface BenchBatch {
  ids: Int32Array;
  positions: Int32Array;
  labels: Int32Array;
  teachers: TeacherTopK[];
}

/** Four synthetic batches (random ids, evenly spread masked positions, peaked teachers). */
function syntheticPool(
  rng: Rng,
  { B, T, N }: BenchShape,
  vocabSize: number,
  K: number,
  k: number,
): BenchBatch[] {
  return Array.from({ length: 4 }, () => {
    const ids = new Int32Array(B * T).map(() => 1000 + rng.int(29000));
    const positions = new Int32Array(N);
    const per = N / B;
    for (let b = 0; b < B; b++) {
      for (let j = 0; j < per; j++) {
        positions[b * per + j] = b * T + 1 + Math.floor((j * (T - 2)) / per);
      }
    }
    const labels = new Int32Array(N).map(() => 1000 + rng.int(29000));
    const teachers = Array.from({ length: K }, () => syntheticTeacher(rng, N, k, vocabSize));
    return { ids, positions, labels, teachers };
  });
}

/** A teacher's top-k over N positions: k consecutive ids with geometrically falling mass. */
function syntheticTeacher(rng: Rng, N: number, k: number, vocabSize: number): TeacherTopK {
  const tid = new Int32Array(N * k), tp = new Float32Array(N * k);
  for (let i = 0; i < N; i++) {
    const start = rng.int(vocabSize - k);
    let z = 0;
    for (let j = 0; j < k; j++) {
      tid[i * k + j] = start + j;
      z += tp[i * k + j] = Math.exp(-j / 8);
    }
    for (let j = 0; j < k; j++) tp[i * k + j] /= z;
  }
  return {
    ids: tid,
    probs: tp,
    k,
    pGold: new Float32Array(N).map(() => rng.next()),
    entropy: new Float32Array(N).map(() => 1 + rng.next()),
  };
}

/** One timed step: a forward pass (`infer`) or one optimizer step (`train`, `distill`). */
async function benchStep(
  model: BertModel,
  opt: AdamW,
  p: BenchBatch,
  shape: BenchShape,
  mode: string,
  s: number,
): Promise<void> {
  const { B, T, N } = shape;
  const ids = tf.tensor2d(p.ids, [B, T], "int32");
  const pos = tf.tensor1d(p.positions, "int32");
  const labels = tf.tensor1d(p.labels, "int32");
  if (mode === "infer") {
    const out = tf.tidy(() => model.mlmLogits(model.forward({ inputIds: ids }), pos));
    await out.data();
    out.dispose();
  } else {
    // The teachers' cached top-k are mixed per token (confidence weighting) on the host,
    // keeping the mass outside the top-k as a tail, as `distill train` does.
    const target = mode === "distill"
      ? mixedTarget(p.teachers, N, model.config.vocab_size)
      : undefined;
    const sum = await accumulate(model, { ids, pos, labels, target }, shape, s);
    const named = new Map<string, tf.Tensor>();
    for (const [name, g] of sum) named.set(name, tf.div(g, B / shape.micro));
    tf.dispose([...sum.values()]);
    opt.apply(named, 1e-4);
    tf.dispose([...named.values()]);
    await model.params.get("cls.predictions.bias")!.data();
    if (target) tf.dispose([target.topIds, target.topProbs, target.tail]);
  }
  tf.dispose([ids, pos, labels]);
}

/** The mixed top-k target of the teachers, as tensors. */
interface MixedTarget {
  topIds: tf.Tensor2D;
  topProbs: tf.Tensor2D;
  tail: tf.Tensor1D;
}

function mixedTarget(teachers: TeacherTopK[], N: number, vocabSize: number): MixedTarget {
  const mixed = mixTopK(teachers, teacherWeights("confidence", teachers), vocabSize);
  return {
    topIds: tf.tensor2d(mixed.ids, [N, mixed.width], "int32"),
    topProbs: tf.tensor2d(mixed.probs, [N, mixed.width], "float32"),
    tail: tf.tensor1d(mixed.tail!, "float32"),
  };
}

/** The summed gradients of one step over B rows, as B / micro accumulated micro-batches. */
async function accumulate(
  model: BertModel,
  x: { ids: tf.Tensor2D; pos: tf.Tensor1D; labels: tf.Tensor1D; target?: MixedTarget },
  { B, T, N, micro }: BenchShape,
  s: number,
): Promise<Map<string, tf.Tensor>> {
  const Nm = N * micro / B, per = micro * T;
  let sum: Map<string, tf.Tensor> | undefined;
  for (let m = 0; m < B / micro; m++) {
    const { value, grads } = tf.variableGrads(() => {
      const idsM = tf.slice(x.ids, [m * micro, 0], [micro, T]);
      const posM = tf.sub(
        tf.slice(x.pos, [m * Nm], [Nm]),
        tf.scalar(m * per, "int32"),
      ) as tf.Tensor1D;
      const labM = tf.slice(x.labels, [m * Nm], [Nm]);
      const h = model.forward({ inputIds: idsM }, { training: true, seed: s * 64 + m + 1 });
      const logits = model.mlmLogits(h, posM);
      const t = x.target;
      return t
        ? kdLossTopK(
          logits,
          tf.slice(t.topIds, [m * Nm, 0], [Nm, -1]),
          tf.slice(t.topProbs, [m * Nm, 0], [Nm, -1]),
          labM,
          2,
          0.5,
          0.5,
          tf.slice(t.tail, [m * Nm], [Nm]),
        )
        : sparseCrossEntropy(logits, labM);
    });
    await value.data();
    value.dispose();
    const next = new Map<string, tf.Tensor>();
    for (const [name, v] of model.params) {
      const g = grads[v.name];
      if (!g) continue; // the pooler and NSP head take no part in the MLM loss
      next.set(name, sum ? tf.add(sum.get(name)!, g) : tf.clone(g));
    }
    if (sum) tf.dispose([...sum.values()]);
    tf.dispose(grads);
    sum = next;
  }
  return sum!;
}

if (import.meta.main) await runCli(main);
