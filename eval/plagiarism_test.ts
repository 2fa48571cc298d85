import assert from "node:assert/strict";
import { join } from "node:path";
import { ensureFixtures } from "@cohesive/fixtures";
import { tinyDataDir } from "./_test_data.ts";
import { runPlagiarism } from "./plagiarism.ts";
import {
  cleanCorpusLine,
  loadPan,
  loadSts2016,
  paragraphsBySource,
  paragraphsOf,
} from "./plagiarism_data.ts";

Deno.test("paragraphsOf() joins lines to paragraphs and cleanCorpusLine() undoes corpus marks", () => {
  assert.equal(
    cleanCorpusLine("a well @-@ known `` film '' , 1 @,@ 000"),
    'a well-known " film " , 1,000',
  );
  const text = ["one two three", "four five", "", "six seven eight nine ten eleven"].join("\n");
  assert.deepEqual(paragraphsOf(text, 4, 5), [
    "one two three four five",
    "six seven eight nine ten",
  ]);
});

Deno.test("paragraphsBySource() splits by file, never mixing a source into both sides", async () => {
  const data = await tinyDataDir();
  try {
    const a = await paragraphsBySource(join(data, "corpus"), { perSplit: 5, seed: 1 });
    const b = await paragraphsBySource(join(data, "corpus"), { perSplit: 5, seed: 1 });
    assert.deepEqual(a, b);
    assert.equal(a.testFiles.length, 1);
    assert.equal(a.trainFiles.length, 3);
    assert.ok(a.train.every((p) => a.trainFiles.includes(p.source)));
    assert.ok(a.test.every((p) => a.testFiles.includes(p.source)));
    assert.equal(a.train.length, 5);
    // Round-robin over the side's files.
    assert.deepEqual(a.train.slice(0, 3).map((p) => p.source).sort(), a.trainFiles);
    await assert.rejects(paragraphsBySource(join(data, "none")), /corpus folder .* does not exist/);
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});

Deno.test("loadPan() and loadSts2016() read the released formats", async () => {
  const data = await tinyDataDir();
  try {
    const pan = await loadPan(join(data, "paraphrase", "pan"));
    assert.equal(pan.train.length, 30);
    assert.equal(pan.test.length, 10);
    assert.deepEqual(new Set(pan.train.map((x) => x.label)), new Set([0, 1]));
    const sts = await loadSts2016(join(data, "paraphrase", "sts2016", "plagiarism.test.tsv"));
    assert.equal(sts.unscored, 2);
    assert.equal(sts.pairs.length, 10);
    await assert.rejects(loadPan(join(data, "nope")), /missing dataset file .*pan-train_s1\.txt/);
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});

Deno.test("runPlagiarism() scores the baseline and a model, and reports a missing model as missing", async () => {
  const fixtures = await ensureFixtures();
  const data = await tinyDataDir();
  const out = join(data, "out");
  try {
    const lines: string[] = [];
    const r = await runPlagiarism({
      models: [
        { name: "plain", dir: join(fixtures, "tiny-bert") },
        { name: "lmgc-m", dir: join(data, "no-such-model") },
      ],
      out,
      paragraphs: 6,
      maxTrain: 16,
      maxEval: 8,
      config: { epochs: 1, batchSize: 8, maxLength: 24 },
      dataDir: data,
      backend: "wasm",
      progress: false,
      log: (l) => lines.push(l),
    });
    assert.deepEqual(r.systems.map((s) => s.name), ["tfidf-lr (baseline)", "plain", "lmgc-m"]);
    const [base, plain, missing] = r.systems;
    assert.equal(missing.missing, `${join(data, "no-such-model")} does not exist`);
    assert.equal(missing.pan, undefined);
    for (const s of [base, plain]) {
      for (const tr of ["light", "heavy"] as const) {
        for (const te of ["light", "heavy"] as const) {
          const x = s.spin![tr]![te]!;
          assert.equal(x.n, 12); // 6 test paragraphs, original and spun
          assert.ok(x.f1Macro >= 0 && x.f1Macro <= 1);
        }
      }
      assert.equal(s.pan!.n, 8);
      assert.equal(s.mrpc!.n, 8);
    }
    assert.equal(base.sts!.length, 1);
    assert.deepEqual(plain.sts!.map((c) => c.n), [10, 10]);
    assert.ok(r.spin!.stats.heavy.test.realised > r.spin!.stats.light.test.realised);
    const md = await Deno.readTextFile(join(out, "plagiarism.md"));
    assert.match(md, /\| lmgc-m \| missing: .*no-such-model does not exist \|/);
    assert.match(md, /\| plain \| \d+\.\d \| \d+\.\d \|/);
    const json = JSON.parse(await Deno.readTextFile(join(out, "plagiarism.json")));
    assert.equal(json.systems.length, 3);
    assert.ok(lines.some((l) => l.startsWith("lmgc-m: missing")));
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});
