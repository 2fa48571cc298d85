import assert from "node:assert/strict";
import { splitSentences } from "./sentences.ts";

const texts = (s: string) => splitSentences(s).map((x) => x.text);

Deno.test("splitSentences() splits at a full stop glued to the next sentence", () => {
  assert.deepEqual(texts("We rely on clustering.We then rank the results."), [
    "We rely on clustering.",
    "We then rank the results.",
  ]);
  assert.deepEqual(texts("It works!Then it stops?Maybe."), [
    "It works!",
    "Then it stops?",
    "Maybe.",
  ]);
});

Deno.test("splitSentences() keeps abbreviations, initials, acronyms and numbers inside a sentence", () => {
  assert.deepEqual(texts("Dr. Smith met J. R. Tolkien in the U.S. on Monday. It rained."), [
    "Dr. Smith met J. R. Tolkien in the U.S. on Monday.",
    "It rained.",
  ]);
  assert.deepEqual(texts("Some fruit, e.g. apples, cost 3.5 dollars vs. 2.1 euros. Fine."), [
    "Some fruit, e.g. apples, cost 3.5 dollars vs. 2.1 euros.",
    "Fine.",
  ]);
  assert.deepEqual(texts("See the file index.html for details."), [
    "See the file index.html for details.",
  ]);
  assert.deepEqual(texts("Apples, pears etc. The rest is fruit."), [
    "Apples, pears etc.",
    "The rest is fruit.",
  ]);
});

Deno.test("splitSentences() splits at blank lines, list items and unpunctuated lines, not wrapped lines", () => {
  assert.deepEqual(
    texts(
      "Introduction\nThe model is small and\nfast on a laptop.\n- first item\n- second item\n\nEnd",
    ),
    [
      "Introduction",
      "The model is small and\nfast on a laptop.",
      "- first item",
      "- second item",
      "End",
    ],
  );
});

Deno.test("splitSentences() keeps offsets into the text for every hard case", () => {
  const text = "A b.C d e.f. Mr. X said so.\r\nNext line\n\n  Third one…  Fourth";
  const s = splitSentences(text);
  assert.ok(s.length >= 4);
  for (const x of s) assert.equal(text.slice(x.start, x.end), x.text);
});
