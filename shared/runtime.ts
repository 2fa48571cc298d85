/**
 * The tfjs runtime: which backend runs our tensors (`webgpu`, `wasm`, `cpu`), chosen by flag, by
 * the `COHESIVE_BACKEND` environment variable, or automatically: every candidate must pass a
 * start-up self-check against the CPU backend (a WebGPU adapter that returns wrong numbers is
 * rejected with a warning), and the fastest one that passes is taken.
 *
 * @module
 */
// The umbrella package registers every gradient and the chained tensor methods, which the modular
// tfjs-core bundle leaves out; the same tfjs-core instance is shared with the backends below.
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import "@tensorflow/tfjs-backend-webgpu";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./data_dir.ts";

/** The tfjs namespace with our backends registered (public entry: `@cohesive/shared/tf`). */
export { tf };
export type {
  Scalar,
  Tensor,
  Tensor1D,
  Tensor2D,
  Tensor3D,
  Tensor4D,
  Variable,
} from "./tensor_types.ts";

/** The backends cohesive can run on. */
export type BackendName = "webgpu" | "wasm" | "cpu";

/** All backend names, in the order the automatic choice prefers them on a tie. */
export const BACKENDS: readonly BackendName[] = ["webgpu", "wasm", "cpu"];

/** What {@link initRuntime} decided, and why. */
export interface RuntimeInfo {
  /** The backend now active in tfjs. */
  backend: BackendName;
  /** How it was chosen: `flag`, `env` (COHESIVE_BACKEND) or `auto`. */
  chosenBy: "flag" | "env" | "auto";
  /** Per candidate: passed the self-check, its measured matmul GFLOP/s, or why it was rejected. */
  candidates: { name: BackendName; ok: boolean; gflops?: number; reason?: string }[];
  /** The WebGPU adapter's description when one exists (e.g. "llvmpipe (LLVM 15.0.6, 256 bits)"). */
  adapter?: string;
}

let wasmPathsSet = false;
function prepareWasm(): void {
  if (wasmPathsSet) return;
  const candidates = [
    join(REPO_ROOT, "node_modules", "@tensorflow", "tfjs-backend-wasm", "dist"),
    join(Deno.cwd(), "node_modules", "@tensorflow", "tfjs-backend-wasm", "dist"),
  ];
  const dir = candidates.find((d) => existsSync(join(d, "tfjs-backend-wasm-simd.wasm")));
  if (dir) setWasmPaths(`${dir}/`);
  wasmPathsSet = true;
}

/** The WebGPU adapter's description, or `undefined` when Deno exposes no adapter. */
export async function webgpuAdapter(): Promise<string | undefined> {
  const gpu = (navigator as { gpu?: GPU }).gpu;
  if (!gpu) return undefined;
  try {
    const a = await gpu.requestAdapter();
    if (!a) return undefined;
    const info = a.info;
    return info.description || info.vendor || "unknown adapter";
  } catch {
    return undefined;
  }
}

// tfjs-backend-cpu prints an advert for tfjs-node when it believes it runs in Node.js; Deno is
// detected as Node because of its `process` global. We run tfjs modularly on purpose.
tf.env().set("IS_NODE", false);
// The threaded wasm build spawns Emscripten pthread workers through node:worker_threads, which
// Deno's Node compatibility rejects (ERR_WORKER_PATH); the single-threaded SIMD build works.
tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);

/** A fixed probe: attention-like math every model uses (matmul, softmax, erf, layer norm). */
function probe(): tf.Tensor {
  return tf.tidy(() => {
    const n = 48;
    const a = tf.sin(tf.range(0, n * n).reshape([n, n]).div(7));
    const b = tf.cos(tf.range(0, n * n).reshape([n, n]).div(5));
    const s = tf.softmax(tf.matMul(a, b, false, true).div(4));
    const e = tf.erf(s.sub(0.01).mul(30));
    const m = tf.moments(e, -1, true);
    return e.sub(m.mean).div(tf.sqrt(m.variance.add(1e-5)));
  });
}

async function selfCheck(name: BackendName, reference: Float32Array): Promise<string | undefined> {
  const out = probe();
  const got = await out.data() as Float32Array;
  out.dispose();
  let maxDiff = 0;
  for (let i = 0; i < got.length; i++) {
    const d = Math.abs(got[i] - reference[i]);
    if (!(d <= maxDiff)) maxDiff = Number.isNaN(d) ? Infinity : Math.max(maxDiff, d);
  }
  return maxDiff > 1e-3 ? `${name} disagrees with cpu (max abs diff ${maxDiff})` : undefined;
}

