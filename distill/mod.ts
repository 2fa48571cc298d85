/**
 * Multi-teacher masked-LM distillation; for now, teacher pretraining.
 *
 * @module
 */
export { DEFAULT_MLM_RUN, type MlmRunConfig, resolveMlmRun } from "./run_config.ts";
export { loadTokenizer, mlmTokenizer, openText } from "./text_source.ts";
export {
  type PretrainOptions,
  type PretrainResult,
  pretrainTeacher,
  resolveTeacherRun,
  type TeacherRunConfig,
} from "./pretrain.ts";
export {
  mixTopK,
  type TeacherTopK,
  teacherWeights,
  type Weighting,
  WEIGHTINGS,
} from "./weighting.ts";
export { loadTeachers, type Teacher, teacherTopK } from "./teachers.ts";
export {
  buildCache,
  type BuildCacheOptions,
  type CachedBatch,
  type CacheManifest,
  CacheReader,
  parseShard,
} from "./cache.ts";
export {
  DEFAULT_DISTILL_RUN,
  type DistillOptions,
  type DistillResult,
  type DistillRunConfig,
  distillStudent,
  resolveDistillRun,
} from "./student.ts";
export {
  compare,
  type CompareOptions,
  type CompareReport,
  DEFAULT_VARIANTS,
  stepsToReach,
  type Variant,
  type VariantResult,
} from "./compare.ts";
