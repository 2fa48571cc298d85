import assert from "node:assert/strict";
import { join } from "node:path";
import { loadCheckpoint, WordPieceTokenizer } from "@cohesive/shared";
import { pretrainTeacher, resolveTeacherRun } from "./pretrain.ts";

const TINY = {
  model: { hidden_size: 16, num_hidden_layers: 1, num_attention_heads: 2, intermediate_size: 32 },
  seqLen: 16,
  batchSize: 2,
  steps: 2,
  evalBatches: 1,
  evalEvery: 0,
  saveEvery: 0,
  logEvery: 1,
  heldoutPercent: 20,
};

Deno.test("teacher with vocabSize trains its own vocabulary on its text and keeps it for --resume", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const data = join(dir, "text");
    await Deno.mkdir(data);
    const line = "the river bank was wet and the money bank was dry after the rain fell";
    const lines = Array.from({ length: 200 }, (_, i) => `${line} ${i}`);
    await Deno.writeTextFile(join(data, "a.txt"), lines.join("\n") + "\n");
    const run = join(dir, "run");
    const r = await pretrainTeacher(run, { ...TINY, data, vocabSize: 80 }, {
      progress: false,
      backend: "cpu",
    });
    const saved = await WordPieceTokenizer.fromFile(join(run, "tokenizer"));
    assert.ok(saved.vocabSize <= 80 && saved.vocabSize > 40, `vocabulary of ${saved.vocabSize}`);
    assert.deepEqual(saved.vocab.slice(0, 5), ["[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]"]);
    assert.ok(!saved.tokenize(line).includes("[UNK]"));
    const ck = await loadCheckpoint(r.checkpoint);
    assert.equal(ck.config.vocab_size, saved.vocabSize);
    assert.deepEqual(ck.vocab, saved.vocab);
    const resumed = await pretrainTeacher(run, { ...TINY, steps: 3 }, {
      progress: false,
      backend: "cpu",
      resume: true,
    });
    assert.deepEqual((await loadCheckpoint(resumed.checkpoint)).vocab, saved.vocab);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a teacher run refuses vocabSize with from, or a negative vocabSize", () => {
  assert.throws(() => resolveTeacherRun({ vocabSize: 100, from: "x" }), /choose one/);
  assert.throws(() => resolveTeacherRun({ vocabSize: -1 }), /"vocabSize" must be 0 or a positive/);
  assert.equal(resolveTeacherRun({}).vocabSize, 0);
});
