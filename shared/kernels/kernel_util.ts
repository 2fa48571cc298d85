/**
 * Small helpers shared by the cohesive kernels: a typed `customGrad`, WebGPU kernel registration,
 * the flat workgroup index that survives tfjs' reshaping of large dispatches, and the "scaled
 * prefix" program the fused losses use for their backward pass.
 *
 * Internal to `shared/kernels/`: not re-exported from `mod.ts`.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import type { WebGPUBackend, WebGPUProgram } from "@tensorflow/tfjs-backend-webgpu";

export type { WebGPUBackend, WebGPUProgram };

/**
 * WGSL expression for the flat index of the current workgroup. tfjs splits a dispatch wider than
 * `maxComputeWorkgroupsPerDimension` (65535) over y (and z), possibly overshooting, so kernels that
 * use one workgroup per item must compute this index and guard it against the item count.
 */
export const WORKGROUP_INDEX: string =
  "i32(workgroupId.z * numWorkgroups.x * numWorkgroups.y + workgroupId.y * numWorkgroups.x + workgroupId.x)";

/**
 * `tf.customGrad` with typed tensor inputs: `f` receives the input tensors and the save function
 * and returns the value and a gradient per input.
 */
export function customGradOf<T extends tf.Tensor>(
  f: (
    inputs: tf.Tensor[],
    save: tf.GradSaveFunc,
  ) => { value: T; gradFunc: (dy: T, saved: tf.Tensor[]) => tf.Tensor[] },
): (...inputs: tf.Tensor[]) => T {
  return tf.customGrad<T>((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const save = args[args.length - 1] as tf.GradSaveFunc;
    return f(args.slice(0, -1) as tf.Tensor[], save);
  });
}

/** True when the active tfjs backend is WebGPU, i.e. when the cohesive kernels run. */
export function onWebGPU(): boolean {
  return tf.getBackend() === "webgpu";
}

/** Registers `kernelFunc` as `name` for the webgpu backend, once (re-imports are harmless). */
export function registerWebGPUKernel(name: string, kernelFunc: tf.KernelFunc): void {
  if (tf.getKernel(name, "webgpu") === undefined) {
    tf.registerKernel({ kernelName: name, backendName: "webgpu", kernelFunc });
  }
}

/** Name of the kernel computing `out = x[0 : size(shape)] * s`, reshaped to `shape`. */
export const SCALED_PREFIX_KERNEL = "CohesiveScaledPrefix";

/** out[i] = x[i] * s[0] over the first size(out) elements of x: one element per thread. */
class ScaledPrefixProgram implements WebGPUProgram {
  variableNames: string[] = ["x", "s"];
  outputShape: number[];
  shaderKey = "cohesiveScaledPrefix";
  dispatchLayout: { x: number[] };
  dispatch: [number, number, number];
  workgroupSize: [number, number, number] = [256, 1, 1];
  size = true;

  constructor(outputShape: number[]) {
    this.outputShape = outputShape;
    this.dispatchLayout = { x: outputShape.map((_, i) => i) };
    const n = outputShape.reduce((a, b) => a * b, 1);
    this.dispatch = [Math.ceil(n / this.workgroupSize[0]), 1, 1];
  }

  getUserCode(): string {
    return `
      fn main(index : i32) {
        if (index < uniforms.size) {
          result[index] = x[index] * s[0];
        }
      }`;
  }
}

registerWebGPUKernel(SCALED_PREFIX_KERNEL, ({ inputs, backend, attrs }) => {
  const { x, s } = inputs as { x: tf.TensorInfo; s: tf.TensorInfo };
  const shape = (attrs as { shape: number[] }).shape;
  return (backend as WebGPUBackend).runWebGPUProgram(
    new ScaledPrefixProgram(shape),
    [x, s],
    "float32",
  );
});

/**
 * `reshape(x.flatten()[0 : size(shape)], shape) * s` in one WebGPU pass (the fused losses store
 * their gradient in front of their per-row losses; this extracts it while applying the upstream
 * gradient). WebGPU backend only.
 */
export function scaledPrefix(x: tf.Tensor, s: tf.Tensor, shape: number[]): tf.Tensor {
  return tf.engine().runKernel(
    SCALED_PREFIX_KERNEL,
    { x, s } as unknown as tf.NamedTensorMap,
    { shape } as unknown as tf.NamedAttrMap,
  ) as tf.Tensor;
}
