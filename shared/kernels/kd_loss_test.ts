import * as tf from "@tensorflow/tfjs-core";
import assert from "node:assert/strict";
import {
  assertAllClose,
  backendTestOptions,
  countLaunches,
  seededRandom,
  TEST_BACKENDS,
  useBackend,
} from "./test_util.ts";
import {
  KD_LOSS_KERNEL,
  KD_LOSS_TOPK_KERNEL,
  kdLoss,
  kdLossReference,
  kdLossTopK,
  kdLossTopKReference,
} from "./kd_loss.ts";
import { SCALED_PREFIX_KERNEL } from "./kernel_util.ts";

// Tolerance against the cpu autodiff reference, element-wise: |got − ref| ≤ ATOL + RTOL·|ref|.
const RTOL = 1e-4;
const ATOL = 1e-6;

interface Case {
  name: string;
  N: number;
  V: number;
  T: number;
  alphaKd: number;
  alphaMlm: number;
  logits: number[];
  /** Dense teacher rows (sum to 1). */
  q: number[];
  labels: number[];
  /** Top-k view of the teacher: K entries per row, renormalised. */
  K: number;
  topIds: number[];
  topProbs: number[];
  /** The same K entries, not renormalised (their share of the dense row). */
  topTrue: number[];
  /** Per row, the mass outside the top-k spread evenly over the other V − K ids. */
  tail: number[];
}

/** Random case; `logit(r, j)` and `teacherWeight(r, j)` shape the data. */
function makeCase(
  name: string,
  seed: number,
  N: number,
  V: number,
  T: number,
  K: number,
  opts: {
    logit?: (rand: () => number, j: number) => number;
    zeroTeacher?: (rand: () => number) => boolean;
    labels?: number[];
    alphaKd?: number;
    alphaMlm?: number;
  } = {},
): Case {
  const rand = seededRandom(seed);
  const logit = opts.logit ?? ((r) => (r() - 0.5) * 8);
  const logits: number[] = [];
  const q: number[] = [];
  const topIds: number[] = [];
  const topProbs: number[] = [];
  const topTrue: number[] = [];
  const tail: number[] = [];
  for (let r = 0; r < N; r++) {
    const w: number[] = [];
    for (let j = 0; j < V; j++) {
      logits.push(logit(rand, j));
      w.push(opts.zeroTeacher?.(rand) ? 0 : Math.exp((rand() - 0.5) * 6));
    }
    if (!w.some((x) => x > 0)) w[0] = 1;
    const total = w.reduce((a, b) => a + b, 0);
    q.push(...w.map((x) => x / total));
    // Top-k: the K largest weights (ties by id), renormalised.
    const order = w.map((x, j) => [x, j]).sort((a, b) => b[0] - a[0] || a[1] - b[1]).slice(0, K);
    const kTotal = order.reduce((a, [x]) => a + x, 0);
    for (const [x, j] of order) {
      topIds.push(j);
      topProbs.push(x / kTotal);
      topTrue.push(x / total);
    }
    tail.push(V > K ? Math.max(0, 1 - kTotal / total) / (V - K) : 0);
  }
  const labels = opts.labels ?? Array.from({ length: N }, () => Math.floor(rand() * V));
  return {
    name,
    N,
    V,
    T,
    K,
    alphaKd: opts.alphaKd ?? 0.5,
    alphaMlm: opts.alphaMlm ?? 0.5,
    logits,
    q,
    labels,
    topIds,
    topProbs,
    topTrue,
    tail,
  };
}

