import assert from "node:assert/strict";
import { WordNet } from "@cohesive/lexical";
import { Rng } from "@cohesive/shared";
import { SPIN_SETTINGS, Spinner } from "./spinner.ts";

const TEXT = "Daniel personally led the fight for the measure, which he had watered down " +
  "considerably since its rejection by two previous legislatures, in a public hearing before " +
  "the House Committee on Revenue and Taxation. Under committee rules, it went automatically " +
  "to a subcommittee for one week. But questions with which committee members taunted bankers " +
  "appearing as witnesses left little doubt that they will recommend passage of it.";

let wn: Promise<WordNet> | undefined;
const spinner = async () => new Spinner(await (wn ??= WordNet.load()));

Deno.test("Spinner.spin() replaces about the asked fraction of content words, reproducibly", async () => {
  const s = await spinner();
  for (const rate of [SPIN_SETTINGS.light, SPIN_SETTINGS.heavy]) {
    let seen = 0, replaced = 0;
    for (let seed = 1; seed <= 8; seed++) {
      const r = s.spin(TEXT, rate, seed);
      seen += r.contentWords;
      replaced += r.replaced;
    }
    const realised = replaced / seen;
    assert.ok(Math.abs(realised - rate) < 0.1, `rate ${rate}: realised ${realised}`);
  }
  assert.deepEqual(s.spin(TEXT, 0.5, 3), s.spin(TEXT, 0.5, new Rng(3)));
  assert.notEqual(s.spin(TEXT, 0.5, 3).text, s.spin(TEXT, 0.5, 4).text);
  assert.equal(s.spin(TEXT, 0, 3).text, TEXT);
  assert.throws(() => s.spin(TEXT, 1.5, 3), RangeError);
});

Deno.test("Spinner keeps punctuation, stop words, case and plural inflection", async () => {
  const s = await spinner();
  const r = s.spin("Cars, the of and.", 1, 2);
  assert.equal(r.replaced, 1);
  const [from, to] = r.replacements[0];
  assert.equal(from, "Cars");
  assert.match(to, /^[A-Z][a-z ]+s$/); // capitalised and plural (e.g. "Automobiles")
  assert.equal(r.text, `${to}, the of and.`);
  const syn = s.synonymsOf("committee");
  assert.equal(syn?.pos, "n");
  assert.ok(syn?.synonyms.includes("commission"), JSON.stringify(syn));
  assert.equal(s.synonymsOf("the"), undefined);
});
