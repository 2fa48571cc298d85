/**
 * Kernels the tfjs wasm backend lacks for training, registered so that the backward pass of our
 * model runs on wasm. Each is a plain loop over the backend's heap views (the reference is the
 * CPU backend's kernel of the same name; `wasm_kernels_test.ts` compares them).
 *
 * @module
 */
import { tf } from "./runtime.ts";
import { nativeBlas } from "./native_blas.ts";

/** The slice of the wasm backend's interface these kernels use. */
interface WasmBackendLike {
  readSync(dataId: unknown): tf.backend_util.BackendValues;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
  disposeData(dataId: unknown): boolean;
}

type KernelArgs = { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap };

const prod = (a: number[]) => a.reduce((x, y) => x * y, 1);

/** Physically transpose the last two axes of `x` (any rank ≥ 2) into a new buffer. */
function transposeLast2(backend: WasmBackendLike, x: tf.TensorInfo): tf.TensorInfo {
  const r = x.shape.length;
  const rows = x.shape[r - 2], cols = x.shape[r - 1], batch = prod(x.shape.slice(0, r - 2));
  const out = backend.makeOutput([...x.shape.slice(0, r - 2), cols, rows], x.dtype);
  const src = backend.typedArrayFromHeap(x) as Float32Array;
  const dst = backend.typedArrayFromHeap(out) as Float32Array;
  const block = 32;
  for (let b = 0; b < batch; b++) {
    const o = b * rows * cols;
    for (let i0 = 0; i0 < rows; i0 += block) {
      const i1 = Math.min(rows, i0 + block);
      for (let j0 = 0; j0 < cols; j0 += block) {
        const j1 = Math.min(cols, j0 + block);
        for (let i = i0; i < i1; i++) {
          for (let j = j0; j < j1; j++) dst[o + j * rows + i] = src[o + i * cols + j];
        }
      }
    }
  }
  return out;
}

/**
 * `BatchMatMul` that keeps every product on XNNPACK's fast path. tfjs-wasm sends only
 * unbatched, untransposed products to XNNPACK (≈ 37 GFLOP/s here) and every other case to a
 * naive loop (≈ 2–3 GFLOP/s); backward passes are all transposed products. This wrapper
 * transposes operands physically and splits batches into 2-D products, then calls the original
 * kernel. Reference: the CPU backend's BatchMatMul (`wasm_kernels_test.ts`).
 */
