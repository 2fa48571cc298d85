import assert from "node:assert/strict";
import { join } from "node:path";
import { fakeSense } from "./_test_utils.ts";
import {
  buildWordNetGraph,
  chooseByRank,
  PageRank,
  personalizationOf,
  pprScores,
  SynsetGraph,
} from "./ppr.ts";
import { type Sense, WordNet } from "./wordnet.ts";

const close = (a: number, b: number, eps = 1e-9) =>
  assert.ok(Math.abs(a - b) < eps, `${a} is not within ${eps} of ${b}`);

/** A sense of `lemma` whose synset is the graph node `id`. */
function sense(lemma: string, id: string, tagCount = 0): Sense {
  const s = fakeSense(`${lemma}%${id}`, id, tagCount);
  return { ...s, lemma, synset: { ...s.synset, id } };
}

Deno.test("SynsetGraph stores each undirected edge once per direction, without loops or repeats", () => {
  const g = new SynsetGraph(["a", "b", "c"], [0, 1, 1, 0, 1, 2, 2, 2, 0, 1]);
  assert.equal(g.edgeCount, 2);
  assert.deepEqual([g.degree(0), g.degree(1), g.degree(2)], [1, 2, 1]);
  assert.deepEqual([...g.targets.subarray(g.offsets[1], g.offsets[2])].sort(), [0, 2]);
  assert.equal(g.indexOf("c"), 2);
  assert.equal(g.indexOf("z"), undefined);
  assert.throws(() => new SynsetGraph(["a"], [0, 3]), /outside 0\.\.0/);
});

Deno.test("PageRank of two linked nodes restarting at one is 1/(1+d) and d/(1+d)", () => {
  const pr = new PageRank(new SynsetGraph(["a", "b"], [0, 1]), { iterations: 500, tolerance: 0 });
  const r = pr.rank([0], [1]);
  close(r[0], 1 / 1.85);
  close(r[1], 0.85 / 1.85);
});

Deno.test("PageRank restarting in proportion to degree is the degree distribution", () => {
  // a path a-b-c-d plus the edge b-d: degrees 1, 3, 2, 2
  const g = new SynsetGraph(["a", "b", "c", "d"], [0, 1, 1, 2, 2, 3, 1, 3]);
  const pr = new PageRank(g, { iterations: 300, tolerance: 0 });
  const r = pr.rank([0, 1, 2, 3], [1, 3, 2, 2]);
  [1, 3, 2, 2].forEach((deg, i) => close(r[i], deg / 8));
  close(r.reduce((a, b) => a + b, 0), 1);
});

Deno.test("PageRank returns the mass of a node without edges to the restart distribution", () => {
  const g = new SynsetGraph(["a", "b", "lonely"], [0, 1]);
  const r = new PageRank(g, { iterations: 400, tolerance: 0 }).rank([2, 0], [1, 1]);
  // the lonely node's rank L = (1 − d + d·L) / 2; a and b share the rest as 1 : d
  const d = 0.85, L = (1 - d) / (2 - d);
  close(r[2], L);
  close(r[0], L / (1 - d * d));
  close(r[1], (d * L) / (1 - d * d));
  close(r.reduce((a, b) => a + b, 0), 1);
});

Deno.test("rankMany() gives the same ranks as one rank() at a time, block by block", () => {
  const g = new SynsetGraph(
    ["a", "b", "c", "d", "e"],
    [0, 1, 1, 2, 2, 3, 3, 4, 4, 0, 1, 3],
  );
  const problems = [
    { nodes: [0], weights: [1] },
    { nodes: [1, 3], weights: [2, 1] },
    { nodes: [4], weights: [5] },
  ];
  const read = [[0, 1, 2], [3, 4], [0, 4]];
  const many = new PageRank(g, { block: 2 }).rankMany(problems, read);
  const one = new PageRank(g, { block: 1 });
  problems.forEach((p, k) => {
    const r = one.rank(p.nodes, p.weights);
    read[k].forEach((node, i) => close(many[k][i], r[node], 1e-12));
  });
  assert.throws(() => one.rank([0], [0]), /positive weight/);
});

// bank (river side) - shore - river - water;  bank (money) - money - deposit
const IDS = ["bankRiver", "bankMoney", "shore", "river", "water", "money", "deposit"];
const G = new SynsetGraph(IDS, [0, 2, 2, 3, 3, 4, 1, 5, 5, 6]);
const BANK = [sense("bank", "bankMoney", 20), sense("bank", "bankRiver", 5)];
const RIVER = [sense("river", "river")];
const WATER = [sense("water", "water")];
const DEPOSIT = [sense("deposit", "deposit")];

