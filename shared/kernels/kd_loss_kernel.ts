/**
 * The fused distillation loss's WebGPU kernels: registered under their names, run with the
 * gradient written in the forward pass and kept for a single scaling pass backward.
 *
 * @module
 */
import * as tf from "@tensorflow/tfjs-core";
import {
  customGradOf,
  registerWebGPUKernel,
  scaledPrefix,
  type WebGPUBackend,
} from "./kernel_util.ts";
import { KdLossProgram } from "./kd_loss_webgpu.ts";

/** Name of the registered WebGPU kernel for the dense fused loss (forward + gradient). */
export const KD_LOSS_KERNEL = "CohesiveKdLossForward";
/** Name of the registered WebGPU kernel for the top-k fused loss (forward + gradient). */
export const KD_LOSS_TOPK_KERNEL = "CohesiveKdLossTopKForward";

function kdLossKernelFunc(topK: boolean): tf.KernelFunc {
  return ({ inputs, backend, attrs }) => {
    const a = attrs as { temperature: number; alphaKd: number; alphaMlm: number; grad: boolean };
    const ins = inputs as Record<string, tf.TensorInfo>;
    const list = topK
      ? [ins.logits, ins.topIds, ins.topProbs, ins.labels, ins.tail]
      : [ins.logits, ins.target, ins.labels];
    const [N, V] = ins.logits.shape;
    const program = new KdLossProgram(N, V, topK, a.grad);
    return (backend as WebGPUBackend).runWebGPUProgram(program, list, "float32", [
      { type: "float32", data: [a.temperature] },
      { type: "float32", data: [a.alphaKd] },
      { type: "float32", data: [a.alphaMlm] },
    ]);
  };
}

registerWebGPUKernel(KD_LOSS_KERNEL, kdLossKernelFunc(false));
registerWebGPUKernel(KD_LOSS_TOPK_KERNEL, kdLossKernelFunc(true));

/** Runs a fused kernel; returns the flat [N·V grad | N losses] (or [N losses]) tensor. */
function runFused(
  kernel: string,
  inputs: Record<string, tf.Tensor>,
  T: number,
  alphaKd: number,
  alphaMlm: number,
  grad: boolean,
): tf.Tensor1D {
  return tf.engine().runKernel(
    kernel,
    inputs as tf.NamedTensorMap,
    { temperature: T, alphaKd, alphaMlm, grad } as unknown as tf.NamedAttrMap,
  ) as tf.Tensor1D;
}

/** The WebGPU path shared by both variants: fused forward, gradient kept for the backward. */
export function fusedOnWebGPU(
  kernel: string,
  logits: tf.Tensor2D,
  others: Record<string, tf.Tensor>,
  T: number,
  alphaKd: number,
  alphaMlm: number,
): tf.Scalar {
  const [N, V] = logits.shape;
  if (!tf.engine().isTapeOn()) {
    // No gradient will be asked for: the loss-only variant skips the [N, V] write.
    return tf.tidy(() =>
      tf.mean(runFused(kernel, { logits, ...others }, T, alphaKd, alphaMlm, false))
    );
  }
  const op = customGradOf<tf.Scalar>(([z], save) => {
    const both = runFused(kernel, { logits: z, ...others }, T, alphaKd, alphaMlm, true);
    save([both]);
    return {
      value: tf.mean(tf.slice(both, [N * V], [N])) as tf.Scalar,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => [scaledPrefix(saved[0], dy, [N, V])],
    };
  });
  return op(logits) as tf.Scalar;
}
