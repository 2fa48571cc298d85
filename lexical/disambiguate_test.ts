import assert from "node:assert/strict";
import { sharedWordNet } from "./_test_utils.ts";
import { analyzeText, disambiguateText, tokenize } from "./disambiguate.ts";

const BANK = "He sat on the bank of the river and watched the water.";

Deno.test("tokenize() keeps character offsets and splits clitics", () => {
  const text = "Don't stop, Mary's well-known dog!";
  const tokens = tokenize(text);
  assert.deepEqual(tokens.map((t) => t.text), [
    "Do",
    "n't",
    "stop",
    ",",
    "Mary",
    "'s",
    "well-known",
    "dog",
    "!",
  ]);
  for (const t of tokens) assert.equal(text.slice(t.start, t.end), t.text);
});

Deno.test("disambiguateText() gives the bank sentence the river-side sense with extended Lesk", async () => {
  const wn = await sharedWordNet();
  const tokens = disambiguateText(BANK, wn);
  const bank = tokens.find((t) => t.text === "bank")!;
  assert.equal(bank.senseKey, "bank%1:17:01::");
  assert.equal(bank.model, "extended-lesk");
  assert.equal(bank.pos, "n");
  assert.match(bank.gloss!, /sloping land/);
  assert.equal(BANK.slice(bank.start, bank.end), "bank");
  assert.ok(bank.score! > 1);
  const sat = tokens.find((t) => t.text === "sat")!;
  assert.deepEqual([sat.lemma, sat.pos], ["sit", "v"]);
  const the = tokens.find((t) => t.text === "the")!;
  assert.deepEqual([the.pos, the.senseKey, the.model], [null, null, null]);
  // pure extended Lesk (no prior) and simple Lesk agree here
  for (const method of ["lesk", "extended-lesk"] as const) {
    const b = disambiguateText(BANK, wn, { method, priorWeight: 0 }).find((t) => t.text === "bank");
    assert.equal(b?.senseKey, "bank%1:17:01::", method);
  }
});

Deno.test("disambiguateText() follows the context to the financial bank", async () => {
  const wn = await sharedWordNet();
  const tokens = disambiguateText("I went to the bank to deposit the money in my account.", wn);
  assert.equal(tokens.find((t) => t.text === "bank")?.senseKey, "bank%1:14:00::");
  const first = disambiguateText("I went to the bank.", wn, { method: "first-sense" });
  assert.equal(first.find((t) => t.text === "bank")?.model, "first-sense");
});

Deno.test("analyzeText() joins multi-word expressions by longest match", async () => {
  const wn = await sharedWordNet();
  const text = "She looked up the interest rates in New York.";
  const tokens = analyzeText(text, wn);
  const lemmas = tokens.filter((t) => t.pos).map((t) => `${t.lemma}/${t.pos}`);
  assert.deepEqual(lemmas, ["look_up/v", "interest_rate/n", "new_york/n"]);
  const rates = tokens.find((t) => t.lemma === "interest_rate")!;
  assert.equal(text.slice(rates.start, rates.end), "interest rates");
  // a verb + preposition before a noun phrase stays two words
  const ran = analyzeText("They ran across the field.", wn).filter((t) => t.pos);
  assert.deepEqual(ran.map((t) => t.lemma), ["run", "across", "field"]);
});

Deno.test("analyzeText() tags parts of speech from context", async () => {
  const wn = await sharedWordNet();
  const tag = (text: string) =>
    analyzeText(text, wn).filter((t) => t.pos).map((t) => `${t.lemma}/${t.pos}`);
  assert.deepEqual(tag("The mice ran quickly."), ["mouse/n", "run/v", "quickly/r"]);
  assert.deepEqual(tag("They water the plants."), ["water/v", "plant/n"]);
  assert.deepEqual(tag("The water is cold."), ["water/n", "cold/a"]);
  assert.deepEqual(tag("A better plan."), ["good/a", "plan/n"]);
});
