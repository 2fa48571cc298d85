import assert from "node:assert/strict";
import { sharedWordNet } from "./_test_utils.ts";
import { instancesOf } from "./raganato.ts";
import { wordnetExamples } from "./wordnet_examples.ts";

Deno.test("WordNet's examples become a sense-annotated corpus with disjoint train and dev splits", async () => {
  const wn = await sharedWordNet();
  const all = await wordnetExamples(wn);
  assert.ok(all.examples > 40000, `${all.examples} examples`);
  assert.ok(all.keys.size > 0.95 * all.examples, `${all.keys.size} of ${all.examples} found`);
  const byText = new Map<string, { lemma: string; pos: string; key: string }>();
  for (const ref of instancesOf(all.corpus)) {
    const text = ref.sentence.tokens.map((t) => t.text).join(" ");
    byText.set(text, { ...ref.token, key: all.keys.get(ref.token.id!)![0] });
  }
  // The synset's lemma is found through its inflections and across multi-word lemmas.
  const canoe = byText.get("they pulled the canoe up on the bank");
  assert.deepEqual([canoe?.lemma, canoe?.pos, canoe?.key], ["bank", "NOUN", "bank%1:17:01::"]);
  const ran = [...byText.entries()].find(([t, v]) => v.lemma === "run" && / ran /.test(` ${t} `));
  assert.ok(ran, "an example with 'ran' tagged as run");
  assert.ok([...byText.values()].some((v) => v.lemma.includes("_")), "a multi-word lemma");
  for (const v of byText.values()) assert.ok(wn.senseByKey(v.key), v.key);

  const [train, dev] = await Promise.all([
    wordnetExamples(wn, { split: "train" }),
    wordnetExamples(wn, { split: "dev" }),
  ]);
  assert.equal(train.keys.size + dev.keys.size, all.keys.size);
  assert.ok(dev.keys.size > 0.005 * all.keys.size && dev.keys.size < 0.015 * all.keys.size);
  // Disjoint: no (sentence, sense) pair is in both (a sentence may exemplify two synsets).
  const pairs = (c: typeof all) =>
    new Set(
      c.corpus.texts[0].sentences.map((s) =>
        `${s.tokens.map((t) => t.text).join(" ")}\t${c.keys.get(`${s.id}.t000`)![0]}`
      ),
    );
  const devPairs = pairs(dev);
  assert.equal([...pairs(train)].filter((p) => devPairs.has(p)).length, 0);
});
