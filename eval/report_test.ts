import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { dataDir } from "@cohesive/shared";
import { buildReport } from "./report.ts";
import type { NluReport } from "./nlu.ts";
import type { PlagiarismReport } from "./plagiarism.ts";

async function writeJson(path: string, value: unknown): Promise<void> {
  await Deno.mkdir(join(path, ".."), { recursive: true });
  await Deno.writeTextFile(path, JSON.stringify(value));
}

const NLU: NluReport = {
  kind: "nlu",
  command: "deno task eval nlu --model runs/student --task sst2 --seed 3",
  date: "2026-01-01T00:00:00.000Z",
  backend: "wasm",
  config: {
    epochs: 1,
    batchSize: 32,
    lr: 1e-4,
    warmup: 0.1,
    weightDecay: 0.01,
    maxLength: 64,
    seed: 3,
    evalEvery: 0,
    maxTrain: 500,
    splitSeed: 0,
  },
  models: [{
    model: "runs/student",
    name: "student",
    checkpoint: "runs/student/checkpoint-10",
    tasks: [{
      task: "sst2",
      dev: { accuracy: 0.6789 },
      sizes: { train: 500, dev: 872 },
      steps: 16,
      finalLoss: 0.61,
      seconds: { train: 12, eval: 1 },
      notes: ["train: 67349 examples from SST-2/train.tsv"],
      modelDir: "runs/nlu/student/sst2/model",
    }],
  }],
};

const PLAGIARISM: PlagiarismReport = {
  kind: "plagiarism",
  command: "deno task eval plagiarism --model plain=runs/student",
  date: "2026-01-01T00:00:00.000Z",
  parts: ["pan"],
  config: {
    epochs: 2,
    batchSize: 32,
    lr: 1e-4,
    warmup: 0.1,
    weightDecay: 0.01,
    maxLength: 128,
    seed: 0,
    evalEvery: 0,
    paragraphs: 400,
    maxTrain: 2000,
    maxEval: 1000,
  },
  sizes: { pan: { train: 2000, test: 1000 } },
  systems: [
    {
      name: "tfidf-lr (baseline)",
      kind: "baseline",
      pan: { accuracy: 0.904, f1: 0.9, f1Macro: 0.9, n: 1000 },
      seconds: 1,
    },
    {
      name: "lmgc-m",
      kind: "model",
      dir: "runs/lmgcm",
      missing: "runs/lmgcm does not exist",
      seconds: 0,
    },
  ],
};