function fastBatchMatMul(original: tf.KernelFunc) {
  const blas = nativeBlas();
  return (args: KernelArgs): tf.TensorInfo => {
    const backend = args.backend as WasmBackendLike;
    let a = args.inputs.a!, b = args.inputs.b!;
    const attrs = args.attrs as { transposeA: boolean; transposeB: boolean };
    if (blas && a.dtype === "float32" && b.dtype === "float32") {
      return blasBatchMatMul(blas, backend, a, b, attrs);
    }
    const temps: tf.TensorInfo[] = [];
    if (a.dtype !== "float32" || b.dtype !== "float32") {
      return original(args as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
    }
    if (attrs.transposeA) temps.push(a = transposeLast2(backend, a));
    if (attrs.transposeB) temps.push(b = transposeLast2(backend, b));
    const call = (x: tf.TensorInfo, y: tf.TensorInfo) =>
      original({
        inputs: { a: x, b: y },
        backend: args.backend as tf.KernelBackend,
        attrs: { transposeA: false, transposeB: false },
      }) as tf.TensorInfo;
    const ra = a.shape.length, rb = b.shape.length;
    const batchA = prod(a.shape.slice(0, ra - 2)), batchB = prod(b.shape.slice(0, rb - 2));
    let out: tf.TensorInfo;
    if (batchA <= 1 && batchB <= 1) {
      const a2 = ra === 2 ? a : { ...a, shape: a.shape.slice(ra - 2) };
      const b2 = rb === 2 ? b : { ...b, shape: b.shape.slice(rb - 2) };
      const r = call(a2, b2);
      const outShape = [
        ...(ra >= rb ? a.shape : b.shape).slice(0, Math.max(ra, rb) - 2),
        ...r.shape,
      ];
      out = { ...r, shape: outShape };
    } else if (batchA === batchB || batchA === 1 || batchB === 1) {
      const M = a.shape[ra - 2], K = a.shape[ra - 1], N = b.shape[rb - 1];
      const batch = Math.max(batchA, batchB);
      const lead = batchA >= batchB ? a.shape.slice(0, ra - 2) : b.shape.slice(0, rb - 2);
      out = backend.makeOutput([...lead, M, N], "float32");
      // Views into wasm memory are re-read after every allocation: growing the memory detaches
      // earlier views, and reading a detached view silently copies nothing.
      const heap = (t: tf.TensorInfo) => backend.typedArrayFromHeap(t) as Float32Array;
      for (let i = 0; i < batch; i++) {
        const ai = backend.makeOutput([M, K], "float32");
        const bi = backend.makeOutput([K, N], "float32");
        const ia = batchA === 1 ? 0 : i, ib = batchB === 1 ? 0 : i;
        heap(ai).set(heap(a).subarray(ia * M * K, (ia + 1) * M * K));
        heap(bi).set(heap(b).subarray(ib * K * N, (ib + 1) * K * N));
        const r = call(ai, bi);
        heap(out).set(heap(r), i * M * N);
        backend.disposeData(ai.dataId);
        backend.disposeData(bi.dataId);
        backend.disposeData(r.dataId);
      }
    } else {
      out = call(a, b);
    }
    for (const t of temps) backend.disposeData(t.dataId);
    return out;
  };
}

/** `UnsortedSegmentSum`: the gradient of `gather` (embedding look-ups). */
function unsortedSegmentSum(
  args: { inputs: tf.NamedTensorInfoMap; backend: unknown; attrs?: tf.NamedAttrMap },
): tf.TensorInfo {
  const backend = args.backend as WasmBackendLike;
  const x = args.inputs.x!, segmentIds = args.inputs.segmentIds!;
  const numSegments = (args.attrs as { numSegments: number }).numSegments;
  const values = backend.readSync(x.dataId) as Float32Array | Int32Array;
  const ids = backend.readSync(segmentIds.dataId) as Int32Array;
  const inner = segmentIds.shape.length;
  const row = x.shape.slice(inner).reduce((a, b) => a * b, 1);
  const out = backend.makeOutput([numSegments, ...x.shape.slice(inner)], x.dtype);
  // readSync copies `values` and `ids` out of wasm memory, so allocating `out` cannot stale them.
  const o = backend.typedArrayFromHeap(out) as Float32Array | Int32Array;
  o.fill(0);
  for (let i = 0; i < ids.length; i++) {
    const s = ids[i];
    if (s < 0 || s >= numSegments) continue;
    const src = i * row, dst = s * row;
    for (let j = 0; j < row; j++) o[dst + j] += values[src + j];
  }
  return out;
}

/**
 * `BatchMatMul` on native SGEMM: every (broadcast) batch is one `cblas_sgemm` call on views into
 * the wasm heap. Reference: the CPU backend's BatchMatMul (`wasm_kernels_test.ts`).
 */
function blasBatchMatMul(
  blas: NonNullable<ReturnType<typeof nativeBlas>>,
  backend: WasmBackendLike,
  a: tf.TensorInfo,
  b: tf.TensorInfo,
  attrs: { transposeA: boolean; transposeB: boolean },
): tf.TensorInfo {
  const ra = a.shape.length, rb = b.shape.length;
  const M = attrs.transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const K = attrs.transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const Kb = attrs.transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const N = attrs.transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (K !== Kb) {
    throw new RangeError(
      `matMul: inner sizes ${K} and ${Kb} of [${a.shape}] and [${b.shape}] differ`,
    );
  }
  const leadA = a.shape.slice(0, ra - 2), leadB = b.shape.slice(0, rb - 2);
  const batchA = prod(leadA), batchB = prod(leadB);
  if (batchA !== batchB && batchA !== 1 && batchB !== 1) {
    throw new RangeError(`matMul: batch shapes [${leadA}] and [${leadB}] do not broadcast`);
  }
  const lead = batchA >= batchB ? (leadA.length >= leadB.length ? leadA : leadB) : leadB;
  const batch = Math.max(batchA, batchB);
  const out = backend.makeOutput([...lead, M, N], "float32");
  // Views are taken after the allocation (growing wasm memory detaches earlier views).
  const av = backend.typedArrayFromHeap(a) as Float32Array;
  const bv = backend.typedArrayFromHeap(b) as Float32Array;
  const cv = backend.typedArrayFromHeap(out) as Float32Array;
  for (let i = 0; i < batch; i++) {
    const ia = batchA === 1 ? 0 : i, ib = batchB === 1 ? 0 : i;
    blas.sgemm(
      attrs.transposeA,
      attrs.transposeB,
      M,
      N,
      K,
      av.subarray(ia * M * K, (ia + 1) * M * K),
      bv.subarray(ib * K * N, (ib + 1) * K * N),
      cv.subarray(i * M * N, (i + 1) * M * N),
    );
  }
  return out;
}

let ones = new Float32Array(0);
function onesOf(n: number): Float32Array {
  if (ones.length < n) ones = new Float32Array(Math.max(n, 2 * ones.length)).fill(1);
  return ones.subarray(0, n);
}

/**
 * `Sum` over a contiguous run of leading or trailing axes (bias gradients, LayerNorm and softmax
 * backward) as one SGEMM with a ones vector: column sums `1ᵀ·X`, row sums `X·1`. tfjs-wasm
 * transposes before reducing leading axes, which cost as much as every matmul of a BERT step.
 * Other reductions go to the original kernel.
 */
function blasSum(blas: NonNullable<ReturnType<typeof nativeBlas>>, original: tf.KernelFunc) {
  return (args: KernelArgs): tf.TensorInfo => {
    const backend = args.backend as WasmBackendLike;
    const x = args.inputs.x!;
    const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
    const r = x.shape.length;
    const axes = [...new Set((Array.isArray(axis) ? axis : [axis]).map((a) => (a < 0 ? a + r : a)))]
      .sort((
        a,
        b,
      ) => a - b);
    const contiguous = axes.every((a, i) => i === 0 || a === axes[i - 1] + 1);
    const leading = axes[0] === 0, trailing = axes.at(-1) === r - 1;
    if (
      x.dtype !== "float32" || r < 2 || !contiguous || axes.length === r || !(leading || trailing)
    ) {
      return original(args as Parameters<tf.KernelFunc>[0]) as tf.TensorInfo;
    }
    const reduced = prod(axes.map((a) => x.shape[a]));
    const kept = prod(x.shape) / reduced;
    const shape = keepDims
      ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d))
      : x.shape.filter((_, i) => !axes.includes(i));
    const out = backend.makeOutput(shape, "float32");
    const xv = backend.typedArrayFromHeap(x) as Float32Array;
    const ov = backend.typedArrayFromHeap(out) as Float32Array;
    if (leading) blas.sgemm(false, false, 1, kept, reduced, onesOf(reduced), xv, ov); // 1ᵀ · X[R×C]
    else blas.sgemm(false, false, kept, 1, reduced, xv, onesOf(reduced), ov); // X[R×C] · 1
    return out;
  };
}

let registered = false;

/** Register the missing wasm kernels once (called by `initRuntime`). */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  registered = true;
  const mm = tf.getKernel("BatchMatMul", "wasm");
  if (mm) {
    tf.unregisterKernel("BatchMatMul", "wasm");
    tf.registerKernel({
      kernelName: "BatchMatMul",
      backendName: "wasm",
      setupFunc: mm.setupFunc,
      kernelFunc: fastBatchMatMul(mm.kernelFunc) as unknown as tf.KernelFunc,
    });
  }
  const sum = tf.getKernel("Sum", "wasm");
  const blas = nativeBlas();
  if (sum && blas) {
    tf.unregisterKernel("Sum", "wasm");
    tf.registerKernel({
      kernelName: "Sum",
      backendName: "wasm",
      setupFunc: sum.setupFunc,
      kernelFunc: blasSum(blas, sum.kernelFunc) as unknown as tf.KernelFunc,
    });
  }
  if (!tf.getKernel("UnsortedSegmentSum", "wasm")) {
    tf.registerKernel({
      kernelName: "UnsortedSegmentSum",
      backendName: "wasm",
      kernelFunc: unsortedSegmentSum as unknown as tf.KernelFunc,
    });
  }
}
