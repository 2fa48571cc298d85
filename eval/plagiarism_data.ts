/**
 * Data of the plagiarism benchmark: paragraphs of the data folder's `corpus/` split by source
 * document (file) into train and test, the machine-paraphrase (spun) detection sets built from
 * them, the PAN paraphrase pairs, and the SemEval-2016 STS plagiarism pairs.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { basename, join } from "node:path";
import { requireDataDir, Rng } from "@cohesive/shared";
import type { LabelledInput } from "./classifier.ts";
import type { Spinner } from "./spinner.ts";

/** A paragraph and the source file it came from. */
export interface Paragraph {
  /** The source file's name (`brown.txt`). */
  source: string;
  /** The text. */
  text: string;
}

/** Paragraphs split by source file. */
export interface ParagraphSplit {
  /** Source files of the training side. */
  trainFiles: string[];
  /** Source files of the test side (no file is on both sides). */
  testFiles: string[];
  /** Training paragraphs. */
  train: Paragraph[];
  /** Test paragraphs. */
  test: Paragraph[];
}

/** Options of {@link paragraphsBySource}. */
export interface ParagraphOptions {
  /** A paragraph gathers consecutive lines until it has this many words. Default 40. */
  minWords?: number;
  /** ... and is cut (at a line end, else mid-line) at this many. Default 120. */
  maxWords?: number;
  /** Paragraphs drawn per side. Default 400. */
  perSplit?: number;
  /** Fraction of the source files held out for test (at least one file). Default 0.3. */
  testFraction?: number;
  /** Seed of the file split and the draws. Default 0. */
  seed?: number;
}

/** Undo the tokenisation marks of the corpus files (WikiText `@-@`, Brown quotes). */
export function cleanCorpusLine(line: string): string {
  return line
    .replace(/ @([-.,])@ /g, "$1")
    .replace(/``|''/g, '"')
    .replace(/\s+/g, " ")
    .trim();
}

/** Paragraphs of one file's text: consecutive lines joined to `minWords`..`maxWords` words. */
export function paragraphsOf(text: string, minWords = 40, maxWords = 120): string[] {
  const out: string[] = [];
  let words: string[] = [];
  const flush = () => {
    if (words.length >= minWords) out.push(words.slice(0, maxWords).join(" "));
    words = [];
  };
  for (const raw of text.split("\n")) {
    const line = cleanCorpusLine(raw);
    if (!line) {
      flush();
      continue;
    }
    words.push(...line.split(" "));
    if (words.length >= minWords) flush();
  }
  flush();
  return out;
}

/**
 * Split the `.txt` files of `dir` by file into train and test (a seeded shuffle of the file
 * names; `testFraction` of them, at least one, go to test), then draw `perSplit` paragraphs per
 * side, round-robin over the side's files so no single source dominates.
 *
 * @throws {Deno.errors.NotFound} when the folder is missing or holds fewer than two files.
 */
export async function paragraphsBySource(
  dir: string,
  o: ParagraphOptions = {},
): Promise<ParagraphSplit> {
  if (!existsSync(dir)) throw new Deno.errors.NotFound(`corpus folder ${dir} does not exist`);
  const files: string[] = [];
  for await (const e of Deno.readDir(dir)) {
    if (e.isFile && e.name.endsWith(".txt")) files.push(e.name);
  }
  files.sort();
  if (files.length < 2) {
    throw new Deno.errors.NotFound(
      `${dir}: needs at least two .txt source files, has ${files.length}`,
    );
  }
  const seed = o.seed ?? 0;
  const shuffled = new Rng(seed).shuffle([...files]);
  const nTest = Math.min(
    files.length - 1,
    Math.max(1, Math.round(files.length * (o.testFraction ?? 0.3))),
  );
  const testFiles = shuffled.slice(0, nTest).sort();
  const trainFiles = shuffled.slice(nTest).sort();
  const perSplit = o.perSplit ?? 400;
  const draw = async (names: string[], salt: number): Promise<Paragraph[]> => {
    const rng = new Rng(seed * 7919 + salt);
    const pools: Paragraph[][] = [];
    for (const f of names) {
      const ps = paragraphsOf(await Deno.readTextFile(join(dir, f)), o.minWords, o.maxWords);
      pools.push(rng.shuffle(ps.map((text) => ({ source: basename(f), text }))));
    }
    const out: Paragraph[] = [];
    for (let i = 0; out.length < perSplit && pools.some((p) => i < p.length); i++) {
      for (const p of pools) if (i < p.length && out.length < perSplit) out.push(p[i]);
    }
    return out;
  };
  return {
    trainFiles,
    testFiles,
    train: await draw(trainFiles, 1),
    test: await draw(testFiles, 2),
  };
}

