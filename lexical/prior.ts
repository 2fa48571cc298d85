/**
 * Sense-frequency prior for the neural WSD models: a candidate's score is
 * `log P(match) + λ · log p(sense)` (P(sense) of the nearest-sense scorer in place of P(match)
 * for a model folder with a sense table), where `p(sense)` comes from WordNet's tag counts (the
 * semantic-concordance counts that order its senses; add-one smoothed over the candidates) and
 * `λ` is chosen on the model-selection set (semeval2007), never on a test set. `λ = 0` is the
 * model alone. The chosen `λ` lives beside the checkpoint in `wsd.json`, so `predict`, `disambiguate`
 * and the server apply the rule the run selected.
 *
 * Supervised WSD systems have always leaned on sense frequency (the framework's MFS backoff); a
 * small student whose gloss classifier is weak gains most from it. Reports give both numbers.
 *
 * @module
 */
import { join } from "node:path";
import { writeFileAtomic } from "@cohesive/shared";
import type { BertModel, WordPieceTokenizer } from "@cohesive/shared";
import type { InstancePairs } from "./lmgc.ts";
import { candidateProbabilities, type ScoringOptions } from "./senses.ts";
import type { WsdKeys } from "./raganato.ts";
import { scoreKeys } from "./scorer.ts";
import type { Sense } from "./wordnet.ts";

/** The prior weights tried on the selection set. */
export const PRIOR_WEIGHTS: readonly number[] = [0, 0.1, 0.2, 0.3, 0.5, 0.75, 1, 1.5, 2, 3, 5, 8];

/** The decision rule a run selected (`wsd.json` beside its best checkpoint). */
export interface PriorSetting {
  /** Where `p(sense)` comes from. */
  prior: "wordnet-tag-counts";
  /** λ. */
  weight: number;
  /** The corpus λ was chosen on. */
  selectedOn: string;
  /** Selection-set F1 for every λ tried (keys are the weights). */
  f1: Record<string, number>;
}

/** `log p(sense)` of each candidate: WordNet tag counts + 1, normalised over the candidates. */
export function senseLogPrior(candidates: readonly Sense[]): number[] {
  const total = candidates.reduce((a, s) => a + s.tagCount + 1, 0);
  return candidates.map((s) => Math.log((s.tagCount + 1) / total));
}

/**
 * Index of the best candidate under `log P(match) + weight · log p(sense)`; ties go to the
 * earlier candidate (WordNet's sense order). `weight` 0 is the plain argmax of `probs`.
 */
export function chooseWithPrior(
  probs: readonly number[],
  candidates: readonly Sense[],
  weight: number,
): number {
  if (probs.length !== candidates.length) {
    throw new RangeError(`${probs.length} scores for ${candidates.length} candidates`);
  }
  const logPrior = weight > 0 ? senseLogPrior(candidates) : undefined;
  let best = 0, bestScore = -Infinity;
  probs.forEach((p, i) => {
    const s = logPrior ? Math.log(Math.max(p, 1e-12)) + weight * logPrior[i] : p;
    if (s > bestScore) [best, bestScore] = [i, s];
  });
  return best;
}

/** Keys (instance id → `[sense key]`) chosen from per-candidate P(match) with prior `weight`. */
export function keysWithPrior(
  insts: readonly InstancePairs[],
  scores: ReadonlyMap<string, readonly number[]>,
  weight: number,
): WsdKeys {
  const keys: WsdKeys = new Map();
  for (const p of insts) {
    const s = scores.get(p.id);
    if (!s) continue;
    keys.set(p.id, [p.candidates[chooseWithPrior(s, p.candidates, weight)].key]);
  }
  return keys;
}

/**
 * Choose λ among `weights` by F1 on a selection set (ties: the smaller λ, the model's own
 * answer preferred).
 */
export function selectPriorWeight(
  insts: readonly InstancePairs[],
  scores: ReadonlyMap<string, readonly number[]>,
  gold: WsdKeys,
  selectedOn: string,
  weights: readonly number[] = PRIOR_WEIGHTS,
): PriorSetting {
  const f1: Record<string, number> = {};
  let best = weights[0], bestF1 = -1;
  for (const w of weights) {
    const s = scoreKeys(gold, keysWithPrior(insts, scores, w)).f1;
    f1[String(w)] = s;
    if (s > bestF1 + 1e-9) [best, bestF1] = [w, s];
  }
  return { prior: "wordnet-tag-counts", weight: best, selectedOn, f1 };
}

/** File name of the setting inside a checkpoint folder. */
export const PRIOR_FILE = "wsd.json";

/** Read `wsd.json` of a checkpoint folder; undefined when there is none. */
export async function readPriorSetting(dir: string): Promise<PriorSetting | undefined> {
  let text: string;
  try {
    text = await Deno.readTextFile(join(dir, PRIOR_FILE));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return undefined;
    throw e;
  }
  const s = JSON.parse(text) as PriorSetting;
  if (s.prior !== "wordnet-tag-counts" || !(Number.isFinite(s.weight) && s.weight >= 0)) {
    throw new RangeError(`${join(dir, PRIOR_FILE)}: not a prior setting (prior, weight ≥ 0)`);
  }
  return s;
}

/** Write `wsd.json` into a checkpoint folder (atomically). */
export async function writePriorSetting(dir: string, s: PriorSetting): Promise<void> {
  await writeFileAtomic(join(dir, PRIOR_FILE), JSON.stringify(s, null, 2) + "\n");
}

/**
 * Choose λ for `model` (with its sense table, when `opts.senses` is given) on a selection set (its
 * instances and gold keys) and write it beside the checkpoint in `dir` (`wsd.json`).
 */
export async function tunePrior(
  model: BertModel,
  tok: WordPieceTokenizer,
  dev: { insts: readonly InstancePairs[]; gold: WsdKeys; name: string },
  dir: string,
  opts: ScoringOptions & { weights?: readonly number[] } = {},
): Promise<PriorSetting> {
  const scores = await candidateProbabilities(model, tok, [...dev.insts], opts);
  const setting = selectPriorWeight(dev.insts, scores, dev.gold, dev.name, opts.weights);
  await writePriorSetting(dir, setting);
  return setting;
}
