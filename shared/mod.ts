/**
 * The cohesive runtime: backend choice, the BERT-family model, tokenizer, checkpoints and
 * training utilities.
 *
 * @module
 */
export * from "./data_dir.ts";
export * from "./atomic.ts";
export * from "./bert_config.ts";
export * from "./strict_config.ts";
export {
  type BackendName,
  BACKENDS,
  initRuntime,
  type RuntimeInfo,
  useBackend,
  webgpuAdapter,
} from "./runtime.ts";
export * from "./tensor_types.ts";
export * from "./model.ts";
export * from "./rng.ts";
export * from "./optim.ts";
export * from "./progress.ts";
export * from "./metrics_log.ts";
export * from "./mlm_data.ts";
export * from "./losses.ts";
export * from "./safetensors.ts";
export * from "./checkpoint.ts";
export * from "./training_state.ts";
export * from "./trainer.ts";
export * from "./mlm_eval.ts";
export * from "./tokenizer.ts";
export * from "./wordpiece_trainer.ts";
export * from "./cli.ts";
export * from "./kernels/kd_loss.ts";
export * from "./kernels/attention.ts";
export * from "./svg_plot.ts";
