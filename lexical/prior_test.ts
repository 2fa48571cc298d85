import assert from "node:assert/strict";
import { join } from "node:path";
import { fakeSense } from "./_test_utils.ts";
import type { InstancePairs } from "./lmgc.ts";
import {
  chooseWithPrior,
  keysWithPrior,
  readPriorSetting,
  selectPriorWeight,
  senseLogPrior,
  writePriorSetting,
} from "./prior.ts";

const RIVER = fakeSense("bank%river", "sloping land", 25);
const MONEY = fakeSense("bank%money", "a financial institution", 20);
const RARE = fakeSense("bank%rare", "a flight maneuver", 0);

Deno.test("senseLogPrior is WordNet's tag counts + 1, normalised over the candidates", () => {
  const p = senseLogPrior([RIVER, MONEY, RARE]).map(Math.exp);
  assert.deepEqual(
    p.map((x) => +x.toFixed(6)),
    [26 / 48, 21 / 48, 1 / 48].map((x) => +x.toFixed(6)),
  );
});

Deno.test("chooseWithPrior: λ 0 is the model's argmax; a larger λ moves towards the frequent sense", () => {
  const cands = [RIVER, MONEY, RARE];
  const cases: [number[], number, number][] = [
    // P(match) per candidate, λ, chosen index
    [[0.2, 0.6, 0.9], 0, 2],
    [[0.2, 0.6, 0.9], 0.5, 1], // log .6 + .5 log(21/48) > log .9 + .5 log(1/48)
    [[0.2, 0.6, 0.9], 10, 0],
    [[0.5, 0.5, 0.5], 0, 0], // ties go to WordNet's order
    [[0.5, 0.5, 0.5], 1, 0],
    [[0, 0.3, 0], 1, 1], // P = 0 does not produce NaN
  ];
  for (const [p, w, want] of cases) {
    assert.equal(chooseWithPrior(p, cands, w), want, `P ${p}, λ ${w}`);
  }
  assert.throws(() => chooseWithPrior([0.5], cands, 1), /1 scores for 3 candidates/);
});

Deno.test("selectPriorWeight picks the λ with the best selection-set F1, the smaller on ties", () => {
  const inst = (id: string): InstancePairs => ({
    id,
    context: "",
    target: [0, 0],
    candidates: [RIVER, MONEY, RARE],
    glosses: [],
  });
  const insts = [inst("a"), inst("b"), inst("c")];
  // a: the model is right (rare sense); b, c: the model is wrong and the prior is right.
  const scores = new Map([["a", [0.1, 0.1, 0.9]], ["b", [0.3, 0.2, 0.35]], ["c", [0.3, 0.1, 0.4]]]);
  const gold = new Map([["a", ["bank%rare"]], ["b", ["bank%river"]], ["c", ["bank%river"]]]);
  const s = selectPriorWeight(insts, scores, gold, "dev", [0, 0.1, 0.2, 5]);
  assert.equal(s.weight, 0.1); // 0.1 fixes b and c and keeps a; 0.2 does too, 5 loses a
  assert.equal(Math.round(s.f1["0"]), 33);
  assert.equal(Math.round(s.f1["0.1"]), 100);
  assert.equal(Math.round(s.f1["5"]), 67);
  assert.deepEqual(keysWithPrior(insts, scores, 0).get("a"), ["bank%rare"]);
  assert.deepEqual(keysWithPrior(insts, scores, 5).get("a"), ["bank%river"]);
});

Deno.test("wsd.json round-trips; a missing one is undefined; a bad one is an error", async () => {
  const dir = await Deno.makeTempDir();
  assert.equal(await readPriorSetting(dir), undefined);
  const s = { prior: "wordnet-tag-counts" as const, weight: 2, selectedOn: "dev", f1: { "2": 55 } };
  await writePriorSetting(dir, s);
  assert.deepEqual(await readPriorSetting(dir), s);
  await Deno.writeTextFile(join(dir, "wsd.json"), JSON.stringify({ ...s, weight: -1 }));
  await assert.rejects(() => readPriorSetting(dir), /wsd\.json: not a prior setting/);
  await Deno.remove(dir, { recursive: true });
});
