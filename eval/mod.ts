/**
 * @cohesive/eval: the WSD scorer of Raganato et al.'s framework (`Scorer.java` semantics, per
 * dataset and part of speech, WordNet 3.0 / 3.1 keys mapped and counted) and the knowledge-based
 * baselines beside the published numbers; GLUE-style NLU fine-tuning and metrics; a plagiarism
 * benchmark (a synonym spinner over held-out corpus text, PAN and MRPC pairs, STS-2016) with a
 * TF-IDF + logistic-regression baseline; and one report gathering every result with its command.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { scoreWsd } from "@cohesive/eval";
 * const gold = new Map([["d0.s0.t0", ["bank%1:17:01::"]]]);
 * assert.equal(scoreWsd(gold, gold).all.f1, 100);
 * ```
 *
 * @module
 */
export { formatScorerOutput, goldCoverage, mapSenseKeys, NoAnswersError } from "./wsd_score.ts";
export { parseScorerKeys, readScorerKeys, scoreWsd, scoreWsdFiles, WSD_POS } from "./wsd_score.ts";
export type { GoldCoverage, KeyMapStats, PosSource, ScorerKeys } from "./wsd_score.ts";
export type { ScoreWsdOptions, SenseInventory, SynsetLike, WordNetPos } from "./wsd_score.ts";
export type { WsdReport, WsdScore } from "./wsd_score.ts";
export { DEFAULT_WSD_BASELINES, formatWsdBaselines, runWsdBaselines } from "./wsd_baselines.ts";
export type { WsdBaselineResult, WsdBaselinesOptions } from "./wsd_baselines.ts";
export type { WsdBaselinesReport } from "./wsd_baselines.ts";
export { accuracy, matthews, spearman } from "./metrics.ts";
export { loadNluTask, NLU_TASKS } from "./nlu_data.ts";
export type { LoadNluOptions, NluData, NluExample, NluMetric, NluTaskName } from "./nlu_data.ts";
export type { NluTaskSpec } from "./nlu_data.ts";
export { fineTune, SequenceClassifier } from "./classifier.ts";
export type { FineTuneConfig, FineTuneOptions, FineTuneResult } from "./classifier.ts";
export type { LabelledInput, TextInput } from "./classifier.ts";
export { formatNluReport, runNlu, writeNluReport } from "./nlu.ts";
export type { NluModelResult, NluOptions, NluReport, NluTaskResult } from "./nlu.ts";
export { SPIN_SETTINGS, Spinner } from "./spinner.ts";
export type { RandomSource, SpinChoice, SpinPos, SpinResult, SynonymSource } from "./spinner.ts";
export { cosine, dense, LogisticRegression, TfidfVectorizer } from "./linear.ts";
export type { SparseVector } from "./linear.ts";
export { loadPan, paragraphsBySource } from "./plagiarism_data.ts";
export type { Paragraph, ParagraphOptions, ParagraphSplit, SpinStats } from "./plagiarism_data.ts";
export { formatPlagiarismReport, runPlagiarism, writePlagiarismReport } from "./plagiarism.ts";
export type { BinaryScores, Correlation, PlagiarismOptions, PlagiarismPart } from "./plagiarism.ts";
export type { PlagiarismReport, PlagiarismSystem, SpinSetting } from "./plagiarism.ts";
export { buildReport } from "./report.ts";
export type { NamedPath, ReportOptions } from "./report.ts";
export { evaluateMlm, formatMlmTable, unigramCrossEntropy } from "./mlm.ts";
export type { MlmEvalOptions, MlmEvalResult, MlmEvalRow } from "./mlm.ts";
