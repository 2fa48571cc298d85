/**
 * @cohesive/eval: the WSD scorer of Raganato et al.'s framework (`Scorer.java` semantics, per
 * dataset and part of speech, WordNet 3.0 / 3.1 keys mapped and counted) and the knowledge-based
 * baselines beside the published numbers; GLUE-style NLU fine-tuning and metrics; a plagiarism
 * benchmark (a synonym spinner over held-out corpus text, PAN and MRPC pairs, STS-2016) with a
 * TF-IDF + logistic-regression baseline; and one report gathering every result with its command.
 *
 * @example
 * ```ts
 * import { scoreWsd } from "@cohesive/eval";
 * const gold = new Map([["d0.s0.t0", ["bank%1:17:01::"]]]);
 * console.log(scoreWsd(gold, gold).all.f1); // 100
 * ```
 *
 * @module
 */
export {
  formatScorerOutput,
  type GoldCoverage,
  goldCoverage,
  type KeyMapStats,
  mapSenseKeys,
  NoAnswersError,
  parseScorerKeys,
  type PosSource,
  readScorerKeys,
  type ScorerKeys,
  scoreWsd,
  scoreWsdFiles,
  type ScoreWsdOptions,
  type SenseInventory,
  type SynsetLike,
  type WordNetPos,
  WSD_POS,
  type WsdReport,
  type WsdScore,
} from "./wsd_score.ts";
export {
  formatWsdBaselines,
  runWsdBaselines,
  type WsdBaselineResult,
  type WsdBaselinesOptions,
  type WsdBaselinesReport,
} from "./wsd_baselines.ts";
export { accuracy, matthews, spearman } from "./metrics.ts";
export {
  type LoadNluOptions,
  loadNluTask,
  NLU_TASKS,
  type NluData,
  type NluExample,
  type NluMetric,
  type NluTaskName,
  type NluTaskSpec,
} from "./nlu_data.ts";
export {
  fineTune,
  type FineTuneConfig,
  type FineTuneOptions,
  type FineTuneResult,
  type LabelledInput,
  SequenceClassifier,
  type TextInput,
} from "./classifier.ts";
export {
  formatNluReport,
  type NluModelResult,
  type NluOptions,
  type NluReport,
  type NluTaskResult,
  runNlu,
  writeNluReport,
} from "./nlu.ts";
export {
  type RandomSource,
  SPIN_SETTINGS,
  type SpinChoice,
  Spinner,
  type SpinPos,
  type SpinResult,
  type SynonymSource,
} from "./spinner.ts";
export { cosine, dense, LogisticRegression, type SparseVector, TfidfVectorizer } from "./linear.ts";
export { type SpinStats } from "./plagiarism_data.ts";
export {
  type BinaryScores,
  type Correlation,
  formatPlagiarismReport,
  type PlagiarismOptions,
  type PlagiarismPart,
  type PlagiarismReport,
  type PlagiarismSystem,
  runPlagiarism,
  type SpinSetting,
  writePlagiarismReport,
} from "./plagiarism.ts";
export { buildReport, type NamedPath, type ReportOptions } from "./report.ts";
export {
  evaluateMlm,
  formatMlmTable,
  type MlmEvalOptions,
  type MlmEvalResult,
  type MlmEvalRow,
} from "./mlm.ts";
