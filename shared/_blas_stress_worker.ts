// A worker of the native-SGEMM stress test: on its own thread and its own wasm heap, it runs
// random (batched, transposed) products and column/row sums through the wasm backend (native
// SGEMM where OpenBLAS is installed), growing the wasm memory between calls, and reports the
// largest difference from a plain-loop reference.
import { initRuntime } from "./runtime.ts";
import { Rng } from "./rng.ts";
import { tf } from "./tf.ts";

export interface StressJob {
  seed: number;
  rounds: number;
}

/** `op(a)·op(b)` for one batch, in float64. */
function reference(
  a: Float32Array,
  b: Float32Array,
  M: number,
  N: number,
  K: number,
  ta: boolean,
  tb: boolean,
): Float64Array {
  const c = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = 0;
      for (let k = 0; k < K; k++) {
        s += a[ta ? k * M + i : i * K + k] * b[tb ? j * K + k : k * N + j];
      }
      c[i * N + j] = s;
    }
  }
  return c;
}

/** What a worker reports: the largest scaled difference, and how many products grew the heap. */
export interface StressResult {
  worst: number;
  grewInside: number;
}

async function run({ seed, rounds }: StressJob): Promise<StressResult> {
  await initRuntime({ backend: "wasm", quiet: true });
  const rng = new Rng(seed);
  const ballast: tf.Tensor[] = [];
  let worst = 0, grewInside = 0;
  for (let r = 0; r < rounds; r++) {
    // Grow the heap between calls too (and free, so later outputs reuse freed blocks).
    ballast.push(tf.zeros([1 + rng.int(1 << 18)]));
    if (ballast.length > 6) ballast.splice(rng.int(ballast.length), 1)[0].dispose();
    // Every third product's output (until the heap reaches 64 MiB) is larger than the whole heap,
    // so allocating it inside the kernel grows the memory and detaches every earlier view; the
    // others are small.
    const heapBefore = heapBytes(), grow = r % 3 === 0 && heapBefore < 64 << 20;
    const side = Math.ceil(Math.sqrt(heapBefore / 4)) + 16;
    const M = grow ? side : 1 + rng.int(40), N = grow ? side : 1 + rng.int(40);
    const K = grow ? 2 : 1 + rng.int(40), batch = grow ? 1 : 1 + rng.int(3);
    const ta = rng.next() < 0.5, tb = rng.next() < 0.5;
    const host = (n: number) => Float32Array.from({ length: n }, () => rng.next() * 2 - 1);
    const av = host(batch * M * K), bv = host(batch * K * N);
    const a = tf.tensor3d(av, ta ? [batch, K, M] : [batch, M, K]);
    const b = tf.tensor3d(bv, tb ? [batch, N, K] : [batch, K, N]);
    const inputsAt = heapBytes();
    const c = tf.matMul(a, b, ta, tb);
    if (grow && heapBytes() > inputsAt) grewInside++;
    const colSums = tf.sum(c, 1); // [batch, N] through the ones-vector SGEMM
    const [cv, sv] = [await c.data(), await colSums.data()];
    for (let i = 0; i < batch; i++) {
      const ref = reference(
        av.subarray(i * M * K, (i + 1) * M * K),
        bv.subarray(i * K * N, (i + 1) * K * N),
        M,
        N,
        K,
        ta,
        tb,
      );
      for (let j = 0; j < M * N; j++) {
        worst = Math.max(worst, Math.abs(cv[i * M * N + j] - ref[j]) / Math.sqrt(K));
      }
      for (let n = 0; n < N; n++) {
        let s = 0;
        for (let m = 0; m < M; m++) s += cv[i * M * N + m * N + n];
        worst = Math.max(worst, Math.abs(sv[i * N + n] - s) / Math.sqrt(M * K));
      }
    }
    tf.dispose([a, b, c, colSums]);
  }
  tf.dispose(ballast);
  return { worst, grewInside };
}

/** The wasm backend's current memory size in bytes. */
function heapBytes(): number {
  return (tf.backend() as unknown as { wasm: { HEAPU8: Uint8Array } }).wasm.HEAPU8.length;
}

// The worker's global scope (the default type library is the main thread's).
const scope = self as unknown as {
  onmessage: (e: MessageEvent<StressJob>) => void;
  postMessage(message: StressResult | { error: string }): void;
};
scope.onmessage = async (e) => {
  try {
    scope.postMessage(await run(e.data));
  } catch (err) {
    scope.postMessage({ error: String((err as Error)?.stack ?? err) });
  }
};
