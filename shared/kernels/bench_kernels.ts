/**
 * Times the cohesive kernels against their tfjs-ops references on each available backend.
 *
 * ```
 * deno run -A shared/kernels/bench_kernels.ts                       # N=600, V=30522, all backends
 * deno run -A shared/kernels/bench_kernels.ts --backends webgpu --reps 5 --n 600 --v 30522 --k 64
 * ```
 *
 * `kdLoss`, `kdLossTopK` and `attention` are the cohesive ops (the fused WGSL kernels on webgpu, tfjs
 * ops with closed-form gradients elsewhere); `*Reference` are the plain-ops oracles with autodiff.
 * Each line is the median wall time of `--reps` runs after one warm-up (shader compilation), waiting
 * for the GPU through a 1-element read of every output, so readback of big tensors is not counted.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import { parseArgs } from "node:util";
import { seededRandom, type TestBackend, useBackend, WEBGPU_ADAPTER } from "./test_util.ts";
import { kdLoss, kdLossReference, kdLossTopK, kdLossTopKReference } from "./kd_loss.ts";
import { attention, attentionReference } from "./attention.ts";

const { values: args } = parseArgs({
  options: {
    n: { type: "string", default: "600" },
    v: { type: "string", default: "30522" },
    k: { type: "string", default: "64" },
    reps: { type: "string", default: "3" },
    backends: { type: "string", default: "cpu,wasm,webgpu" },
    attention: { type: "string", default: "8,12,128,64" },
  },
});
const N = Number(args.n);
const V = Number(args.v);
const K = Number(args.k);
const reps = Number(args.reps);
const attShape = args.attention.split(",").map(Number) as [number, number, number, number];
const backends = args.backends.split(",") as TestBackend[];
if (
  ![N, V, K, reps].every((x) => Number.isInteger(x) && x > 0) || attShape.length !== 4 ||
  backends.some((b) => !["cpu", "wasm", "webgpu"].includes(b))
) {
  console.error(
    "bench_kernels: --n, --v, --k, --reps must be positive integers, --attention " +
      "B,A,T,D, --backends a comma list of cpu, wasm, webgpu",
  );
  Deno.exit(2);
}

/** Waits for `t` by reading one element (a slice), so the GPU queue drains without a big copy. */
async function settle(t: tf.Tensor): Promise<void> {
  if (t.rank === 0) {
    await t.data();
    return;
  }
  const one = tf.slice(t, t.shape.map(() => 0), t.shape.map(() => 1));
  await one.data();
  one.dispose();
}

async function time(label: string, f: () => tf.Tensor[]): Promise<void> {
  const samples: number[] = [];
  for (let i = 0; i <= reps; i++) {
    const t0 = performance.now();
    const outs = f();
    for (const o of outs) await settle(o);
    const dt = performance.now() - t0;
    tf.dispose(outs);
    if (i > 0) samples.push(dt); // run 0 compiles shaders
  }
  samples.sort((a, b) => a - b);
  const median = samples[Math.floor(samples.length / 2)];
  console.log(`${label.padEnd(58)} ${median.toFixed(1).padStart(9)} ms`);
}

function data(seed: number, n: number, spread: number): Float32Array {
  const rand = seededRandom(seed);
  return Float32Array.from({ length: n }, () => (rand() - 0.5) * 2 * spread);
}

const logitsData = data(1, N * V, 5);
const teacherLogits = data(2, N * V, 5);
const labelsData = Int32Array.from({ length: N }, (_, i) => (i * 7919) % V);
const topIdsData = Int32Array.from({ length: N * K }, (_, i) => ((i % K) * 131 + i) % V);
const [aB, aA, aT, aD] = attShape;
const attSize = aB * aA * aT * aD;

console.log(
  `N=${N} V=${V} K=${K} attention [${attShape}] reps=${reps} (median ms); webgpu adapter: ${
    WEBGPU_ADAPTER ?? "none"
  }`,
);
for (const backend of backends) {
  if (backend === "webgpu" && !WEBGPU_ADAPTER) {
    console.log("webgpu: skipped (no adapter)");
    continue;
  }
  await useBackend(backend);
  const z = tf.tensor2d(logitsData, [N, V]);
  const q = tf.softmax(tf.div(tf.tensor2d(teacherLogits, [N, V]), 2)) as tf.Tensor2D;
  const y = tf.tensor1d(labelsData, "int32");
  const ids = tf.tensor2d(topIdsData, [N, K], "int32");
  const probs = tf.fill([N, K], 1 / K) as tf.Tensor2D;
  const T = 2;
  const vg = (f: (x: tf.Tensor2D) => tf.Scalar) => () => {
    const { value, grad } = tf.valueAndGrad((x: tf.Tensor) => f(x as tf.Tensor2D))(z);
    return [value, grad];
  };
  await time(`${backend}: kdLoss forward`, () => [kdLoss(z, q, y, T, 0.5, 0.5)]);
  await time(`${backend}: kdLossReference forward`, () => [kdLossReference(z, q, y, T, 0.5, 0.5)]);
  await time(`${backend}: kdLoss forward+grad`, vg((x) => kdLoss(x, q, y, T, 0.5, 0.5)));
  await time(
    `${backend}: kdLossReference forward+grad (autodiff)`,
    vg((x) => kdLossReference(x, q, y, T, 0.5, 0.5)),
  );
  await time(
    `${backend}: kdLossTopK forward+grad (K=${K})`,
    vg((x) => kdLossTopK(x, ids, probs, y, T, 0.5, 0.5)),
  );
  await time(
    `${backend}: kdLossTopKReference forward+grad (autodiff)`,
    vg((x) => kdLossTopKReference(x, ids, probs, y, T, 0.5, 0.5)),
  );
  tf.dispose([z, q, y, ids, probs]);

  const shape = attShape;
  const aq = tf.tensor4d(data(3, attSize, 1), shape);
  const ak = tf.tensor4d(data(4, attSize, 1), shape);
  const av = tf.tensor4d(data(5, attSize, 1), shape);
  const mask = tf.tensor2d(
    Float32Array.from({ length: aB * aT }, (_, i) => (i % aT < aT - 5 ? 1 : 0)),
    [aB, aT],
  );
  const scale = 1 / Math.sqrt(aD);
  await time(`${backend}: attention forward`, () => [
    attention(aq, ak, av, mask, scale),
  ]);
  await time(`${backend}: attentionReference forward`, () => [
    attentionReference(aq, ak, av, mask, scale),
  ]);
  tf.dispose([aq, ak, av, mask]);
}
