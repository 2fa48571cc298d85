/**
 * Raw-text WSD with a neural model (LMGC / LMGC-M, or a model folder with a sense table): the
 * knowledge-based pipeline finds tokens, lemmas, parts of speech and candidate senses; the model
 * picks among the candidates by P(match) of each context–gloss pair, or by the nearest sense.
 *
 * @module
 */
import type { BertModel, WordPieceTokenizer } from "@cohesive/shared";
import { analyzeText, type DisambiguatedToken } from "./disambiguate.ts";
import { type InstancePairs, type PairPooling, quoteTarget } from "./lmgc.ts";
import { candidateProbabilities, type SenseTable } from "./senses.ts";
import type { WordNet } from "./wordnet.ts";
import { chooseWithPrior } from "./prior.ts";

/** Options of {@link disambiguateNeural}. */
export interface NeuralWsdOptions {
  /** The model's name in the answer (default `lmgc`; `+prior` is added when the prior is on). */
  name?: string;
  /** Sense-prior weight λ (see `prior.ts`); default 0, the model alone. */
  priorWeight?: number;
  /** What the head reads; the one it was trained with (default `cls`). */
  pooling?: PairPooling;
  /** Also return every candidate's P(match) (`candidates` of each disambiguated token). */
  candidates?: boolean;
  /** Score by nearest sense in this table (`senses.ts`) instead of the 2-way head. */
  senses?: SenseTable;
}

/** One candidate sense of a token and the model's P(match) for it. */
export interface CandidateScore {
  /** Sense key. */
  senseKey: string;
  /** P(match) of the context–gloss pair (P(sense) with a sense table). */
  score: number;
  /** The synset's definition. */
  gloss: string;
}

/** A token disambiguated by a neural model; `candidates` when asked for (WordNet order). */
export interface NeuralToken extends DisambiguatedToken {
  /** Every candidate's P(match), with `candidates: true`. */
  candidates?: CandidateScore[];
}

/**
 * Disambiguate `text` with `model`: every content word with WordNet candidates gets the sense
 * of highest P(match) (times the sense prior to the power λ when `priorWeight` is set); `score`
 * is that sense's P(match); with `candidates`, every candidate's P(match) too (to see whether, and
 * how much, the context moves the model).
 */
export async function disambiguateNeural(
  text: string,
  wn: WordNet,
  model: BertModel,
  tok: WordPieceTokenizer,
  opts: NeuralWsdOptions = {},
): Promise<NeuralToken[]> {
  const weight = opts.priorWeight ?? 0;
  const name = (opts.name ?? (opts.senses ? "senses" : "lmgc")) + (weight > 0 ? "+prior" : "");
  const tokens = analyzeText(text, wn);
  const insts: InstancePairs[] = [];
  const at: number[] = [];
  // Each sentence's words (one array per sentence, shared by its targets) and each token's place.
  const sentenceWords = new Map<number, string[]>();
  const place = tokens.map((t) => {
    let words = sentenceWords.get(t.sentence);
    if (!words) sentenceWords.set(t.sentence, words = []);
    words.push(t.text);
    return { words, index: words.length - 1 };
  });
  tokens.forEach((t, i) => {
    if (!t.pos || t.candidates.length === 0) return;
    const { words, index } = place[i];
    const { context, target } = quoteTarget(words, index);
    insts.push({
      id: String(i),
      context,
      target,
      candidates: t.candidates,
      glosses: t.candidates.map((s) => `${t.text} : ${s.synset.definition}`),
      occurrence: { words, index },
    });
    at.push(i);
  });
  const scores = await candidateProbabilities(model, tok, insts, {
    pooling: opts.pooling,
    senses: opts.senses,
  });
  const out: NeuralToken[] = tokens.map((t) => ({
    text: t.text,
    start: t.start,
    end: t.end,
    lemma: t.lemma,
    pos: t.pos,
    senseKey: null,
    synset: null,
    gloss: null,
    score: null,
    model: null,
  }));
  insts.forEach((p, j) => {
    const s = scores.get(p.id)!;
    const best = chooseWithPrior(s, p.candidates, weight);
    const sense = p.candidates[best];
    Object.assign(out[at[j]], {
      senseKey: sense.key,
      synset: sense.synset.id,
      gloss: sense.synset.definition,
      score: s[best],
      model: name,
    });
    if (opts.candidates) {
      out[at[j]].candidates = p.candidates.map((c, k) => ({
        senseKey: c.key,
        score: s[k],
        gloss: c.synset.definition,
      }));
    }
  });
  return out;
}
