import assert from "node:assert/strict";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ensureFixtures } from "@cohesive/fixtures";
import { tinyDataDir } from "./_test_data.ts";

const MAIN = fileURLToPath(new URL("./main.ts", import.meta.url));

async function cli(args: string[], env: Record<string, string> = {}) {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", MAIN, ...args],
    env: { COHESIVE_BACKEND: "cpu", ...env },
    stdout: "piped",
    stderr: "piped",
  }).output();
  const dec = new TextDecoder();
  return { code: out.code, stdout: dec.decode(out.stdout), stderr: dec.decode(out.stderr) };
}

Deno.test("eval nlu rejects an unknown task with one line and exit status 2", async () => {
  const r = await cli(["nlu", "--model", "x", "--task", "mnli"]);
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr,
    'error: unknown task "mnli" (one of cola, sst2, mrpc, stsb, qqp, rte, or all)\n',
  );
});

Deno.test("eval nlu names a missing dataset file and a model folder without a head, in one line", async () => {
  const fixtures = await ensureFixtures();
  const data = await tinyDataDir();
  const empty = await Deno.makeTempDir();
  try {
    const model = join(fixtures, "tiny-bert");
    const missing = await cli(["nlu", "--model", model, "--task", "sst2"], {
      COHESIVE_DATA: empty,
    });
    assert.equal(missing.code, 1);
    assert.match(
      missing.stderr,
      /^error: task sst2: missing dataset file .*SST-2\/train\.tsv .*\n$/,
    );
    const head = await cli(
      ["nlu", "--model", model, "--task", "sst2", "--eval-only", "--out", join(data, "out")],
      { COHESIVE_DATA: data },
    );
    assert.equal(head.code, 1);
    assert.match(
      head.stderr,
      /^error: .*tiny-bert: no classifier head \(classifier\.weight, classifier\.bias\); fine-tune the model first .*\n$/,
    );
    assert.equal(head.stderr.split("\n").length, 2);
  } finally {
    await Deno.remove(data, { recursive: true });
    await Deno.remove(empty, { recursive: true });
  }
});

Deno.test("eval score prints Scorer.java's lines and refuses unknown ids in one line", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(join(dir, "gold"), "a k1\nb k2 k3\nc k4\n");
    await Deno.writeTextFile(join(dir, "ok"), "a k1\nb k3\n");
    await Deno.writeTextFile(join(dir, "bad"), "a k1\nzz k3\n");
    const ok = await cli(["score", join(dir, "gold"), join(dir, "ok")]);
    assert.equal(ok.code, 0);
    assert.ok(ok.stdout.startsWith("P=\t100.0%\nR=\t66.7%\nF1=\t80.0%\n"), ok.stdout);
    const bad = await cli(["score", join(dir, "gold"), join(dir, "bad")]);
    assert.equal(bad.code, 1);
    assert.equal(
      bad.stderr,
      `error: ${join(dir, "bad")}: 1 instance id(s) not in ${join(dir, "gold")}: zz\n`,
    );
    const skip = await cli(["score", "--skip-unknown", join(dir, "gold"), join(dir, "bad")]);
    assert.equal(skip.code, 0);
    assert.ok(skip.stdout.startsWith("P=\t100.0%\nR=\t33.3%\nF1=\t50.0%\n"), skip.stdout);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("eval rejects an unknown command and a bad report flag", async () => {
  const r = await cli(["frobnicate"]);
  assert.equal(r.code, 2);
  assert.equal(
    r.stderr,
    'error: unknown command "frobnicate" (one of score, wsd, nlu, plagiarism, mlm, report)\n',
  );
  const rep = await cli(["report", "--out", "/tmp/x", "--wsd", "nokey"]);
  assert.equal(rep.code, 2);
  assert.equal(rep.stderr, 'error: --wsd takes NAME=PATH, got "nokey"\n');
});

Deno.test("eval mlm reports loss, order gain and the unigram reference; no model is a usage error", async () => {
  const fixtures = await ensureFixtures();
  const dir = await Deno.makeTempDir();
  try {
    const words = "your which their said if do will each about how up out them then she many".split(
      " ",
    );
    const lines = Array.from(
      { length: 400 },
      (_, i) =>
        Array.from({ length: 6 + (i % 5) }, (_, j) => words[(i * 7 + j * 3) % 16]).join(" "),
    );
    await Deno.writeTextFile(join(dir, "text.txt"), lines.join("\n") + "\n");
    const out = join(dir, "out");
    const r = await cli([
      "mlm",
      "--model",
      `tiny=${join(fixtures, "tiny-bert")}`,
      "--data",
      join(dir, "text.txt"),
      "--batches",
      "2",
      "--rows",
      "4",
      "--seq",
      "32",
      "--out",
      out,
    ]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /\| tiny \| /);
    const j = JSON.parse(await Deno.readTextFile(join(out, "mlm.json")));
    assert.equal(j.models.length, 1);
    const m = j.models[0];
    assert.deepEqual(j.batches, { count: 2, rows: 4, seqLen: 32 });
    assert.ok(m.tokens > 0);
    assert.ok(m.accuracy >= 0 && m.accuracy <= 1);
    assert.ok(Math.abs(m.orderGain - (m.shuffledLoss - m.loss)) < 1e-9);
    // An untrained 128-token model is near log(128) = 4.85; the unigram of 16 words is below it.
    assert.ok(m.loss > 4 && m.loss < 6, `loss ${m.loss}`);
    assert.ok(m.unigram > 2 && m.unigram < m.loss, `unigram ${m.unigram}`);
    assert.ok(await Deno.stat(join(out, "mlm.md")));
    const bad = await cli(["mlm"]);
    assert.equal(bad.code, 2);
    assert.equal(bad.stderr, "error: mlm needs --model NAME=DIR\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