async function timeMatmul(): Promise<number> {
  const n = 256;
  const a = tf.randomNormal([n, n], 0, 1, "float32", 1);
  const b = tf.randomNormal([n, n], 0, 1, "float32", 2);
  const warm = tf.matMul(a, b);
  await warm.data();
  warm.dispose();
  const reps = 4;
  const t0 = performance.now();
  for (let i = 0; i < reps; i++) {
    const c = tf.matMul(a, b);
    await c.data();
    c.dispose();
  }
  const dt = (performance.now() - t0) / 1000 / reps;
  a.dispose();
  b.dispose();
  return (2 * n ** 3) / dt / 1e9;
}

async function activate(name: BackendName): Promise<boolean> {
  if (name === "wasm") {
    prepareWasm();
    const { registerWasmTrainingKernels } = await import("./wasm_kernels.ts");
    registerWasmTrainingKernels();
  }
  try {
    const ok = await tf.setBackend(name);
    await tf.ready();
    return ok && tf.getBackend() === name;
  } catch {
    return false;
  }
}

let current: RuntimeInfo | undefined;

/**
 * Choose and activate the tfjs backend. Idempotent for the same request.
 *
 * @param opts.backend `webgpu`, `wasm`, `cpu`, or `auto` (default: `COHESIVE_BACKEND`, else auto).
 * @param opts.quiet do not print the choice to stderr.
 * @throws {RangeError} for an unknown backend name, or a requested backend that fails to start.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { initRuntime } from "@cohesive/shared";
 * const info = await initRuntime({ backend: "cpu", quiet: true });
 * assert.equal(info.backend, "cpu");
 * ```
 */
export async function initRuntime(
  opts: { backend?: string; quiet?: boolean } = {},
): Promise<RuntimeInfo> {
  const env = Deno.env.get("COHESIVE_BACKEND");
  const requested = opts.backend ?? env ?? "auto";
  const chosenBy = opts.backend ? "flag" : env ? "env" : "auto";
  if (requested !== "auto" && !BACKENDS.includes(requested as BackendName)) {
    throw new RangeError(
      `unknown backend "${requested}": use one of ${BACKENDS.join(", ")} or auto`,
    );
  }
  if (
    // A call that names no backend keeps the one already chosen (library code initialises the
    // runtime defensively and must not switch what the caller picked).
    current && (opts.backend === undefined || current.backend === requested)
  ) {
    if (tf.getBackend() !== current.backend) await activate(current.backend);
    return current;
  }
  const adapter = await webgpuAdapter();
  await activate("cpu");
  const refT = probe();
  const reference = await refT.data() as Float32Array;
  refT.dispose();

  const candidates: RuntimeInfo["candidates"] = [];
  const order = requested === "auto" ? BACKENDS : [requested as BackendName];
  for (const name of order) {
    if (name === "webgpu" && !adapter) {
      candidates.push({ name, ok: false, reason: "no WebGPU adapter" });
      continue;
    }
    if (!(await activate(name))) {
      candidates.push({ name, ok: false, reason: "failed to initialise" });
      continue;
    }
    const bad = await selfCheck(name, reference);
    if (bad) {
      console.warn(`warning: rejecting backend ${name}: ${bad}`);
      candidates.push({ name, ok: false, reason: bad });
      continue;
    }
    const gflops = order.length > 1 ? await timeMatmul() : undefined;
    candidates.push({ name, ok: true, gflops });
  }
  const passing = candidates.filter((c) => c.ok);
  if (passing.length === 0) {
    throw new RangeError(
      `backend ${requested} is not usable here: ${candidates.map((c) => c.reason).join("; ")}`,
    );
  }
  passing.sort((a, b) => (b.gflops ?? 0) - (a.gflops ?? 0));
  const backend = passing[0].name;
  await activate(backend);
  current = { backend, chosenBy, candidates, adapter };
  if (!opts.quiet) {
    const detail = candidates.map((c) =>
      c.ok
        ? `${c.name}${c.gflops ? ` ${c.gflops.toFixed(1)} GFLOP/s` : ""}`
        : `${c.name} (${c.reason})`
    ).join(", ");
    console.error(`runtime: ${backend} (${chosenBy}; ${detail})`);
  }
  return current;
}

/** Switch to a backend without the self-check (tests comparing backends use this). */
export async function useBackend(name: BackendName): Promise<boolean> {
  return await activate(name);
}
