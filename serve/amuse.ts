/**
 * The AMuSE-WSD response shape, so clients of that service can switch: per text
 * `{"tokens": [{index, text, pos, lemma, wnSynsetOffset, nltkSynset}]}`, universal POS tags, and
 * `"O"` for tokens without a sense. Synset ids are given in WordNet 3.0 (what AMuSE-WSD and NLTK
 * use) when a 3.0 inventory is at hand: a sense chosen in WordNet 3.1 is carried over by its sense
 * key (`O` when 3.0 lacks that key).
 *
 * NLTK's synset name is `<first lemma>.<type>.<NN>`: the synset's first lemma in lower case, its
 * type (`n v a s r`, `s` for adjective satellites) and the synset's 1-based position among the
 * senses of that lemma in that part of speech (`bank.n.01`, `full.s.06`).
 *
 * @module
 */
import type { DisambiguatedToken, Synset, WordNet } from "@cohesive/lexical";
import { LruCache } from "./lru.ts";

/** One token of the AMuSE-WSD shape. */
export interface AmuseToken {
  /** 0-based position in the text's token list. */
  index: number;
  /** The token as in the text. */
  text: string;
  /** Universal POS tag (`NOUN`, `VERB`, `ADJ`, `ADV`, `DET`, `ADP`, `PUNCT`...). */
  pos: string;
  /** Lemma (WordNet's, `_` between words; the lower-cased text for function words). */
  lemma: string;
  /**
   * WordNet offset and part of speech as AMuSE-WSD writes them, without zero padding (e.g.
   * `9213565n` for WordNet's `09213565n`); `O` without a sense.
   */
  wnSynsetOffset: string;
  /** NLTK's synset name, e.g. `bank.n.01`; `O` without a sense. */
  nltkSynset: string;
}

/** One text in the AMuSE-WSD shape. */
export interface AmuseText {
  /** Its tokens. */
  tokens: AmuseToken[];
}

/** The value AMuSE-WSD gives fields of tokens without a sense. */
export const NO_SENSE = "O";

const UPOS_WORDS: Record<string, string> = {};
function tag(tagName: string, words: string): void {
  for (const w of words.split(" ")) UPOS_WORDS[w] = tagName;
}
tag(
  "DET",
  "the a an this that these those some any every each no another either neither all both",
);
tag(
  "ADP",
  "of in on at by for with from into onto about over under through between among after before " +
    "during without within against across along around behind beyond near toward towards upon " +
    "than like since until",
);
tag(
  "PRON",
  "i me my mine myself you your yours yourself yourselves he him his himself she her hers " +
    "herself it its itself we us our ours ourselves they them their theirs themselves who whom " +
    "whose which what someone something anyone anything everyone everything nobody nothing",
);
tag("CCONJ", "and or but nor yet so");
tag("SCONJ", "if because while although though whether unless whereas once");
tag(
  "AUX",
  "be is are was were been being am 's 're 'm have has had having do does did will would can " +
    "could shall should may might must 'll 'd 've",
);
tag("PART", "to not n't");

/**
 * A WordNet synset id (`09213565n`) as AMuSE-WSD writes it: the offset without leading zeros,
 * then the part of speech (`9213565n`).
 *
 * @example
 * ```ts
 * import { amuseOffset } from "@cohesive/serve";
 * amuseOffset("02118333n"); // "2118333n"
 * ```
 */
export function amuseOffset(synsetId: string): string {
  return synsetId.replace(/^0+(?=\d)/, "");
}

/** The universal POS tag of a token: from its WordNet part of speech, else from a word list. */
export function universalPos(token: Pick<DisambiguatedToken, "text" | "pos">): string {
  switch (token.pos) {
    case "n":
      return "NOUN";
    case "v":
      return "VERB";
    case "a":
      return "ADJ";
    case "r":
      return "ADV";
  }
  const t = token.text.toLowerCase().replace(/’/g, "'");
  if (UPOS_WORDS[t]) return UPOS_WORDS[t];
  if (/^\p{P}+$/u.test(t)) return "PUNCT";
  if (/^\p{S}+$/u.test(t)) return "SYM";
  if (/^[\d.,]+$/.test(t)) return "NUM";
  if (/^\p{Lu}/u.test(token.text)) return "PROPN";
  return "X";
}

/**
 * NLTK's name of `synset` in `wn`: `<first lemma>.<type>.<NN>` (`bank.n.01`, `full.s.06`).
 */
export function nltkSynsetName(wn: WordNet, synset: Synset): string {
  const lemma = synset.lemmas[0].toLowerCase();
  const senses = wn.sensesOf(lemma, synset.pos);
  const i = senses.findIndex((s) => s.synset.id === synset.id);
  const n = i >= 0 ? i + 1 : 1;
  return `${lemma}.${synset.type}.${String(n).padStart(2, "0")}`;
}

/**
 * Converts tokens disambiguated in one WordNet (the served inventory) to the AMuSE-WSD shape with
 * the ids of another (WordNet 3.0 when available).
 */
export class AmuseConverter {
  /** The inventory of the ids given out. */
  readonly target: WordNet;
  readonly #source: WordNet;
  readonly #names = new LruCache<string, string>(50_000);

  /**
   * Create a converter.
   *
   * @param source the inventory the senses were chosen in.
   * @param target the inventory whose ids to give (default: `source`).
   */
  constructor(source: WordNet, target: WordNet = source) {
    this.#source = source;
    this.target = target;
  }

  #nltk(synset: Synset): string {
    let name = this.#names.get(synset.id);
    if (name === undefined) {
      name = nltkSynsetName(this.target, synset);
      this.#names.set(synset.id, name);
    }
    return name;
  }

  /** The AMuSE-WSD tokens of one disambiguated text. */
  convert(tokens: readonly DisambiguatedToken[]): AmuseToken[] {
    return tokens.map((t, index) => {
      let synset: Synset | undefined;
      if (t.senseKey) {
        synset = this.target === this.#source && t.synset
          ? this.#source.synset(t.synset)
          : this.target.synsetOfKey(t.senseKey);
      }
      return {
        index,
        text: t.text,
        pos: universalPos(t),
        lemma: t.lemma ?? t.text.toLowerCase(),
        wnSynsetOffset: synset ? amuseOffset(synset.id) : NO_SENSE,
        nltkSynset: synset ? this.#nltk(synset) : NO_SENSE,
      };
    });
  }
}
