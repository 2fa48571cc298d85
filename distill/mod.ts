/**
 * Multi-teacher masked-LM distillation; for now, teacher pretraining.
 *
 * @module
 */
export * from "./run_config.ts";
export * from "./text_source.ts";
export * from "./pretrain.ts";
export * from "./weighting.ts";
export * from "./teachers.ts";
export * from "./cache.ts";
export * from "./student.ts";
export * from "./compare.ts";
