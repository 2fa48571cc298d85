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
export * from "./wsd_score.ts";
export * from "./wsd_baselines.ts";
export * from "./metrics.ts";
export * from "./nlu_data.ts";
export * from "./classifier.ts";
export * from "./nlu.ts";
export * from "./spinner.ts";
export * from "./linear.ts";
export * from "./plagiarism_data.ts";
export * from "./plagiarism.ts";
export * from "./report.ts";
export * from "./mlm.ts";