const CASES: Case[] = [
  makeCase("N=1, V=5, T=1", 1, 1, 5, 1, 1),
  makeCase("V=257 (not a multiple of the workgroup), T=2", 2, 4, 257, 2, 5, {
    alphaKd: 0.9,
    alphaMlm: 0.1,
  }),
  makeCase("extreme logits ±80", 3, 3, 300, 2, 16, {
    logit: (r, j) => (j % 7 === 0 ? 80 : j % 5 === 0 ? -80 : (r() - 0.5) * 160),
  }),
  makeCase("teacher with exact zeros", 4, 3, 100, 2, 10, { zeroTeacher: (r) => r() < 0.7 }),
  makeCase("rows with ignored labels (-100, V)", 5, 4, 64, 2, 8, { labels: [3, -100, 63, 64] }),
  makeCase("V=3000 (256-thread workgroups), alphaMlm only", 6, 5, 3000, 2, 64, {
    alphaKd: 0,
    alphaMlm: 1,
  }),
  makeCase("V=2500, T=1, alphaKd only", 7, 2, 2500, 1, 32, { alphaKd: 1, alphaMlm: 0 }),
];

interface Result {
  loss: number;
  /** Loss computed outside any gradient tape (the loss-only kernel on WebGPU). */
  lossNoTape: number;
  grad: Float32Array;
}

type DenseFn = typeof kdLoss;
type TopKFn = typeof kdLossTopK;

async function evalDense(c: Case, f: DenseFn): Promise<Result> {
  const z = tf.tensor2d(c.logits, [c.N, c.V]);
  const q = tf.tensor2d(c.q, [c.N, c.V]);
  const y = tf.tensor1d(c.labels, "int32");
  const plain = f(z, q, y, c.T, c.alphaKd, c.alphaMlm);
  const { value, grad } = tf.valueAndGrad((x: tf.Tensor) =>
    f(x as tf.Tensor2D, q, y, c.T, c.alphaKd, c.alphaMlm)
  )(z);
  const out = {
    loss: (await value.data())[0],
    lossNoTape: (await plain.data())[0],
    grad: await grad.data() as Float32Array,
  };
  tf.dispose([z, q, y, plain, value, grad]);
  return out;
}

/** Top-k with a tail: the true (not renormalised) top-k probabilities and τ for every other id. */
async function evalTopKTail(c: Case, f: TopKFn): Promise<Result> {
  const z = tf.tensor2d(c.logits, [c.N, c.V]);
  const ids = tf.tensor2d(c.topIds, [c.N, c.K], "int32");
  const probs = tf.tensor2d(c.topTrue, [c.N, c.K]);
  const tail = tf.tensor1d(c.tail);
  const y = tf.tensor1d(c.labels, "int32");
  const plain = f(z, ids, probs, y, c.T, c.alphaKd, c.alphaMlm, tail);
  const { value, grad } = tf.valueAndGrad((x: tf.Tensor) =>
    f(x as tf.Tensor2D, ids, probs, y, c.T, c.alphaKd, c.alphaMlm, tail)
  )(z);
  const out = {
    loss: (await value.data())[0],
    lossNoTape: (await plain.data())[0],
    grad: await grad.data() as Float32Array,
  };
  tf.dispose([z, ids, probs, tail, y, plain, value, grad]);
  return out;
}

/** The dense target a top-k with tail stands for: τ everywhere, the top-k ids their own value. */
function denseOfTail(c: Case): number[] {
  const q: number[] = [];
  for (let r = 0; r < c.N; r++) {
    const row = new Array(c.V).fill(c.tail[r]);
    for (let j = 0; j < c.K; j++) row[c.topIds[r * c.K + j]] = c.topTrue[r * c.K + j];
    q.push(...row);
  }
  return q;
}

async function evalTopK(c: Case, f: TopKFn): Promise<Result> {
  const z = tf.tensor2d(c.logits, [c.N, c.V]);
  const ids = tf.tensor2d(c.topIds, [c.N, c.K], "int32");
  const probs = tf.tensor2d(c.topProbs, [c.N, c.K]);
  const y = tf.tensor1d(c.labels, "int32");
  const plain = f(z, ids, probs, y, c.T, c.alphaKd, c.alphaMlm);
  const { value, grad } = tf.valueAndGrad((x: tf.Tensor) =>
    f(x as tf.Tensor2D, ids, probs, y, c.T, c.alphaKd, c.alphaMlm)
  )(z);
  const out = {
    loss: (await value.data())[0],
    lossNoTape: (await plain.data())[0],
    grad: await grad.data() as Float32Array,
  };
  tf.dispose([z, ids, probs, y, plain, value, grad]);
  return out;
}

