import assert from "node:assert/strict";
import { join } from "node:path";
import { corpusXml } from "./_test_utils.ts";
import { baselineKeys } from "./baselines.ts";
import { disambiguateText } from "./disambiguate.ts";
import { pprCorpus } from "./ppr.ts";
import { parseRaganatoXml } from "./raganato.ts";
import { WordNet } from "./wordnet.ts";

/**
 * Lay out data files whose lines name synsets as `{name}`: each name becomes the byte offset of
 * the line that starts with it, as WordNet's files require.
 */
function layout(files: Record<string, string[]>): Record<string, string> {
  const offsets = new Map<string, string>();
  for (const lines of Object.values(files)) {
    let at = 0;
    for (const line of lines) {
      offsets.set(/^\{(\w+)\}/.exec(line)![1], String(at).padStart(8, "0"));
      at += line.replace(/\{\w+\}/g, "00000000").length + 1;
    }
  }
  const fill = (s: string) => s.replace(/\{(\w+)\}/g, (_, name) => offsets.get(name)!);
  const out: Record<string, string> = {};
  for (const [file, lines] of Object.entries(files)) out[file] = lines.map(fill).join("\n") + "\n";
  out["index.noun"] = fill(
    "bank n 2 2 ^ + 2 2 {bankMoney} {bankRiver}  \n" +
      "river n 1 1 ^ 1 0 {river}  \nsalary n 1 2 ^ + 1 0 {salary}  \n",
  );
  out["index.verb"] = fill("deposit v 1 1 + 1 0 {deposit}  \n");
  out["index.adj"] = "";
  out["index.adv"] = "";
  out["index.sense"] = fill(
    "bank%1:14:00:: {bankMoney} 1 10\nbank%1:17:00:: {bankRiver} 2 3\n" +
      "deposit%2:40:00:: {deposit} 1 0\nriver%1:17:00:: {river} 1 0\nsalary%1:21:00:: {salary} 1 0\n",
  );
  return out;
}

/**
 * A five-synset WordNet: the financial bank (first sense) linked to depositing, the river bank
 * linked to the river, and a salary linked to both (one connected graph).
 */
async function tinyWordNet(): Promise<{ wn: WordNet; dir: string }> {
  const dir = await Deno.makeTempDir();
  const files = layout({
    "data.noun": [
      "{bankMoney} 14 n 01 bank 0 001 + {deposit} v 0101 | a financial institution",
      "{bankRiver} 17 n 01 bank 0 001 ^ {river} n 0000 | sloping land",
      "{river} 17 n 01 river 0 001 ^ {bankRiver} n 0000 | a large stream",
      "{salary} 21 n 01 salary 0 002 ^ {river} n 0000 + {deposit} v 0101 | regular pay",
    ],
    "data.verb": ["{deposit} 40 v 01 deposit 0 001 + {bankMoney} n 0101 01 + 08 00 | put in"],
    "data.adj": [],
    "data.adv": [],
  });
  for (const [name, text] of Object.entries(files)) await Deno.writeTextFile(join(dir, name), text);
  return { wn: await WordNet.load(dir), dir };
}

Deno.test("disambiguateText() with ppr follows the graph to the river bank and the financial bank", async () => {
  const { wn, dir } = await tinyWordNet();
  try {
    const bank = (text: string, priorWeight?: number) =>
      disambiguateText(text, wn, { method: "ppr", priorWeight }).find((t) => t.text === "bank");
    const river = bank("I sat on the bank of the river and watched the water.", 0);
    assert.equal(river?.senseKey, "bank%1:17:00::");
    assert.equal(river?.model, "ppr");
    assert.equal(bank("She deposited her salary at the bank.", 0)?.senseKey, "bank%1:14:00::");
    // no context word in the graph: the first sense
    const alone = bank("The bank.");
    assert.deepEqual([alone?.senseKey, alone?.model], ["bank%1:14:00::", "first-sense"]);
    // a heavy prior (tag counts 10 against 3) outweighs the graph
    assert.equal(bank("The bank of the river.", 20)?.senseKey, "bank%1:14:00::");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("the ppr baseline answers a framework corpus, its window reaching the next sentence", async () => {
  const { wn, dir } = await tinyWordNet();
  try {
    const corpus = parseRaganatoXml(corpusXml(
      `<sentence id="d000.s000"><instance id="d000.s000.t000" lemma="bank" pos="NOUN">bank</instance>` +
        `</sentence>\n`,
      `<sentence id="d000.s001"><wf lemma="river" pos="NOUN">river</wf></sentence>\n`,
    ));
    const alone = pprCorpus(corpus, wn, { window: 0 });
    assert.equal(alone[0].ranks, undefined); // nothing else in its sentence
    assert.deepEqual(
      baselineKeys(corpus, wn, { method: "ppr", window: 1 }),
      new Map([["d000.s000.t000", ["bank%1:17:00::"]]]),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
