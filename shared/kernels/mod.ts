/**
 * Custom tfjs kernels for cohesive's hot paths: the fused distillation loss (dense and top-k
 * teacher) and fused scaled-dot-product attention. Each op runs a WGSL kernel registered for the
 * tfjs `webgpu` backend when that backend is active and plain tfjs ops elsewhere (`wasm`, `cpu`),
 * with a `*Reference` twin built from plain ops that serves as the test oracle. Each kernel's
 * files: `<name>_reference.ts` (the oracle), `<name>_webgpu.ts` (the WGSL program), and
 * `<name>.ts` (registration and the op).
 *
 * @module
 */
export { kdLoss, kdLossTopK } from "./kd_loss.ts";
export { kdLossReference, kdLossTopKReference } from "./kd_loss_reference.ts";
export { KD_LOSS_KERNEL, KD_LOSS_TOPK_KERNEL } from "./kd_loss_kernel.ts";
export { attention, ATTENTION_KERNEL, attentionTile } from "./attention.ts";
export { attentionReference, MASK_BIAS } from "./attention_reference.ts";
export type { Scalar, Tensor1D, Tensor2D, Tensor4D } from "../tensor_types.ts";