function compare(got: Result, ref: Result, what: string): void {
  assertAllClose([got.loss], [ref.loss], `${what}: loss`, RTOL, ATOL);
  assertAllClose([got.lossNoTape], [ref.loss], `${what}: loss without tape`, RTOL, ATOL);
  assertAllClose(got.grad, ref.grad, `${what}: gradient`, RTOL, ATOL);
}

// The oracle: tfjs autodiff of the plain-ops reference, on cpu, computed once per case.
let denseRefs: Result[] | undefined;
let topKRefs: Result[] | undefined;
let tailRefs: Result[] | undefined;
async function references(): Promise<{ dense: Result[]; topK: Result[]; tail: Result[] }> {
  if (!denseRefs || !topKRefs || !tailRefs) {
    await useBackend("cpu");
    denseRefs = [];
    topKRefs = [];
    tailRefs = [];
    for (const c of CASES) {
      denseRefs.push(await evalDense(c, kdLossReference));
      topKRefs.push(await evalTopK(c, kdLossTopKReference));
      // The tail's oracle is the dense reference on the densified target (no tail code involved).
      tailRefs.push(await evalDense({ ...c, q: denseOfTail(c) }, kdLossReference));
    }
  }
  return { dense: denseRefs, topK: topKRefs, tail: tailRefs };
}

for (const backend of TEST_BACKENDS) {
  Deno.test(
    `kdLoss() matches the autodiff reference on ${backend} (forward and gradient)`,
    backendTestOptions(backend),
    async () => {
      const { dense } = await references();
      await useBackend(backend);
      for (const [i, c] of CASES.entries()) {
        compare(await evalDense(c, kdLoss), dense[i], `${backend}, ${c.name}`);
      }
    },
  );

  Deno.test(
    `kdLossTopK() matches the autodiff reference on ${backend} (forward and gradient)`,
    backendTestOptions(backend),
    async () => {
      const { topK } = await references();
      await useBackend(backend);
      for (const [i, c] of CASES.entries()) {
        compare(await evalTopK(c, kdLossTopK), topK[i], `${backend}, ${c.name}`);
      }
    },
  );

  Deno.test(
    `kdLossTopK() with a tail equals kdLoss on the densified target on ${backend}`,
    backendTestOptions(backend),
    async () => {
      const { tail } = await references();
      await useBackend(backend);
      for (const [i, c] of CASES.entries()) {
        compare(await evalTopKTail(c, kdLossTopK), tail[i], `${backend}, ${c.name}, tail`);
        compare(
          await evalTopKTail(c, kdLossTopKReference),
          tail[i],
          `${backend}, ${c.name}, tail reference`,
        );
      }
    },
  );

  Deno.test(
    `kdLoss() and kdLossTopK() give the hand-computed values of a 2-row example on ${backend}`,
    backendTestOptions(backend),
    async () => {
      await useBackend(backend);
      // T = 2, α_kd = 0.75, α_mlm = 0.25, N = 2, V = 3.
      // Row 0: z = [0, 0, 0], q = [½, ½, 0], y = 0: softmax(z/T) = softmax(z) = [⅓, ⅓, ⅓],
      //   KL = ½ln(3/2)·2 = ln 1.5, CE = ln 3.
      // Row 1: z = [2 ln 2, 0, 0], q = [½, ¼, ¼], y = 1: softmax(z/2) = [½, ¼, ¼] = q so KL = 0;
      //   softmax(z) = [4/6, 1/6, 1/6], CE = ln 6.
      const loss = ((0.75 * 4 * Math.log(1.5) + 0.25 * Math.log(3)) + 0.25 * Math.log(6)) / 2;
      // d/dz = [α_kd·T·(softmax(z/T) − q) + α_mlm·(softmax(z) − onehot)] / N
      const grad = [
        (1.5 * (1 / 3 - 1 / 2) + 0.25 * (1 / 3 - 1)) / 2,
        (1.5 * (1 / 3 - 1 / 2) + 0.25 * (1 / 3)) / 2,
        (1.5 * (1 / 3) + 0.25 * (1 / 3)) / 2,
        (0.25 * (4 / 6)) / 2,
        (0.25 * (1 / 6 - 1)) / 2,
        (0.25 * (1 / 6)) / 2,
      ];
      assert.ok(Math.abs(loss - 0.9694942) < 1e-6); // the arithmetic above, spelled out
      const z = tf.tensor2d([[0, 0, 0], [2 * Math.log(2), 0, 0]]);
      const q = tf.tensor2d([[0.5, 0.5, 0], [0.5, 0.25, 0.25]]);
      const y = tf.tensor1d([0, 1], "int32");
      const ids = tf.tensor2d([[0, 1, 2], [0, 1, 2]], undefined, "int32");
      const dense = tf.valueAndGrad((x: tf.Tensor) =>
        kdLoss(x as tf.Tensor2D, q, y, 2, 0.75, 0.25)
      )(
        z,
      );
      const topK = tf.valueAndGrad((x: tf.Tensor) =>
        kdLossTopK(x as tf.Tensor2D, ids, q, y, 2, 0.75, 0.25)
      )(z);
      for (const [name, r] of [["kdLoss", dense], ["kdLossTopK", topK]] as const) {
        assertAllClose([(await r.value.data())[0]], [loss], `${name} loss`, 1e-5, 1e-6);
        assertAllClose(await r.grad.data(), grad, `${name} gradient`, 1e-5, 1e-6);
      }
      tf.dispose([z, q, y, ids, dense.value, dense.grad, topK.value, topK.grad]);
    },
  );
}

