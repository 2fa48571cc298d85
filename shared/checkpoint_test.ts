import assert from "node:assert/strict";
import { join } from "node:path";
import { type BertConfig, bertTensorShapes, resolveBertConfig } from "./bert_config.ts";
import {
  type Checkpoint,
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  CheckpointError,
  loadCheckpoint,
  saveCheckpoint,
} from "./checkpoint.ts";
import { readSafetensors, type TensorData, writeSafetensors } from "./safetensors.ts";
import { loadTrainingState } from "./training_state.ts";

const CONFIG: BertConfig = resolveBertConfig({
  vocab_size: 50,
  hidden_size: 8,
  num_hidden_layers: 2,
  num_attention_heads: 2,
  intermediate_size: 16,
  max_position_embeddings: 16,
});

/** Deterministic pseudo-random weights for every tensor of `config`. */
function tinyWeights(config: BertConfig = CONFIG): Map<string, TensorData> {
  let s = 12345;
  const next = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31 - 0.5) * 0.1;
  const out = new Map<string, TensorData>();
  for (const [name, shape] of bertTensorShapes(config)) {
    const data = new Float32Array(shape.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = next();
    out.set(name, { shape, data });
  }
  return out;
}

const VOCAB = Array.from({ length: 50 }, (_, i) => (i === 0 ? "[PAD]" : `tok${i}`));

function tiny(): Checkpoint {
  return { config: CONFIG, weights: tinyWeights(), vocab: VOCAB, meta: { seed: 7, step: 3 } };
}

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Write a Hugging Face style folder by hand: config.json, model.safetensors, vocab.txt. */
async function writeHfFolder(
  dir: string,
  config: Record<string, unknown>,
  tensors: Map<string, TensorData>,
  vocab: string[] | undefined = VOCAB,
): Promise<void> {
  await Deno.mkdir(dir, { recursive: true });
  await Deno.writeTextFile(join(dir, "config.json"), JSON.stringify(config));
  await Deno.writeFile(join(dir, "model.safetensors"), writeSafetensors(tensors, { format: "pt" }));
  if (vocab) await Deno.writeTextFile(join(dir, "vocab.txt"), vocab.join("\n") + "\n");
}

function hfConfig(): Record<string, unknown> {
  return {
    architectures: ["BertModel"],
    transformers_version: "4.44.0",
    tie_word_embeddings: true,
    output_past: true,
    ...CONFIG,
  };
}

async function expectLoadError(dir: string, pattern: RegExp): Promise<void> {
  await assert.rejects(() => loadCheckpoint(dir, { onWarning: () => {} }), (e: unknown) => {
    assert.ok(e instanceof CheckpointError, `expected CheckpointError, got ${e}`);
    assert.match(e.message, pattern);
    assert.ok(!e.message.includes("\n"), "one line");
    return true;
  });
}

function assertSameWeights(a: Map<string, TensorData>, b: Map<string, TensorData>): void {
  assert.deepEqual([...a.keys()].sort(), [...b.keys()].sort());
  for (const [name, t] of a) {
    assert.deepEqual(b.get(name)!.shape, t.shape, name);
    assert.deepEqual(b.get(name)!.data, t.data, name);
  }
}

