import assert from "node:assert/strict";
import { join } from "node:path";
import { ensureFixtures } from "@cohesive/fixtures";
import { existsSync } from "node:fs";
import { initRuntime, loadCheckpoint } from "@cohesive/shared";
import { accuracy } from "./metrics.ts";
import { loadNluTask } from "./nlu_data.ts";
import { tinyDataDir } from "./_test_data.ts";
import { DEFAULT_FINE_TUNE, MissingHeadError, SequenceClassifier } from "./classifier.ts";
import { runNlu } from "./nlu.ts";

const config = { epochs: 2, batchSize: 8, lr: 3e-3, maxLength: 24, warmup: 0 };

Deno.test("runNlu() fine-tunes a classifier head, saves it, and writes a GLUE-like table", async () => {
  const fixtures = await ensureFixtures();
  const data = await tinyDataDir();
  const out = join(data, "out");
  try {
    const model = join(fixtures, "tiny-bert");
    const r = await runNlu({
      models: [model],
      tasks: ["sst2", "stsb"],
      out,
      config,
      dataDir: join(data, "nlu"),
      backend: "wasm",
      progress: false,
    });
    const [sst2, stsb] = r.models[0].tasks;
    assert.equal(sst2.steps, 6); // 24 examples / 8 × 2 epochs
    assert.ok(sst2.dev.accuracy! >= 0 && sst2.dev.accuracy! <= 1);
    assert.ok(Number.isFinite(stsb.dev.pearson) && Number.isFinite(stsb.test!.spearman));
    const curve = (await Deno.readTextFile(join(out, "tiny-bert", "sst2", "metrics.jsonl")))
      .trim().split("\n").map((l) => JSON.parse(l));
    assert.equal(curve.at(-1).step, 6);
    assert.equal(curve.at(-1).examples, 8); // logged every update here
    // The saved folder holds the head under Hugging Face's names, and the task in its meta.
    const ck = await loadCheckpoint(join(out, "tiny-bert", "sst2", "model"), {
      onWarning: () => {},
    });
    assert.deepEqual(ck.extra.get("classifier.weight")?.shape, [2, 16]);
    assert.deepEqual(ck.extra.get("classifier.bias")?.shape, [2]);
    assert.equal(ck.meta.task, "sst2");
    const md = await Deno.readTextFile(join(out, "nlu.md"));
    assert.match(md, /\| model \| SST-2 \(accuracy\) \| STS-B \(pearson\/spearman\) \| avg \|/);
    assert.match(md, /\| tiny-bert \| \d+\.\d \| -?\d+\.\d\/-?\d+\.\d \| -?\d+\.\d \|/);
    const json = JSON.parse(await Deno.readTextFile(join(out, "nlu.json")));
    assert.equal(json.config.seed, 0);

    // Re-evaluating the saved heads reproduces the dev scores exactly.
    const again = await runNlu({
      models: [join(out, "tiny-bert")],
      tasks: ["sst2", "stsb"],
      out: join(data, "out2"),
      config,
      dataDir: join(data, "nlu"),
      evalOnly: true,
      progress: false,
    });
    assert.deepEqual(again.models[0].tasks.map((t) => t.dev), [sst2.dev, stsb.dev]);
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});

Deno.test("runNlu() with evalOnly names a folder that has no classifier head", async () => {
  const fixtures = await ensureFixtures();
  const data = await tinyDataDir();
  try {
    await assert.rejects(
      runNlu({
        models: [join(fixtures, "tiny-bert")],
        tasks: ["sst2"],
        out: join(data, "out"),
        dataDir: join(data, "nlu"),
        evalOnly: true,
        progress: false,
      }),
      (e: Error) => {
        assert.ok(e instanceof MissingHeadError);
        assert.match(
          e.message,
          /tiny-bert: no classifier head \(classifier\.weight, classifier\.bias\)/,
        );
        assert.ok(!e.message.includes("\n"));
        return true;
      },
    );
    await assert.rejects(
      runNlu({ models: [join(data, "no-model")], tasks: ["sst2"], out: data, progress: false }),
      /model folder .*no-model does not exist/,
    );
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});

Deno.test("SequenceClassifier.load() refuses a head of another size than the task needs", async () => {
  const fixtures = await ensureFixtures();
  const dir = await Deno.makeTempDir();
  try {
    const clf = await SequenceClassifier.load(join(fixtures, "tiny-bert"), { numLabels: 2 });
    assert.equal(clf.hadHead, false);
    await clf.save(join(dir, "m"), { task: "sst2" });
    clf.dispose();
    await assert.rejects(
      SequenceClassifier.load(join(dir, "m"), { numLabels: 1, requireHead: true }),
      /classifier head has shape \[2,16\], the task needs \[1,16\]/,
    );
    const back = await SequenceClassifier.load(join(dir, "m"), { numLabels: 2, requireHead: true });
    assert.equal(back.hadHead, true);
    assert.equal((await back.embed(["the river bank"]))[0].length, back.hiddenSize);
    back.dispose();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("SequenceClassifier.fineTune() fits one batch: the loss falls and the head learns", async () => {
  const fixtures = await ensureFixtures();
  const data = await tinyDataDir();
  try {
    await initRuntime({ backend: "wasm", quiet: true });
    const d = await loadNluTask("sst2", { dir: join(data, "nlu") });
    const batch = d.train.slice(0, 8);
    const clf = await SequenceClassifier.load(join(fixtures, "tiny-bert"), { numLabels: 2 });
    const r = await clf.fineTune(batch, join(data, "run"), {
      ...DEFAULT_FINE_TUNE,
      epochs: 20,
      batchSize: 8,
      lr: 2e-2,
      warmup: 0,
      weightDecay: 0,
      maxLength: 24,
    }, { progress: false });
    const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
    assert.equal(r.step, 20);
    assert.ok(
      mean(r.losses.slice(-3)) < 0.5 * mean(r.losses.slice(0, 3)),
      JSON.stringify(r.losses),
    );
    const logits = await clf.predict(batch, { maxLength: 24 });
    assert.ok(
      accuracy(logits.map((l) => (l[1] > l[0] ? 1 : 0)), batch.map((x) => x.label)) >= 0.75,
    );
    // train()'s intermediate checkpoint (without the head) is not left behind.
    assert.ok(!existsSync(join(data, "run", "latest.json")));
    clf.dispose();
  } finally {
    await Deno.remove(data, { recursive: true });
  }
});
