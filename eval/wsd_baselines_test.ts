import assert from "node:assert/strict";
import { dataDir } from "@cohesive/shared";
import { formatWsdBaselines, runWsdBaselines } from "./wsd_baselines.ts";

Deno.test({
  name:
    "runWsdBaselines() gives the published first-sense F1 with WordNet 3.0 and maps 3.1's answers",
  ignore: !dataDir(),
  fn: async () => {
    const r = await runWsdBaselines({ methods: ["first-sense"] });
    const [wn30, wn31] = r.results;
    assert.equal(wn30.wordnet, "3.0");
    assert.equal(wn30.report.all.f1.toFixed(1), "65.2");
    assert.equal(wn30.report.mapping, undefined);
    assert.equal(wn31.wordnet, "3.1");
    // WordNet 3.1 has no sense for one instance's lemma; every other answer keeps its key.
    assert.deepEqual(
      [wn31.report.all.answered, wn31.report.mapping?.identical, wn31.report.mapping?.unmappable],
      [7252, 7252, 0],
    );
    assert.deepEqual(r.coverage.map((c) => c.covered), [7253, 7246]);
    const md = formatWsdBaselines(r);
    assert.match(
      md,
      /\| first-sense \| 3\.0 \| 66\.8 \| 66\.2 \| 55\.2 \| 63\.0 \| 67\.8 \| 65\.2 \|/,
    );
    assert.match(md, /\| GlossBERT \(published, Huang et al\. 2019\) \| 3\.0 \|.* 77\.0 \|/);
    await assert.rejects(
      runWsdBaselines({ methods: ["coin-flip"] }),
      /unknown WSD baseline "coin-flip"/,
    );
  },
});
