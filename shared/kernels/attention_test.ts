import * as tf from "@tensorflow/tfjs-core";
import assert from "node:assert/strict";
import {
  assertAllClose,
  backendTestOptions,
  countLaunches,
  maxAbs,
  seededRandom,
  TEST_BACKENDS,
  useBackend,
} from "./test_util.ts";
import { attention, ATTENTION_KERNEL, attentionReference, attentionTile } from "./attention.ts";

// Tolerance against the cpu autodiff reference, element-wise:
// |got − ref| ≤ RTOL·|ref| + ATOL·max(1, max|ref|). The absolute part scales with the tensor because
// the backward's matMuls sum T products (float32 accumulation order differs per backend: observed
// max error 5e-5 on gradients of magnitude 24, i.e. 2e-6 of the scale).
const RTOL = 1e-4;
const ATOL = 1e-5;
const atolFor = (ref: ArrayLike<number>) => ATOL * Math.max(1, maxAbs(ref));

interface Case {
  name: string;
  shape: [number, number, number, number]; // [B, A, T, D]
  q: number[];
  k: number[];
  v: number[];
  /** Weights of the scalar objective sum(out ⊙ w) whose gradient is compared. */
  w: number[];
  mask: number[]; // [B, T]
}

function makeCase(
  name: string,
  seed: number,
  shape: [number, number, number, number],
  masked: (b: number, t: number) => boolean = () => false,
  spread = 2,
): Case {
  const rand = seededRandom(seed);
  const [B, A, T, D] = shape;
  const n = B * A * T * D;
  const draw = () => Array.from({ length: n }, () => (rand() - 0.5) * 2 * spread);
  const mask: number[] = [];
  for (let b = 0; b < B; b++) for (let t = 0; t < T; t++) mask.push(masked(b, t) ? 0 : 1);
  return { name, shape, q: draw(), k: draw(), v: draw(), w: draw(), mask };
}

const CASES: Case[] = [
  makeCase("a single token", 1, [1, 1, 1, 4]),
  makeCase("D=6 (not a multiple of 4), padding", 2, [2, 3, 5, 6], (b, t) => b === 0 && t >= 3),
  makeCase(
    "T=70 (three key chunks, a partial block), one fully masked sequence",
    3,
    [2, 2, 70, 16],
    (b, t) => b === 1 || t >= 60,
  ),
  makeCase("BERT-sized heads D=64, T=130, large scores", 5, [1, 2, 130, 64], (_, t) => t > 120, 4),
];

interface Result {
  out: Float32Array;
  grads: Float32Array[]; // dq, dk, dv
}

type AttentionFn = typeof attention;

async function evaluate(
  c: Case,
  f: AttentionFn,
  maskDtype: "float32" | "int32" = "float32",
): Promise<Result> {
  const [B, , T, D] = c.shape;
  const q = tf.tensor4d(c.q, c.shape);
  const k = tf.tensor4d(c.k, c.shape);
  const v = tf.tensor4d(c.v, c.shape);
  const w = tf.tensor4d(c.w, c.shape);
  const mask = tf.tensor2d(c.mask, [B, T], maskDtype);
  const scale = 1 / Math.sqrt(D);
  const out = f(q, k, v, mask, scale);
  const grads = tf.grads((a: tf.Tensor, b: tf.Tensor, d: tf.Tensor) =>
    tf.sum(tf.mul(f(a as tf.Tensor4D, b as tf.Tensor4D, d as tf.Tensor4D, mask, scale), w))
  )([q, k, v]);
  const result = {
    out: await out.data() as Float32Array,
    grads: await Promise.all(grads.map((g) => g.data() as Promise<Float32Array>)),
  };
  tf.dispose([q, k, v, w, mask, out, ...grads]);
  return result;
}

let refs: Result[] | undefined;
async function references(): Promise<Result[]> {
  if (!refs) {
    await useBackend("cpu");
    refs = [];
    for (const c of CASES) refs.push(await evaluate(c, attentionReference));
  }
  return refs;
}

async function compareAll(backend: string, expected: Result[]): Promise<void> {
  // int32 masks too: tfjs-webgpu's int32 → float32 cast only relabels the tensor (the buffer keeps
  // int32 bits), so the kernel must convert what it reads.
  for (const dtype of ["float32", "int32"] as const) {
    for (const [i, c] of CASES.entries()) {
      const got = await evaluate(c, attention, dtype);
      const what = `${backend}, ${c.name}, ${dtype} mask`;
      const ref = expected[i];
      assertAllClose(got.out, ref.out, `${what}: output`, RTOL, atolFor(ref.out));
      for (const [j, name] of ["dq", "dk", "dv"].entries()) {
        const g = ref.grads[j];
        assertAllClose(got.grads[j], g, `${what}: ${name}`, RTOL, atolFor(g));
      }
    }
  }
}