Deno.test("saveCheckpoint() and loadCheckpoint() round-trip config, weights, vocab and meta", async () => {
  await withTempDir(async (root) => {
    const dir = join(root, "ck");
    const ck = tiny();
    await saveCheckpoint(dir, ck);
    assert.deepEqual((await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort(), [
      "config.json",
      "model.safetensors",
      "vocab.txt",
    ]);
    const json = JSON.parse(await Deno.readTextFile(join(dir, "config.json")));
    assert.deepEqual(json.architectures, ["BertForPreTraining"]);
    assert.equal(json.hidden_size, 8);
    assert.deepEqual(json.cohesive, {
      format: CHECKPOINT_FORMAT,
      version: CHECKPOINT_VERSION,
      seed: 7,
      step: 3,
    });
    const st = readSafetensors(await Deno.readFile(join(dir, "model.safetensors")));
    assert.equal(st.metadata.format, "pt", "transformers needs format=pt");
    assert.ok(st.tensors.has("bert.encoder.layer.1.output.LayerNorm.bias"));

    const warnings: string[] = [];
    const back = await loadCheckpoint(dir, { onWarning: (m) => warnings.push(m) });
    assert.deepEqual(back.config, CONFIG);
    assert.deepEqual(back.vocab, VOCAB);
    assert.deepEqual(back.meta, { seed: 7, step: 3 });
    assert.deepEqual(back.missingHeads, []);
    assert.equal(back.foreign, false);
    assert.equal(back.extra.size, 0);
    assert.deepEqual(warnings, []);
    assertSameWeights(ck.weights, back.weights);
  });
});

Deno.test("saveCheckpoint() replaces an existing checkpoint and leaves no temporary folders", async () => {
  await withTempDir(async (root) => {
    const dir = join(root, "ck");
    await saveCheckpoint(dir, tiny());
    const ck2 = tiny();
    ck2.weights.get("bert.pooler.dense.bias")!.data.fill(0.25);
    ck2.meta = { step: 4 };
    await saveCheckpoint(dir, ck2);
    assert.deepEqual((await Array.fromAsync(Deno.readDir(root))).map((e) => e.name), ["ck"]);
    const back = await loadCheckpoint(dir);
    assert.deepEqual(back.meta, { step: 4 });
    assert.deepEqual([...back.weights.get("bert.pooler.dense.bias")!.data], Array(8).fill(0.25));
  });
});

Deno.test("saveCheckpoint() refuses bad input and leaves nothing behind", async () => {
  await withTempDir(async (root) => {
    const dir = join(root, "ck");
    const badShape = tiny();
    badShape.weights.set("bert.pooler.dense.bias", { shape: [4], data: new Float32Array(4) });
    await assert.rejects(
      () => saveCheckpoint(dir, badShape),
      /tensor "bert\.pooler\.dense\.bias" has shape \[4\], config says \[8\]/,
    );
    const badVocab = { ...tiny(), vocab: VOCAB.slice(1) };
    await assert.rejects(() => saveCheckpoint(dir, badVocab), /vocab has 49 tokens/);
    const notCk = join(root, "notes");
    await Deno.mkdir(notCk);
    await Deno.writeTextFile(join(notCk, "keep.txt"), "mine");
    await assert.rejects(() => saveCheckpoint(notCk, tiny()), /not a checkpoint folder/);
    assert.equal(await Deno.readTextFile(join(notCk, "keep.txt")), "mine");
    assert.deepEqual((await Array.fromAsync(Deno.readDir(root))).map((e) => e.name), ["notes"]);
  });
});

Deno.test("saveCheckpoint() bundles the training state into the same atomic folder", async () => {
  await withTempDir(async (root) => {
    const dir = join(root, "ck");
    const m = new Float32Array([1.5, -2.25, 3e-8]);
    await saveCheckpoint(dir, {
      ...tiny(),
      trainingState: {
        step: 3,
        rng: [1, 2],
        dataPosition: { offset: 9 },
        optimizer: new Map([["m/x", { shape: [3], data: m }]]),
      },
    });
    const st = await loadTrainingState(dir);
    assert.equal(st.step, 3);
    assert.deepEqual(st.optimizer.get("m/x")!.data, m);
    const back = await loadCheckpoint(dir);
    assertSameWeights(tiny().weights, back.weights);
  });
});

Deno.test("loadCheckpoint() loads a Hugging Face BertModel folder with gamma/beta names", async () => {
  await withTempDir(async (root) => {
    const dir = join(root, "hf");
    const full = tinyWeights();
    const tensors = new Map<string, TensorData>();
    for (const [name, t] of full) {
      if (name.startsWith("cls.")) continue; // BertModel: no MLM/NSP heads
      const bare = name.slice("bert.".length).replace(/LayerNorm\.weight$/, "LayerNorm.gamma")
        .replace(/LayerNorm\.bias$/, "LayerNorm.beta");
      tensors.set(bare, t);
    }
    tensors.set("embeddings.position_ids", { shape: [1, 16], data: new Float32Array(16) });
    await writeHfFolder(dir, hfConfig(), tensors);
    const warnings: string[] = [];
    const ck = await loadCheckpoint(dir, { onWarning: (m) => warnings.push(m) });
    assert.equal(ck.foreign, true);
    assert.deepEqual(ck.meta, {});
    assert.deepEqual(ck.config, CONFIG);
    assert.deepEqual(ck.missingHeads, ["cls.predictions", "cls.seq_relationship"]);
    assert.deepEqual(warnings, []);
    for (const [name, t] of full) {
      if (name.startsWith("cls.")) assert.ok(!ck.weights.has(name));
      else assert.deepEqual(ck.weights.get(name)!.data, t.data, name);
    }
    await assert.rejects(
      () => loadCheckpoint(dir, { requireHeads: true }),
      /no cls\.predictions, cls\.seq_relationship heads .*heads were required/,
    );
  });
});

Deno.test("loadCheckpoint() ignores a tied decoder weight and warns when it is not tied", async () => {
  await withTempDir(async (root) => {
    const dir = join(root, "hf");
    const tensors = tinyWeights();
    const emb = tensors.get("bert.embeddings.word_embeddings.weight")!;
    tensors.set("cls.predictions.decoder.weight", { shape: emb.shape, data: emb.data.slice() });
    tensors.set("cls.predictions.decoder.bias", tensors.get("cls.predictions.bias")!);
    const classifier = { shape: [3, 8], data: new Float32Array(24).fill(1) };
    tensors.set("classifier.weight", classifier);
    await writeHfFolder(dir, hfConfig(), tensors);
    const warnings: string[] = [];
    const ck = await loadCheckpoint(dir, { onWarning: (m) => warnings.push(m) });
    assert.ok(!ck.weights.has("cls.predictions.decoder.weight"));
    assert.deepEqual(ck.extra.get("classifier.weight")!.data, classifier.data);
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /classifier\.weight/);

    tensors.set("cls.predictions.decoder.weight", {
      shape: emb.shape,
      data: emb.data.map((x) => x + 1),
    });
    await writeHfFolder(dir, hfConfig(), tensors);
    const untied: string[] = [];
    await loadCheckpoint(dir, { onWarning: (m) => untied.push(m) });
    assert.ok(untied.some((m) => /decoder\.weight differs from the word embeddings/.test(m)));
  });
});

