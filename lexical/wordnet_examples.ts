/**
 * WordNet's example sentences as a sense-annotated corpus (the "WNE" training data of the WSD
 * literature): each example belongs to one synset, so the synset's lemma found in it is an
 * instance whose gold sense is that lemma's sense in the synset ("they pulled the canoe up on the
 * bank" → `bank%1:17:01::`). The corpus ships with WordNet, so LMGC trains and selects without the
 * data folder (quick start, tests), and it adds to SemCor when both are wanted.
 *
 * @module
 */
import { tokenize } from "./disambiguate.ts";
import type { WsdCorpus, WsdKeys, WsdSentence, WsdToken } from "./raganato.ts";
import type { PartOfSpeech, Synset, WordNet } from "./wordnet.ts";
import { type WordNetText, wordnetText } from "./wordnet_text.ts";

/** Which examples: a held-out share (by a hash of the example) or the rest. */
export type ExampleSplit = "train" | "dev" | "all";

/** Options of {@link wordnetExamples}. */
export interface WordNetExamplesOptions {
  /** Which part (default `all`). */
  split?: ExampleSplit;
  /** Percentage of examples in `dev` (default 1: 453 of WordNet 3.0's, about the size of semeval2007). */
  devPercent?: number;
}

/** The examples as a framework corpus, with gold keys. */
export interface WordNetExamples {
  /** One text (`wne`), one sentence per example, one instance per sentence. */
  corpus: WsdCorpus;
  /** Instance id → `[sense key]`. */
  keys: WsdKeys;
  /** Examples read. */
  examples: number;
  /** Examples skipped: in the other split, or no lemma of their synset found in them. */
  skipped: number;
}

const UPOS: Record<PartOfSpeech, string> = { n: "NOUN", v: "VERB", a: "ADJ", r: "ADV" };

/** Each WordNet's glosses are read once per process (train and dev splits come from one read). */
const textCache = new WeakMap<WordNet, Promise<WordNetText>>();
function examplesOf(wn: WordNet): Promise<WordNetText> {
  let t = textCache.get(wn);
  if (!t) textCache.set(wn, t = wordnetText(wn.path));
  return t;
}

/** FNV-1a, for a split that does not depend on the order of the data files. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193);
  return h >>> 0;
}

/**
 * Where a lemma of `synset` occurs in `words` (lower case): the first lemma, in the synset's word
 * order, whose words all match (the word itself or one of its base forms), as `[start, length,
 * lemma]`.
 */
function findLemma(
  wn: WordNet,
  synset: Synset,
  words: string[],
): [number, number, string] | undefined {
  const is = (w: string, want: string) =>
    w === want || wn.morphy(w, synset.pos).some((b) => b === want);
  for (const lemma of synset.lemmas) {
    const parts = lemma.toLowerCase().split(/[_ ]/);
    for (let i = 0; i + parts.length <= words.length; i++) {
      if (parts.every((p, j) => is(words[i + j], p))) return [i, parts.length, lemma];
    }
  }
  return undefined;
}

/**
 * WordNet's example sentences of `wn` as a corpus: each example whose synset lemma can be found
 * in it becomes a sentence with that one instance, labelled with the lemma's sense key.
 */
export async function wordnetExamples(
  wn: WordNet,
  opts: WordNetExamplesOptions = {},
): Promise<WordNetExamples> {
  const split = opts.split ?? "all", pct = opts.devPercent ?? 1;
  const { examples } = await examplesOf(wn);
  const sentences: WsdSentence[] = [];
  const keys: WsdKeys = new Map();
  let skipped = 0;
  for (const ex of examples) {
    const inDev = hash(`${ex.synset} ${ex.text}`) % 100 < pct;
    if ((split === "dev" && !inDev) || (split === "train" && inDev)) {
      skipped++;
      continue;
    }
    const synset = wn.synset(ex.synset);
    const spans = tokenize(ex.text);
    const found = synset && findLemma(wn, synset, spans.map((s) => s.text.toLowerCase()));
    const key = found && wn.senseKeyOf(found[2], synset);
    if (!found || !key) {
      skipped++;
      continue;
    }
    const [at, n] = found;
    const sid = `wne.s${String(sentences.length).padStart(6, "0")}`;
    const id = `${sid}.t000`;
    const tokens: WsdToken[] = spans.map((s) => ({
      kind: "wf",
      text: s.text,
      lemma: "",
      pos: "X",
    }));
    tokens.splice(at, n, {
      kind: "instance",
      id,
      text: spans.slice(at, at + n).map((s) => s.text).join(" "),
      lemma: found[2].toLowerCase(),
      pos: UPOS[synset.pos],
    });
    sentences.push({ id: sid, tokens });
    keys.set(id, [key]);
  }
  return {
    corpus: {
      attributes: { lang: "en", source: "wordnet-examples" },
      texts: [{ id: "wne", sentences }],
    },
    keys,
    examples: examples.length,
    skipped,
  };
}