for (const backend of TEST_BACKENDS) {
  Deno.test(
    `attention() matches the autodiff reference on ${backend} (output and q/k/v gradients)`,
    backendTestOptions(backend),
    async () => {
      const expected = await references();
      await useBackend(backend);
      // tfjs' default WebGPU matMul (MatMulPackedProgram) takes 30-60 s per shape to compile on
      // llvmpipe with a cold shader cache; the small-output program compiles in ~1 s. Only the
      // backward's matMuls are affected (the forward is our kernel), so pick it for this test.
      const matmulType = tf.env().get("WEBGPU_MATMUL_PROGRAM_TYPE");
      if (backend === "webgpu") tf.env().set("WEBGPU_MATMUL_PROGRAM_TYPE", 2);
      try {
        await compareAll(backend, expected);
      } finally {
        tf.env().set("WEBGPU_MATMUL_PROGRAM_TYPE", matmulType);
      }
    },
  );

  Deno.test(
    `attention() averages values by hand-computed weights and ignores padding on ${backend}`,
    backendTestOptions(backend),
    async () => {
      await useBackend(backend);
      // One head, T = 3, D = 2. Query 0 is [ln 2, 0]·(1/scale), keys e1, e2, e1: scores
      // ln 2, 0, ln 2 → weights 2/5, 1/5, 2/5. With key 2 masked: weights 1/2, 1/2, 0.
      const scale = 0.5;
      const q = tf.tensor4d([[[[2 * Math.log(2), 0], [0, 0], [0, 0]]]]);
      const k = tf.tensor4d([[[[1, 0], [0, 1], [1, 0]]]]);
      const v = tf.tensor4d([[[[1, 10], [2, 20], [4, 40]]]]);
      const full = await attention(q, k, v, tf.tensor2d([[1, 1, 1]]), scale).data();
      const padded = await attention(q, k, v, tf.tensor2d([[1, 1, 0]]), scale).data();
      const m0 = (2 / 5) * 1 + (1 / 5) * 2 + (2 / 5) * 4; // query 0, unmasked
      const m1 = (1 + 2 + 4) / 3; // queries 1 and 2: all scores 0
      assertAllClose(full, [m0, 10 * m0, m1, 10 * m1, m1, 10 * m1], "full mask", 1e-5, 1e-6);
      const p0 = (2 / 3) * 1 + (1 / 3) * 2; // scores ln 2, 0 over the two real keys
      assertAllClose(padded, [p0, 10 * p0, 1.5, 15, 1.5, 15], "padded", 1e-5, 1e-6);
    },
  );
}

Deno.test(
  "attention() runs the fused WebGPU kernel on webgpu and the reference ops elsewhere",
  backendTestOptions("webgpu"),
  async () => {
    for (const backend of ["webgpu", "cpu"] as const) {
      await useBackend(backend);
      // Created after the switch: moving webgpu tensors to another backend needs readSync, which
      // fails in Deno (no 2-D OffscreenCanvas).
      const x = tf.ones([1, 2, 3, 4]) as tf.Tensor4D;
      const mask = tf.ones([1, 3]) as tf.Tensor2D;
      const counts = await countLaunches(
        [ATTENTION_KERNEL, "Softmax"],
        () => attention(x, x, x, mask, 0.5),
      );
      const fused = backend === "webgpu";
      assert.deepEqual(counts, { [ATTENTION_KERNEL]: fused ? 1 : 0, Softmax: fused ? 0 : 1 });
    }
  },
);

Deno.test("attention() gradient agrees with central finite differences on cpu", async () => {
  await useBackend("cpu");
  const c = makeCase("fd", 9, [1, 2, 4, 3], (_, t) => t === 3, 1);
  const [B, , T, D] = c.shape;
  const mask = tf.tensor2d(c.mask, [B, T]);
  const w = tf.tensor4d(c.w, c.shape);
  const objective = (q: number[], k: number[], v: number[]) =>
    tf.tidy(() =>
      tf.sum(tf.mul(
        attention(
          tf.tensor4d(q, c.shape),
          tf.tensor4d(k, c.shape),
          tf.tensor4d(v, c.shape),
          mask,
          1 / Math.sqrt(D),
        ),
        w,
      )).dataSync()[0]
    );
  const tq = tf.tensor4d(c.q, c.shape);
  const tk = tf.tensor4d(c.k, c.shape);
  const tv = tf.tensor4d(c.v, c.shape);
  const analytic = await Promise.all(
    tf.grads((a: tf.Tensor, b: tf.Tensor, d: tf.Tensor) =>
      tf.sum(tf.mul(
        attention(a as tf.Tensor4D, b as tf.Tensor4D, d as tf.Tensor4D, mask, 1 / Math.sqrt(D)),
        w,
      ))
    )([tq, tk, tv]).map((g) => g.data()),
  );
  const eps = 1e-2;
  const inputs = [c.q, c.k, c.v];
  for (let which = 0; which < 3; which++) {
    const numeric: number[] = [];
    for (let i = 0; i < inputs[which].length; i++) {
      const at = (delta: number) => {
        const args = inputs.map((x) => x.slice());
        args[which][i] += delta;
        return objective(args[0], args[1], args[2]);
      };
      numeric.push((at(eps) - at(-eps)) / (2 * eps));
    }
    assertAllClose(analytic[which], numeric, `d${"qkv"[which]} finite differences`, 1e-3, 3e-4);
  }
});

Deno.test("attentionTile() fits the kernel's tiles in 16 KiB of shared memory", () => {
  assert.deepEqual(attentionTile(64), { bq: 16, bc: 32 });
  assert.deepEqual(attentionTile(128), { bq: 8, bc: 16 });
  assert.equal(attentionTile(4096), undefined); // such heads use the reference ops on WebGPU
});

Deno.test("attention() rejects mismatched shapes", async () => {
  await useBackend("cpu");
  const x = tf.zeros([1, 2, 3, 4]) as tf.Tensor4D;
  assert.throws(
    () => attention(x, tf.zeros([1, 2, 3, 5]) as tf.Tensor4D, x, tf.ones([1, 3]), 1),
    RangeError,
  );
  assert.throws(() => attention(x, x, x, tf.ones([1, 4]), 1), RangeError);
  const rank3 = tf.zeros([2, 3, 4]) as unknown as tf.Tensor4D;
  assert.throws(() => attention(rank3, x, x, tf.ones([1, 3]), 1), RangeError);
});
