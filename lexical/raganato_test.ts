import assert from "node:assert/strict";
import { join } from "node:path";
import { dataDir } from "@cohesive/shared";
import {
  checkKeyIds,
  formatKeys,
  formatRaganatoXml,
  instancesOf,
  parseKeys,
  parseRaganatoXml,
  readKeys,
  readRaganatoXml,
  UnknownInstanceError,
  writeKeys,
  writeRaganatoXml,
  type WsdCorpus,
  WsdFormatError,
} from "./raganato.ts";

const SAMPLE = `<?xml version="1.0" encoding="UTF-8" ?>
<corpus lang="en" source="test">
<text id="d000">
<sentence id="d000.s000">
<wf lemma="he" pos="PRON">He</wf>
<instance id="d000.s000.t000" lemma="sit" pos="VERB">sat</instance>
<wf lemma="on" pos="ADP">on</wf>
<wf lemma="the" pos="DET">the</wf>
<instance id="d000.s000.t001" lemma="bank" pos="NOUN">bank</instance>
<wf lemma="." pos=".">.</wf>
</sentence>
</text>
</corpus>
`;

function corpusWithOddCharacters(): WsdCorpus {
  return {
    attributes: { lang: "en", source: "a&b" },
    texts: [{
      id: "d1",
      attributes: { source: "br-a01" },
      sentences: [{
        id: "d1.s1",
        tokens: [
          { kind: "wf", text: "AT&T's", lemma: "at&t", pos: "NOUN" },
          { kind: "instance", id: "d1.s1.t1", text: "<said>", lemma: 'say"x', pos: "VERB" },
          {
            kind: "wf",
            text: "Latinobarómetro ²",
            lemma: "l",
            pos: "NOUN",
            attributes: { x: "1" },
          },
          { kind: "instance", id: "d1.s1.t2", text: "New York", lemma: "new_york", pos: "NOUN" },
        ],
      }],
    }],
  };
}

Deno.test("formatRaganatoXml() and parseRaganatoXml() round-trip, escapes included", async () => {
  const corpus = corpusWithOddCharacters();
  assert.deepEqual(parseRaganatoXml(formatRaganatoXml(corpus)), corpus);
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "x.data.xml");
    await writeRaganatoXml(path, corpus);
    assert.deepEqual(await readRaganatoXml(path), corpus);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  const sample = parseRaganatoXml(SAMPLE);
  assert.equal(formatRaganatoXml(sample), SAMPLE);
  assert.deepEqual([...instancesOf(sample)].map((i) => [i.token.id, i.index]), [
    ["d000.s000.t000", 1],
    ["d000.s000.t001", 4],
  ]);
});

Deno.test("parseRaganatoXml() reads entities, comments, CDATA and single quotes", () => {
  const xml = `<?xml version="1.0"?>\n<!-- c --><corpus lang='en'><text id="t"><sentence id="s">` +
    `<wf lemma="a" pos="X">&#65;&#x42;&lt;&apos;<![CDATA[<&>]]></wf><wf lemma="b" pos="X"/>` +
    `</sentence></text></corpus>`;
  const c = parseRaganatoXml(xml);
  assert.equal(c.attributes.lang, "en");
  assert.deepEqual(c.texts[0].sentences[0].tokens.map((t) => t.text), ["AB<'<&>", ""]);
});

Deno.test("parseRaganatoXml() names the file and line of malformed XML", () => {
  const cases: [string, number, RegExp][] = [
    [SAMPLE.replace("</sentence>", "</sentense>"), 11, /does not match <sentence>/],
    [SAMPLE.replace('<wf lemma="on" pos="ADP">', '<wf lemma="on" pos="ADP"'), 7, /malformed tag/],
    [SAMPLE.replace("bank</instance>", "b&nk;</instance>"), 9, /unknown entity &nk;/],
    [SAMPLE.replace("t001", "t000"), 9, /duplicate instance id d000.s000.t000/],
    [SAMPLE.replace("</corpus>\n", ""), 13, /unclosed <corpus> \(opened on line 2\)/],
    [SAMPLE.replace('<wf lemma="." pos=".">.</wf>', "stray"), 10, /unexpected text "stray"/],
    [SAMPLE.replace('<instance id="d000.s000.t000"', "<instance"), 6, /without an id/],
    [SAMPLE.replace("<sentence", "<para"), 4, /<para> inside <text>/],
  ];
  for (const [xml, line, message] of cases) {
    assert.throws(() => parseRaganatoXml(xml, "bad.data.xml"), (e: Error) => {
      assert.ok(e instanceof WsdFormatError && e instanceof SyntaxError, String(e));
      assert.equal(e.line, line, e.message);
      assert.equal(e.file, "bad.data.xml");
      assert.ok(e.message.startsWith(`bad.data.xml:${line}: `), e.message);
      assert.match(e.message, message);
      return true;
    });
  }
});

Deno.test("key files round-trip and ids unknown to the data file are an error", async () => {
  const keys = parseKeys(
    "d000.s000.t000 sit%2:35:00::\n\nd000.s000.t001 bank%1:17:01:: bank%1:17:00::\n",
  );
  assert.deepEqual(keys.get("d000.s000.t001"), ["bank%1:17:01::", "bank%1:17:00::"]);
  assert.deepEqual(parseKeys(formatKeys(keys)), keys);
  const corpus = parseRaganatoXml(SAMPLE);
  checkKeyIds(keys, corpus);
  const dir = await Deno.makeTempDir();
  try {
    const path = join(dir, "x.key");
    keys.set("d000.s009.t000", ["x%1:00:00::"]);
    await writeKeys(path, keys);
    await assert.rejects(
      readKeys(path, { corpus, dataFile: "x.data.xml" }),
      (e: Error) => {
        assert.ok(e instanceof UnknownInstanceError);
        assert.deepEqual(e.ids, ["d000.s009.t000"]);
        assert.match(e.message, /x\.key: 1 instance id\(s\) not in x\.data\.xml: d000\.s009\.t000/);
        return true;
      },
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
  assert.throws(
    () => parseKeys("a x\nb\n", "k.txt"),
    /^WsdFormatError: k\.txt:2: no sense key for b/,
  );
  assert.throws(() => parseKeys("a x\na y\n", "k.txt"), /k\.txt:2: instance a listed twice/);
});

const data = dataDir();

Deno.test({
  name: "the framework's semeval2007 files parse and their keys match their instances",
  ignore: data === undefined,
  fn: async () => {
    const base = join(data!, "wsd", "Evaluation_Datasets", "semeval2007", "semeval2007");
    const corpus = await readRaganatoXml(`${base}.data.xml`);
    const gold = await readKeys(`${base}.gold.key.txt`, { corpus });
    assert.equal([...instancesOf(corpus)].length, 455);
    assert.equal(gold.size, 455);
    assert.deepEqual(gold.get("d000.s000.t000"), ["refer%2:32:01::"]);
  },
});
