/**
 * Multi-teacher masked-LM distillation; for now, teacher pretraining.
 *
 * @module
 */
export { DEFAULT_MLM_RUN, resolveMlmRun } from "./run_config.ts";
export type { MlmRunConfig } from "./run_config.ts";
export { loadTokenizer, mlmTokenizer, openText } from "./text_source.ts";
export { pretrainTeacher, resolveTeacherRun } from "./pretrain.ts";
export type { PretrainOptions, PretrainResult, TeacherRunConfig } from "./pretrain.ts";
export { mixTopK, teacherWeights, WEIGHTINGS } from "./weighting.ts";
export type { TeacherTopK, Weighting } from "./weighting.ts";
export { loadTeachers, teacherTopK } from "./teachers.ts";
export type { Teacher } from "./teachers.ts";
export { buildCache, CacheReader, parseShard } from "./cache.ts";
export type { BuildCacheOptions, CachedBatch, CacheManifest } from "./cache.ts";
export { DEFAULT_DISTILL_RUN, distillStudent, resolveDistillRun } from "./student.ts";
export type { DistillOptions, DistillResult, DistillRunConfig } from "./student.ts";
export { compare, DEFAULT_VARIANTS, stepsToReach } from "./compare.ts";
export type { CompareOptions, CompareReport, Variant, VariantResult } from "./compare.ts";