/** Spinning statistics of one set. */
export interface SpinStats {
  /** The rate asked for. */
  rate: number;
  /** Content words replaced / content words seen. */
  realised: number;
  /** Paragraphs spun. */
  paragraphs: number;
}

/**
 * The detection set of `paragraphs` at one spin rate: every paragraph twice, original (label 0)
 * and spun (label 1), as in Wahle et al.'s machine-paraphrase corpus.
 */
export function spunSet(
  paragraphs: readonly Paragraph[],
  spinner: Spinner,
  rate: number,
  seed: number,
): { examples: LabelledInput[]; stats: SpinStats } {
  const rng = new Rng(seed);
  const examples: LabelledInput[] = [];
  let seen = 0, replaced = 0;
  for (const p of paragraphs) {
    const s = spinner.spin(p.text, rate, rng);
    seen += s.contentWords;
    replaced += s.replaced;
    examples.push({ a: p.text, label: 0 }, { a: s.text, label: 1 });
  }
  return {
    examples,
    stats: { rate, realised: seen ? replaced / seen : 0, paragraphs: paragraphs.length },
  };
}

function need(file: string): string {
  if (!existsSync(file)) {
    throw new Deno.errors.NotFound(
      `missing dataset file ${file} (set COHESIVE_DATA or run \`deno task data\`)`,
    );
  }
  return file;
}

async function textLines(file: string): Promise<string[]> {
  const ls = (await Deno.readTextFile(need(file))).replace(/^\uFEFF/, "").split(/\r?\n/);
  if (ls.length && ls[ls.length - 1] === "") ls.pop();
  return ls;
}

/** The PAN paraphrase pairs (`pan-{train,test}_s1/_s2.txt`, `.labels`): label 1 = paraphrase. */
export async function loadPan(
  dir: string = join(requireDataDir("the PAN pairs"), "paraphrase", "pan"),
): Promise<{ train: LabelledInput[]; test: LabelledInput[] }> {
  const split = async (name: string) => {
    const [s1, s2, labels] = await Promise.all([
      textLines(join(dir, `${name}_s1.txt`)),
      textLines(join(dir, `${name}_s2.txt`)),
      textLines(join(dir, `${name}.labels`)),
    ]);
    if (s1.length !== s2.length || s1.length !== labels.length) {
      throw new SyntaxError(
        `${
          join(dir, name)
        }: ${s1.length} first sentences, ${s2.length} second, ${labels.length} labels`,
      );
    }
    return s1.map((a, i) => ({ a, b: s2[i], label: Number(labels[i].trim()) === 1 ? 1 : 0 }));
  };
  return { train: await split("pan-train"), test: await split("pan-test") };
}

/** A scored STS pair. */
export interface ScoredPair {
  /** First sentence. */
  a: string;
  /** Second sentence. */
  b: string;
  /** Gold similarity, 0–5. */
  score: number;
}

/**
 * The SemEval-2016 STS plagiarism pairs that carry a gold score (`score \t s1 \t s2`; pairs
 * without a score were not in the official scoring and are left out).
 */
export async function loadSts2016(
  file: string = join(
    requireDataDir("the STS-2016 pairs"),
    "paraphrase",
    "sts2016",
    "plagiarism.test.tsv",
  ),
): Promise<{ pairs: ScoredPair[]; unscored: number }> {
  const pairs: ScoredPair[] = [];
  let unscored = 0;
  for (const line of await textLines(file)) {
    const f = line.split("\t");
    if (f.length < 3) continue;
    if (f[0].trim() === "") {
      unscored++;
      continue;
    }
    pairs.push({ a: f[1], b: f[2], score: Number(f[0]) });
  }
  return { pairs, unscored };
}