Deno.test("ppr ranks the target's sense connected to the context words highest", () => {
  const pr = new PageRank(G);
  const byRiver = pprScores(BANK, [BANK, RIVER, WATER], pr)!;
  assert.equal(chooseByRank(byRiver, BANK), 1);
  assert.ok(byRiver[1] > byRiver[0]);
  const byDeposit = pprScores(BANK, [DEPOSIT, BANK], pr)!;
  assert.equal(chooseByRank(byDeposit, BANK), 0);
  assert.equal(pprScores(BANK, [BANK], pr), undefined);
});

Deno.test("ppr leaves the target's own lemma out of the personalisation", () => {
  const p = personalizationOf(BANK, [BANK, RIVER, BANK], G)!;
  assert.deepEqual(p.nodes, [G.indexOf("river")]);
  const weighted = personalizationOf(RIVER, [BANK], G, true)!;
  // tag counts + 1 spread a word's unit mass: 21 : 6
  assert.deepEqual(weighted.nodes, [G.indexOf("bankMoney"), G.indexOf("bankRiver")]);
  close(weighted.weights[0], 21 / 27);
});

Deno.test("chooseByRank() adds λ · log p(sense) to log PageRank", () => {
  // p(sense) from tag counts + 1: 21/27 and 6/27; PageRank prefers the second 3 : 2
  assert.equal(chooseByRank([0.2, 0.3], BANK, 0), 1);
  assert.equal(chooseByRank([0.2, 0.3], BANK, 0.3), 1); // 0.3 · log(21/6) < log(3/2)
  assert.equal(chooseByRank([0.2, 0.3], BANK, 0.4), 0); // 0.4 · log(21/6) > log(3/2)
  assert.equal(chooseByRank([0.3, 0.3], BANK.toReversed(), 0), 0); // ties: WordNet order
});

/** A tiny dict folder: four noun synsets, a verb, an adjective cluster (byte offsets unused). */
async function tinyDict(): Promise<string> {
  const dir = await Deno.makeTempDir();
  const files: Record<string, string> = {
    "data.noun": [
      "00000001 17 n 01 river 0 002 @ 00000003 n 0000 + 00000010 v 0101 | a large stream of water",
      "00000002 17 n 01 bank 0 001 @ 00000003 n 0000 | sloping land beside a river",
      "00000003 17 n 01 land 0 000 | the solid part of the earth",
      "00000004 14 n 02 bank 1 depository 0 000 | a financial institution",
    ].join("\n") + "\n",
    "data.verb": "00000010 38 v 01 flow 0 001 + 00000001 n 0101 | move along like a river\n",
    "data.adj": [
      "00000020 00 s 01 wet 0 001 & 00000021 a 0000 | covered with water",
      "00000021 00 a 01 damp 0 001 & 00000020 s 0000 | slightly wet",
    ].join("\n") + "\n",
    "data.adv": "",
    "index.noun": [
      "bank n 2 1 @ 2 0 00000002 00000004  ",
      "depository n 1 0 1 0 00000004  ",
      "land n 1 1 @ 1 0 00000003  ",
      "river n 1 2 @ + 1 0 00000001  ",
    ].join("\n") + "\n",
    "index.verb": "flow v 1 1 + 1 0 00000010  \n",
    "index.adj": "damp a 1 1 & 1 0 00000021  \nwet a 1 1 & 1 0 00000020  \n",
    "index.adv": "",
    "index.sense": "",
  };
  for (const [name, text] of Object.entries(files)) await Deno.writeTextFile(join(dir, name), text);
  return dir;
}

Deno.test("buildWordNetGraph() links every pointer and, optionally, monosemous gloss words", async () => {
  const dir = await tinyDict();
  try {
    const wn = await WordNet.load(dir);
    const plain = buildWordNetGraph(wn, { glossRelations: false });
    assert.deepEqual(plain.ids, [
      "00000001n",
      "00000002n",
      "00000003n",
      "00000004n",
      "00000010v",
      "00000020a",
      "00000021a",
    ]);
    const edges = (g: SynsetGraph) => {
      const out: string[] = [];
      for (let i = 0; i < g.size; i++) {
        for (let e = g.offsets[i]; e < g.offsets[i + 1]; e++) {
          if (i < g.targets[e]) out.push(`${g.ids[i]}-${g.ids[g.targets[e]]}`);
        }
      }
      return out.sort();
    };
    // hypernyms, the derivation both ways (once), the satellite's similar-to both ways (once)
    assert.deepEqual(edges(plain), [
      "00000001n-00000003n",
      "00000001n-00000010v",
      "00000002n-00000003n",
      "00000020a-00000021a",
    ]);
    // "sloping land beside a river": land and river have one synset each; "bank" has two
    const glossed = buildWordNetGraph(wn, { glossRelations: true });
    assert.deepEqual(edges(glossed), [...edges(plain), "00000001n-00000002n"].sort());
    assert.equal(glossed.degree(glossed.indexOf("00000004n")!), 0);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
