import assert from "node:assert/strict";
import { join } from "node:path";
import type { TensorData } from "./safetensors.ts";
import {
  loadTrainingState,
  saveTrainingState,
  TRAINING_STATE_FORMAT,
  type TrainingState,
  TrainingStateError,
} from "./training_state.ts";

async function withTempDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

function state(): TrainingState {
  const bits = new Uint32Array([0x7fc00001, 0x80000000, 0x00000001, 0x3f800000, 0xff800000]);
  const m = new Float32Array(bits.buffer); // NaN payload, -0, smallest subnormal, 1, -inf
  const v = new Float32Array(12).map((_, i) => Math.fround(1 / (i + 3)));
  return {
    step: 1234,
    rng: { seed: 42, s: [0x9e3779b9, 0x243f6a88, 0xb7e15162, 1], pos: "18446744073709551615" },
    dataPosition: { epoch: 2, file: "corpus/brown.txt", offset: 98765, order: [3, 1, 2] },
    optimizer: new Map<string, TensorData>([
      ["m/bert.embeddings.LayerNorm.weight", { shape: [5], data: m }],
      ["v/bert.encoder.layer.0.intermediate.dense.weight", { shape: [3, 4], data: v }],
    ]),
    extra: { lr: 5e-4, best: { f1: 0.71, step: 1000 } },
  };
}

async function expectError(dir: string, pattern: RegExp): Promise<void> {
  await assert.rejects(() => loadTrainingState(dir), (e: unknown) => {
    assert.ok(e instanceof TrainingStateError, `expected TrainingStateError, got ${e}`);
    assert.match(e.message, pattern);
    assert.ok(!e.message.includes("\n"), "one line");
    return true;
  });
}

Deno.test("saveTrainingState() and loadTrainingState() round-trip the state bit-exactly", async () => {
  await withTempDir(async (dir) => {
    const st = state();
    await saveTrainingState(dir, st);
    assert.deepEqual((await Array.fromAsync(Deno.readDir(dir))).map((e) => e.name).sort(), [
      "optimizer.safetensors",
      "training_state.json",
    ]);
    const json = JSON.parse(await Deno.readTextFile(join(dir, "training_state.json")));
    assert.equal(json.format, TRAINING_STATE_FORMAT);
    assert.equal(json.version, 1);
    const back = await loadTrainingState(dir);
    assert.equal(back.step, st.step);
    assert.deepEqual(back.rng, st.rng);
    assert.deepEqual(back.dataPosition, st.dataPosition);
    assert.deepEqual(back.extra, st.extra);
    assert.deepEqual([...back.optimizer.keys()].sort(), [...st.optimizer.keys()].sort());
    for (const [name, t] of st.optimizer) {
      const b = back.optimizer.get(name)!;
      assert.deepEqual(b.shape, t.shape);
      assert.deepEqual(
        new Uint32Array(b.data.buffer, b.data.byteOffset, b.data.length),
        new Uint32Array(t.data.buffer, t.data.byteOffset, t.data.length),
        name,
      );
    }
  });
});

Deno.test("saveTrainingState() refuses state that JSON would not bring back unchanged", async () => {
  await withTempDir(async (dir) => {
    await assert.rejects(
      () => saveTrainingState(dir, { ...state(), rng: { s: new Uint32Array(4) } }),
      /rng\.s is a Uint32Array; store plain JSON/,
    );
    await assert.rejects(
      () => saveTrainingState(dir, { ...state(), dataPosition: { loss: NaN } }),
      /dataPosition\.loss is NaN/,
    );
    await assert.rejects(() => saveTrainingState(dir, { ...state(), step: -1 }), TypeError);
    assert.deepEqual(await Array.fromAsync(Deno.readDir(dir)), []);
  });
});

Deno.test("loadTrainingState() names the file and the problem", async () => {
  await withTempDir(async (dir) => {
    await expectError(dir, /training_state\.json: missing; no training state was saved here/);
    await saveTrainingState(dir, state());
    const path = join(dir, "training_state.json");
    const json = JSON.parse(await Deno.readTextFile(path));

    await Deno.writeTextFile(path, JSON.stringify({ ...json, version: 2 }));
    await expectError(dir, /training_state\.json: version 2 is newer .*update cohesive/);
    await Deno.writeTextFile(path, JSON.stringify({ ...json, format: "cohesive-bert" }));
    await expectError(dir, /format is "cohesive-bert", expected "cohesive-train-state"/);
    await Deno.writeTextFile(path, "{");
    await expectError(dir, /training_state\.json: not valid JSON/);

    // A crash between the two writes: the optimizer file comes from a newer save.
    await Deno.writeTextFile(path, JSON.stringify(json));
    const older = await Deno.readFile(path);
    await saveTrainingState(dir, { ...state(), step: 1235 });
    await Deno.writeFile(path, older);
    await expectError(dir, /optimizer\.safetensors: from a different save than training_state/);

    const opt = join(dir, "optimizer.safetensors");
    await saveTrainingState(dir, state());
    const bytes = await Deno.readFile(opt);
    await Deno.writeFile(opt, bytes.subarray(0, bytes.length - 4));
    await expectError(dir, /optimizer\.safetensors: truncated/);
    await Deno.remove(opt);
    await expectError(dir, /optimizer\.safetensors: missing/);
  });
});