Deno.test(
  "kdLoss() and kdLossTopK() run the fused WebGPU kernels on webgpu, with or without a tape",
  backendTestOptions("webgpu"),
  async () => {
    await useBackend("webgpu");
    const z = tf.zeros([2, 5]) as tf.Tensor2D;
    const q = tf.fill([2, 5], 0.2) as tf.Tensor2D;
    const y = tf.tensor1d([0, 4], "int32");
    const ids = tf.tensor2d([[0, 1], [2, 3]], undefined, "int32");
    const probs = tf.fill([2, 2], 0.5) as tf.Tensor2D;
    const zero = {
      [KD_LOSS_KERNEL]: 0,
      [KD_LOSS_TOPK_KERNEL]: 0,
      [SCALED_PREFIX_KERNEL]: 0,
      Softmax: 0,
    };
    const names = [KD_LOSS_KERNEL, KD_LOSS_TOPK_KERNEL, SCALED_PREFIX_KERNEL, "Softmax"];
    const noTape = await countLaunches(names, () => kdLoss(z, q, y, 2, 1, 1));
    assert.deepEqual(noTape, { ...zero, [KD_LOSS_KERNEL]: 1 });
    const dense = await countLaunches(
      names,
      () => tf.grad((x: tf.Tensor) => kdLoss(x as tf.Tensor2D, q, y, 2, 1, 1))(z),
    );
    assert.deepEqual(dense, { ...zero, [KD_LOSS_KERNEL]: 1, [SCALED_PREFIX_KERNEL]: 1 });
    const topK = await countLaunches(
      names,
      () => tf.grad((x: tf.Tensor) => kdLossTopK(x as tf.Tensor2D, ids, probs, y, 2, 1, 1))(z),
    );
    assert.deepEqual(topK, { ...zero, [KD_LOSS_TOPK_KERNEL]: 1, [SCALED_PREFIX_KERNEL]: 1 });
    tf.dispose([z, q, y, ids, probs]);
  },
);