Deno.test("loadCheckpoint() reports a wrong shape naming the file, tensor and both shapes", async () => {
  await withTempDir(async (root) => {
    const dir = join(root, "x");
    const tensors = tinyWeights();
    tensors.set("bert.encoder.layer.0.attention.self.query.weight", {
      shape: [4, 8],
      data: new Float32Array(32),
    });
    await writeHfFolder(dir, hfConfig(), tensors);
    await expectLoadError(
      dir,
      new RegExp(
        `^${join(dir, "model.safetensors").replace(/[.]/g, "\\.")}: tensor ` +
          `"bert\\.encoder\\.layer\\.0\\.attention\\.self\\.query\\.weight" has shape \\[4,8\\], ` +
          `config\\.json says \\[8,8\\]$`,
      ),
    );
  });
});

Deno.test("loadCheckpoint() reports missing tensors, extra layers and half heads", async () => {
  await withTempDir(async (root) => {
    const dir = join(root, "x");
    const missing = tinyWeights();
    missing.delete("bert.encoder.layer.1.output.dense.weight");
    await writeHfFolder(dir, hfConfig(), missing);
    await expectLoadError(
      dir,
      /tensor "bert\.encoder\.layer\.1\.output\.dense\.weight" is missing/,
    );

    const halfHead = tinyWeights();
    halfHead.delete("cls.seq_relationship.bias");
    await writeHfFolder(dir, hfConfig(), halfHead);
    await expectLoadError(dir, /tensor "cls\.seq_relationship\.bias" is missing/);

    const deeper = tinyWeights(resolveBertConfig({ ...CONFIG, num_hidden_layers: 3 }));
    await writeHfFolder(dir, hfConfig(), deeper);
    await expectLoadError(dir, /unexpected tensor "bert\.encoder\.layer\.2\./);
  });
});

Deno.test("loadCheckpoint() rejects a vocab.txt whose size differs from vocab_size", async () => {
  await withTempDir(async (root) => {
    const dir = join(root, "x");
    await writeHfFolder(dir, hfConfig(), tinyWeights(), [...VOCAB, "extra"]);
    await expectLoadError(dir, /vocab\.txt: 51 tokens, config\.json says vocab_size 50$/);
  });
});

Deno.test("loadCheckpoint() rejects unknown formats and newer versions", async () => {
  await withTempDir(async (root) => {
    const dir = join(root, "ck");
    await saveCheckpoint(dir, tiny());
    const path = join(dir, "config.json");
    const json = JSON.parse(await Deno.readTextFile(path));
    json.cohesive.version = 2;
    await Deno.writeTextFile(path, JSON.stringify(json));
    await expectLoadError(
      dir,
      /config\.json: checkpoint format version 2 is newer .*update cohesive/,
    );
    json.cohesive = { format: "something-else", version: 1 };
    await Deno.writeTextFile(path, JSON.stringify(json));
    await expectLoadError(dir, /cohesive\.format is "something-else", expected "cohesive-bert"/);
    json.cohesive = { format: CHECKPOINT_FORMAT, version: 1 };
    json.hidden_sise = 8;
    await Deno.writeTextFile(path, JSON.stringify(json));
    await expectLoadError(dir, /config\.json: unknown config key "hidden_sise"/);
  });
});

Deno.test("loadCheckpoint() explains truncated weights, pytorch_model.bin and missing folders", async () => {
  await withTempDir(async (root) => {
    const dir = join(root, "ck");
    await saveCheckpoint(dir, tiny());
    const st = join(dir, "model.safetensors");
    const bytes = await Deno.readFile(st);
    await Deno.writeFile(st, bytes.subarray(0, bytes.length - 100));
    await expectLoadError(dir, /model\.safetensors: truncated: header says \d+ bytes of data/);

    await Deno.remove(st);
    await Deno.writeFile(join(dir, "pytorch_model.bin"), new Uint8Array(4));
    await expectLoadError(
      dir,
      /pytorch_model\.bin: cohesive reads model\.safetensors only; convert it with: python/,
    );

    await expectLoadError(join(root, "nope"), /nope: no such checkpoint folder$/);
    await Deno.rename(dir, join(root, ".ck.old-1234"));
    await expectLoadError(dir, /interrupted save left .*\.ck\.old-1234: rename it to/);
  });
});

Deno.test("loadCheckpoint() reads sharded safetensors folders", async () => {
  await withTempDir(async (root) => {
    const dir = join(root, "sharded");
    const all = tinyWeights();
    const names = [...all.keys()];
    const a = new Map(names.slice(0, 10).map((n) => [n, all.get(n)!]));
    const b = new Map(names.slice(10).map((n) => [n, all.get(n)!]));
    await Deno.mkdir(dir);
    await Deno.writeTextFile(join(dir, "config.json"), JSON.stringify(hfConfig()));
    await Deno.writeFile(join(dir, "model-00001-of-00002.safetensors"), writeSafetensors(a));
    await Deno.writeFile(join(dir, "model-00002-of-00002.safetensors"), writeSafetensors(b));
    const weightMap = Object.fromEntries([
      ...names.slice(0, 10).map((n) => [n, "model-00001-of-00002.safetensors"]),
      ...names.slice(10).map((n) => [n, "model-00002-of-00002.safetensors"]),
    ]);
    await Deno.writeTextFile(
      join(dir, "model.safetensors.index.json"),
      JSON.stringify({ metadata: {}, weight_map: weightMap }),
    );
    await Deno.writeTextFile(join(dir, "vocab.txt"), VOCAB.join("\n") + "\n");
    const ck = await loadCheckpoint(dir);
    assertSameWeights(all, ck.weights);
  });
});
