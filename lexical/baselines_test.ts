import assert from "node:assert/strict";
import { join } from "node:path";
import { dataDir } from "@cohesive/shared";
import { fakeSense, sharedWordNet } from "./_test_utils.ts";
import {
  baselineKeys,
  candidateSenses,
  contentWords,
  lesk,
  mostFrequentSense,
  SenseCounts,
  signature,
} from "./baselines.ts";
import { parseRaganatoXml, readKeys, readRaganatoXml } from "./raganato.ts";
import { scoreKeys } from "./scorer.ts";

const MONEY = fakeSense("bank%money", "a financial institution that accepts deposits");
const RIVER = fakeSense("bank%river", "sloping land beside a body of water such as a river");

Deno.test("lesk() picks the sense whose gloss overlaps most with the context", () => {
  const choice = lesk([MONEY, RIVER], ["river", "water", "sit"]);
  assert.equal(choice?.sense.key, "bank%river");
  assert.equal(choice?.score, 2);
  assert.equal(choice?.model, "lesk");
  assert.equal(lesk([MONEY, RIVER], ["deposits", "cash"])?.sense.key, "bank%money");
});

Deno.test("lesk() backs off to the first sense on no overlap and keeps sense order on ties", () => {
  const none = lesk([MONEY, RIVER], ["violin"]);
  assert.equal(none?.sense.key, "bank%money");
  assert.equal(none?.model, "first-sense");
  const tie = lesk([RIVER, MONEY], ["land", "deposits"]);
  assert.equal(tie?.sense.key, "bank%river");
  assert.equal(lesk([], ["river"]), undefined);
});

Deno.test("contentWords() drops stop words and one-letter words", () => {
  assert.deepEqual(contentWords("He sat on the bank of a river, and watched it."), [
    "sat",
    "bank",
    "river",
    "watched",
  ]);
});

Deno.test("extended Lesk's signature adds related synsets' words to the gloss's", async () => {
  const wn = await sharedWordNet();
  const riverBank = wn.senseByKey("bank%1:17:01::")!.synset;
  const simple = signature(riverBank, { wn });
  const extended = signature(riverBank, { wn, extended: true });
  assert.ok(simple.has("river") && simple.has("slope") && simple.has("water"));
  assert.ok(!simple.has("the"));
  for (const w of simple) assert.ok(extended.has(w), w);
  assert.ok(extended.size > simple.size);
});

Deno.test("mostFrequentSense() follows the counts and falls back to the first sense", () => {
  const counts = SenseCounts.fromKeys(new Map([["a", ["bank%river"]], ["b", ["bank%river"]]]));
  assert.equal(counts.get("bank%river"), 2);
  assert.equal(mostFrequentSense([MONEY, RIVER], counts)?.sense.key, "bank%river");
  assert.equal(mostFrequentSense([MONEY, RIVER], counts)?.model, "mfs");
  const unseen = mostFrequentSense([MONEY], counts);
  assert.equal(unseen?.sense.key, "bank%money");
  assert.equal(unseen?.model, "first-sense");
});

Deno.test("candidateSenses() keeps the instance's part of speech and lemmatises", async () => {
  const wn = await sharedWordNet();
  assert.ok(candidateSenses(wn, "bank", "v").every((s) => s.pos === "v" && s.key.includes("%2:")));
  assert.equal(candidateSenses(wn, "churches", "n")[0].lemma, "church");
  assert.equal(candidateSenses(wn, "qwzx", "n", "mice")[0].lemma, "mouse");
  assert.deepEqual(candidateSenses(wn, "qwzx", "n"), []);
});

Deno.test("baselineKeys() answers every instance with the first sense of its lemma and POS", async () => {
  const wn = await sharedWordNet();
  const corpus = parseRaganatoXml(`<corpus><text id="d"><sentence id="d.s">
<instance id="d.s.t0" lemma="bank" pos="VERB">banked</instance>
<instance id="d.s.t1" lemma="bank" pos="NOUN">bank</instance>
<instance id="d.s.t2" lemma="qwzx" pos="NOUN">qwzx</instance>
</sentence></text></corpus>`);
  const keys = baselineKeys(corpus, wn, { method: "first-sense" });
  assert.deepEqual([...keys.keys()], ["d.s.t0", "d.s.t1"]);
  assert.equal(keys.get("d.s.t0")![0], wn.sensesOf("bank", "v")[0].key);
  assert.equal(keys.get("d.s.t1")![0], "bank%1:17:01::");
  assert.throws(() => baselineKeys(corpus, wn, { method: "mfs" }), /needs SemCor counts/);
});

const data = dataDir();

Deno.test({
  name: "first sense scores about 55 F1 on semeval2007 with WordNet 3.1",
  ignore: data === undefined,
  fn: async () => {
    const wn = await sharedWordNet();
    const base = join(data!, "wsd", "Evaluation_Datasets", "semeval2007", "semeval2007");
    const corpus = await readRaganatoXml(`${base}.data.xml`);
    const gold = await readKeys(`${base}.gold.key.txt`, { corpus });
    const score = scoreKeys(gold, baselineKeys(corpus, wn, { method: "first-sense" }));
    assert.equal(score.answered, 455);
    assert.ok(Math.abs(score.f1 - 54.9) < 0.5, `F1 ${score.f1}`);
    const lesk = scoreKeys(gold, baselineKeys(corpus, wn, { method: "extended-lesk" }));
    assert.ok(lesk.f1 > 40 && lesk.f1 < 60, `extended Lesk F1 ${lesk.f1}`);
  },
});

Deno.test("scoreKeys() follows Scorer.java: P over answered, R over all, partial multi-key credit", () => {
  const gold = new Map([["a", ["x"]], ["b", ["y", "z"]], ["c", ["w"]], ["d", ["v"]]]);
  const system = new Map([["a", ["x"]], ["b", ["z", "q"]], ["c", ["n"]]]);
  const s = scoreKeys(gold, system);
  assert.equal(s.correct, 1.5);
  assert.equal(s.answered, 3);
  assert.equal(s.precision, 50);
  assert.equal(s.recall, 37.5);
  assert.ok(Math.abs(s.f1 - 42.857) < 0.01);
});