Deno.test("kdLoss() gradient agrees with central finite differences on cpu", async () => {
  await useBackend("cpu");
  const c = makeCase("fd", 11, 3, 7, 2, 3, { labels: [1, -100, 6], alphaKd: 0.6, alphaMlm: 0.4 });
  const q = tf.tensor2d(c.q, [c.N, c.V]);
  const y = tf.tensor1d(c.labels, "int32");
  const ids = tf.tensor2d(c.topIds, [c.N, c.K], "int32");
  const probs = tf.tensor2d(c.topProbs, [c.N, c.K]);
  const trueProbs = tf.tensor2d(c.topTrue, [c.N, c.K]);
  const tail = tf.tensor1d(c.tail);
  const fns: [string, (z: tf.Tensor2D) => tf.Scalar][] = [
    ["kdLoss", (z) => kdLoss(z, q, y, c.T, c.alphaKd, c.alphaMlm)],
    ["kdLossTopK", (z) => kdLossTopK(z, ids, probs, y, c.T, c.alphaKd, c.alphaMlm)],
    [
      "kdLossTopK with a tail",
      (z) => kdLossTopK(z, ids, trueProbs, y, c.T, c.alphaKd, c.alphaMlm, tail),
    ],
  ];
  const eps = 1e-2;
  for (const [name, f] of fns) {
    const z = tf.tensor2d(c.logits, [c.N, c.V]);
    const analytic = await tf.grad((x: tf.Tensor) => f(x as tf.Tensor2D))(z).data();
    const numeric: number[] = [];
    for (let i = 0; i < c.logits.length; i++) {
      const at = (delta: number) => {
        const zz = c.logits.slice();
        zz[i] += delta;
        return tf.tidy(() => f(tf.tensor2d(zz, [c.N, c.V])).dataSync()[0]);
      };
      numeric.push((at(eps) - at(-eps)) / (2 * eps));
    }
    // float32 central differences: truncation and rounding errors are both ~1e-5 here.
    assertAllClose(analytic, numeric, `${name} finite differences`, 1e-3, 2e-4);
  }
});

Deno.test("kdLoss() rejects wrong shapes, dtypes and temperatures", async () => {
  await useBackend("cpu");
  const z = tf.zeros([2, 3]) as tf.Tensor2D;
  const q = tf.fill([2, 3], 1 / 3) as tf.Tensor2D;
  const y = tf.tensor1d([0, 1], "int32");
  assert.throws(() => kdLoss(z, q, y, 0, 1, 1), RangeError);
  assert.throws(() => kdLoss(z, tf.zeros([2, 4]) as tf.Tensor2D, y, 2, 1, 1), RangeError);
  assert.throws(() => kdLoss(z, q, tf.tensor1d([0], "int32"), 2, 1, 1), RangeError);
  assert.throws(() => kdLoss(z, q, tf.tensor1d([0, 1], "float32"), 2, 1, 1), TypeError);
  assert.throws(
    () => kdLossTopK(z, tf.zeros([2, 2], "float32") as tf.Tensor2D, q, y, 2, 1, 1),
    TypeError,
  );
  assert.throws(
    () => kdLossTopK(z, tf.zeros([2, 2], "int32") as tf.Tensor2D, q, y, 2, 1, 1),
    RangeError,
  );
});

Deno.test("kdLoss and kdLossTopK backpropagate when their targets are made inside the gradient tape", async () => {
  await useBackend("cpu");
  const z = tf.tensor2d([[0.5, -1, 2], [0, 0.3, -0.2]]);
  for (const topk of [false, true]) {
    const g = tf.grad((x: tf.Tensor) => {
      // Made inside the tape: the forward scope frees them before the backward runs.
      const labels = tf.tensor1d([2, 0], "int32");
      if (topk) {
        const ids = tf.tensor2d([[2, 0], [1, 0]], undefined, "int32");
        const probs = tf.tensor2d([[0.7, 0.3], [0.6, 0.4]]);
        return kdLossTopK(x as tf.Tensor2D, ids, probs, labels, 2, 1, 1);
      }
      const q = tf.tensor2d([[0.2, 0.1, 0.7], [0.5, 0.5, 0]]);
      return kdLoss(x as tf.Tensor2D, q, labels, 2, 1, 1);
    })(z);
    const v = await g.data();
    assert.equal(v.length, 6);
    assert.ok(v.every(Number.isFinite));
    g.dispose();
  }
  z.dispose();
});