Deno.test("buildReport() gathers every result with its command and lists missing models", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const nlu = join(dir, "nlu"),
      plag = join(dir, "plag"),
      cmp = join(dir, "cmp"),
      bench = join(dir, "bench");
    const student = join(dir, "student");
    await Deno.mkdir(student);
    await writeJson(join(nlu, "nlu.json"), {
      ...NLU,
      models: [{ ...NLU.models[0], model: student }],
    });
    await Deno.mkdir(join(nlu, "student", "sst2"), { recursive: true });
    await Deno.writeTextFile(
      join(nlu, "student", "sst2", "metrics.jsonl"),
      '{"step":8,"loss":0.69}\n{"step":16,"loss":0.61}\n',
    );
    await writeJson(join(plag, "plagiarism.json"), PLAGIARISM);
    await writeJson(join(cmp, "compare.json"), {
      teachers: [{ spec: "runs/t1", heldoutLoss: 5.5, layers: 4, hidden: 256 }],
      best: 0,
      threshold: 6.25,
      variants: [
        {
          variant: "single",
          curve: [[10, 7], [20, 6.25]],
          final: 6.25,
          stepsToThreshold: 20,
          seconds: 30,
        },
        {
          variant: "confidence",
          curve: [[10, 6.5], [20, 6]],
          final: 6,
          stepsToThreshold: 14.5,
          seconds: 31,
        },
      ],
      ratio: 0.7,
      config: {
        steps: 20,
        batchSize: 8,
        seqLen: 64,
        data: "corpus",
        seed: 7,
        model: { hidden_size: 128 },
      },
    });
    await writeJson(join(bench, "bench.json"), {
      date: "2026-01-01",
      peerInfo: "torch 2.3",
      ours: [{ mode: "train", backend: "wasm", tokens_per_s: 1500, step_ms: 2730, gflops: 10 }],
      peer: [{ mode: "train", tokens_per_s: 3000, threads: 2 }],
      args: ["--backends", "wasm"],
    });
    const mlm = join(dir, "mlm");
    await writeJson(join(mlm, "mlm.json"), {
      data: "corpus",
      batches: { count: 16, rows: 32, seqLen: 128 },
      models: [{
        name: "student",
        checkpoint: "runs/student/checkpoint-9",
        parameters: 4433468,
        loss: 6.5,
        ppl: 665.1,
        accuracy: 0.123,
        shuffledLoss: 6.501,
        orderGain: 0.001,
        unigram: 7.088,
        tokens: 9404,
      }],
      files: [],
    });
    const out = join(dir, "report");
    const r = await buildReport({
      out,
      mlm: [mlm],
      nlu: [nlu, join(dir, "no-nlu")],
      plagiarism: [plag],
      compare: [cmp],
      bench: [bench],
      models: [{ name: "student", path: student }, { name: "lmgc-m", path: join(dir, "lmgcm") }],
      baselines: false,
      command: "deno task eval report --out x",
    });
    const md = await Deno.readTextFile(join(out, "report.md"));
    assert.match(md, /\| student \| 67\.9 \|/); // NLU dev accuracy ×100
    assert.match(md, /Command: `deno task eval nlu --model runs\/student --task sst2 --seed 3`/);
    assert.match(md, /\| tfidf-lr \(baseline\) \|.*\| 90\.4\/90\.0 \|/);
    assert.match(md, /\| lmgc-m \| missing: runs\/lmgcm does not exist \|/);
    assert.match(md, /\| confidence \| 6\.000 \| 14\.5 \| 31 \|/);
    assert.match(md, /confidence-weighted \/ single teacher\): 0\.70/);
    assert.match(md, /seed 7/);
    assert.match(md, /\| train \| 1500 \(wasm\) \| 3000 \| 0\.50× \|/);
    assert.match(md, /Command: `deno task bench --backends wasm`/);
    assert.match(
      md,
      /\| student \| 4,433,468 \| 6\.500 \| 665\.1 \| 12\.3 % \| 6\.501 \| 0\.001 \| 7\.088 \| 9404 \|/,
    );
    assert.match(md, /\| lmgc-m \| .*lmgcm \| \*\*missing\*\* \|/);
    assert.match(md, /\| student \| .*student \| present \| NLU .*nlu \|/);
    assert.doesNotMatch(md, /NaN|undefined|TO[D]O|placeholder/i);
    assert.ok(r.missing.some((m) => m.includes("no-nlu")));
    assert.ok(r.missing.some((m) => m.startsWith("model lmgc-m")));
    for (const svg of ["nlu_loss.svg", "convergence_0.svg"]) {
      assert.ok((await Deno.readTextFile(join(out, svg))).startsWith("<svg"), svg);
    }
    const json = JSON.parse(await Deno.readTextFile(join(out, "report.json")));
    assert.equal(json.nlu[0].report.models[0].tasks[0].dev.accuracy, 0.6789);
    assert.deepEqual(json.models.map((m: { present: boolean }) => m.present), [true, false]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test({
  name: "buildReport() scores WSD key files and runs the baselines it is asked for",
  ignore: !dataDir(),
  fn: async () => {
    const dir = await Deno.makeTempDir();
    try {
      const keys = join(dir, "ALL.key");
      await Deno.writeTextFile(keys, "senseval2.d000.s000.t000 art%1:09:00::\n");
      const out = join(dir, "report");
      const r = await buildReport({
        out,
        nlu: [],
        plagiarism: [],
        compare: [join(dir, "none")],
        bench: [],
        wsd: [{ name: "tiny", path: keys }, { name: "lmgc", path: join(dir, "lmgc.key") }],
        baselineMethods: ["first-sense"],
      });
      const md = await Deno.readTextFile(join(out, "report.md"));
      assert.match(md, /\| first-sense \| 3\.0 \| 66\.8 \|/);
      assert.match(md, /\| first-sense \| 3\.1 \|/);
      assert.match(md, /first-sense \(WordNet 3\.1\): 7252 keys identical, 0 mapped, 0 unmappable/);
      assert.match(md, /WordNet 3\.1 holds a gold key for 7246 of 7253 ALL instances/);
      assert.match(md, /\| tiny \| 0\.1 \|/); // one right answer of 2,282 senseval2 instances
      assert.match(md, /\| lmgc \| \*\*missing\*\*/);
      assert.ok(existsSync(join(out, "wsd_f1.svg")));
      assert.ok(r.missing.some((m) => m.includes("lmgc.key")));
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
