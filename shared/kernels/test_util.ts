/**
 * Test helpers for the kernel tests: backend switching (cpu, wasm, webgpu), the CI rule for a
 * missing WebGPU adapter, and element-wise closeness checks.
 *
 * Internal to `shared/kernels/`: not re-exported from `mod.ts`. The cohesive runtime owns backend
 * setup in production; this is the small local stand-in the tests use.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
// The umbrella package registers tfjs' gradients (needed by the autodiff oracles) on the same
// tfjs-core instance; the modular tfjs-core leaves them out.
import "@tensorflow/tfjs";
import "@tensorflow/tfjs-backend-cpu";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";
import "@tensorflow/tfjs-backend-webgpu";
import { AssertionError } from "node:assert";

// Deno looks like Node to tfjs (advert for tfjs-node); the threaded wasm build needs
// node:worker_threads features Deno lacks, the single-threaded SIMD build works.
tf.env().set("IS_NODE", false);
tf.env().set("WASM_HAS_MULTITHREAD_SUPPORT", false);
setWasmPaths(
  new URL("../../node_modules/@tensorflow/tfjs-backend-wasm/dist/", import.meta.url).href,
);

/** A backend the kernel tests run on. */
export type TestBackend = "cpu" | "wasm" | "webgpu";

/** True when CI=true: a missing WebGPU adapter is then a failure, not a skip. */
export const IN_CI: boolean = Deno.env.get("CI") === "true";

/** The WebGPU adapter's description, or undefined when Deno exposes none. */
export const WEBGPU_ADAPTER: string | undefined = await (async () => {
  const gpu = (navigator as { gpu?: GPU }).gpu;
  if (!gpu) return undefined;
  try {
    const adapter = await gpu.requestAdapter();
    return adapter ? adapter.info.description || adapter.info.vendor || "unknown" : undefined;
  } catch {
    return undefined;
  }
})();

/** Makes `name` the active tfjs backend or throws why it could not. */
export async function useBackend(name: TestBackend): Promise<void> {
  if (name === "webgpu" && WEBGPU_ADAPTER === undefined) {
    throw new Error(
      "no WebGPU adapter: Deno exposes none here (CI=true requires one; install Mesa's " +
        "vulkan drivers for llvmpipe, or unset CI to skip the WebGPU cases)",
    );
  }
  const ok = await tf.setBackend(name);
  await tf.ready();
  if (!ok || tf.getBackend() !== name) throw new Error(`tfjs backend ${name} failed to start`);
}

/**
 * Deno.test options for a test that must run on `backend`: WebGPU tests are ignored (with a visible
 * message) only when there is no adapter and CI is not set; under CI=true they run and fail.
 */
export function backendTestOptions(
  backend: TestBackend,
): { ignore: boolean; sanitizeOps: boolean; sanitizeResources: boolean } {
  const ignore = backend === "webgpu" && WEBGPU_ADAPTER === undefined && !IN_CI;
  if (ignore && !warned) {
    warned = true;
    console.warn(
      "warning: no WebGPU adapter; the webgpu kernel tests are ignored (set CI=true to fail)",
    );
  }
  // WebGPU keeps device work and buffers alive across tests by design.
  return { ignore, sanitizeOps: backend !== "webgpu", sanitizeResources: backend !== "webgpu" };
}
let warned = false;

/** Every backend the kernel tests cover. */
export const TEST_BACKENDS: readonly TestBackend[] = ["cpu", "wasm", "webgpu"];

/**
 * Asserts |actual − expected| ≤ atol + rtol·|expected| element-wise, reporting the worst element.
 */
export function assertAllClose(
  actual: ArrayLike<number>,
  expected: ArrayLike<number>,
  what: string,
  rtol = 1e-4,
  atol = 1e-6,
): void {
  if (actual.length !== expected.length) {
    throw new AssertionError({
      message: `${what}: length ${actual.length} != ${expected.length}`,
    });
  }
  let worst = -1;
  let worstExcess = 0;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    const excess = d - (atol + rtol * Math.abs(expected[i]));
    if (!(excess <= worstExcess) || Number.isNaN(d)) {
      worst = i;
      worstExcess = Number.isNaN(d) ? Infinity : excess;
    }
  }
  if (worst >= 0) {
    throw new AssertionError({
      message: `${what}: element ${worst} is ${actual[worst]}, expected ${expected[worst]} ` +
        `(rtol ${rtol}, atol ${atol})`,
    });
  }
}

/** A seeded uniform [0, 1) generator (mulberry32), so the test tables are reproducible. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The largest magnitude in `values` (for tolerances scaled to a tensor's size). */
export function maxAbs(values: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < values.length; i++) m = Math.max(m, Math.abs(values[i]));
  return m;
}

/**
 * Runs `f` and counts how often each named kernel of the active backend was launched (wraps the
 * registered kernel functions for the duration; used to prove the fused kernels really run).
 */
export async function countLaunches(
  names: string[],
  f: () => unknown,
): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const restore: (() => void)[] = [];
  for (const name of names) {
    counts[name] = 0;
    const config = tf.getKernel(name, tf.getBackend());
    if (!config) continue;
    const original = config.kernelFunc;
    config.kernelFunc = (args) => {
      counts[name]++;
      return original(args);
    };
    restore.push(() => config.kernelFunc = original);
  }
  try {
    const out = await f();
    tf.dispose(out as tf.TensorContainer);
  } finally {
    restore.forEach((r) => r());
  }
  return counts;
}
