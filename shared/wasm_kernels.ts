/**
 * Kernels the tfjs wasm backend lacks for training, registered so that the backward pass of our
 * model runs on wasm. Each is a plain loop over the backend's heap views (the reference is the
 * CPU backend's kernel of the same name; `wasm_kernels_test.ts` compares them).
 *
 * @module
 */
import { tf } from "./runtime.ts";

/** The slice of the wasm backend's interface these kernels use. */
interface WasmBackendLike {
  readSync(dataId: unknown): tf.backend_util.BackendValues;
  makeOutput(shape: number[], dtype: tf.DataType): tf.TensorInfo;
  typedArrayFromHeap(info: tf.TensorInfo): tf.backend_util.TypedArray;
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

let registered = false;

/** Register the missing wasm kernels once (called by `initRuntime`). */
export function registerWasmTrainingKernels(): void {
  if (registered) return;
  registered = true;
  if (!tf.getKernel("UnsortedSegmentSum", "wasm")) {
    tf.registerKernel({
      kernelName: "UnsortedSegmentSum",
      backendName: "wasm",
      kernelFunc: unsortedSegmentSum as unknown as tf.KernelFunc,
    });
  }
}
