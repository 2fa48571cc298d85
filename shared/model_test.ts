import assert from "node:assert/strict";
import { join } from "node:path";
import { ensureFixtures } from "./testing.ts";
import {
  BertModel,
  initRuntime,
  loadCheckpoint,
  sparseCrossEntropy,
  useBackend,
  webgpuAdapter,
} from "./mod.ts";
import { tf } from "./tf.ts";

await initRuntime({ backend: "cpu", quiet: true });
const dir = await ensureFixtures();
const ck = await loadCheckpoint(join(dir, "tiny-bert"));

const IDS = [[2, 40, 41, 4, 43, 44, 3, 0], [2, 50, 4, 51, 3, 0, 0, 0]];
const MASK = IDS.map((r) => r.map((x) => (x === 0 ? 0 : 1)));
const TYPES = [[0, 0, 0, 0, 1, 1, 1, 0], [0, 0, 0, 1, 1, 0, 0, 0]];
const POS = [3, 10]; // flat b·T + t of the [MASK] tokens
const LABELS = [60, 61];

interface Outputs {
  hidden: Float32Array;
  mlm: Float32Array;
  seq: Float32Array;
  loss: number;
  grads: Map<string, Float32Array>;
}

/** Forward, heads and gradients of the tiny checkpoint on the current backend. */
async function run(): Promise<Outputs> {
  const model = BertModel.fromWeights(ck.config, ck.weights);
  const inputs = {
    inputIds: tf.tensor2d(IDS, undefined, "int32"),
    attentionMask: tf.tensor2d(MASK, undefined, "int32"),
    tokenTypeIds: tf.tensor2d(TYPES, undefined, "int32"),
  };
  const pos = tf.tensor1d(POS, "int32"), labels = tf.tensor1d(LABELS, "int32");
  const [hidden, mlm, seq] = tf.tidy(() => {
    const h = model.forward(inputs);
    return [h, model.mlmLogits(h, pos), model.seqLogits(h)];
  });
  const { value, grads } = tf.variableGrads(() => {
    const h = model.forward(inputs);
    return tf.add(sparseCrossEntropy(model.mlmLogits(h, pos), labels), tf.mean(model.seqLogits(h)));
  });
  const out: Outputs = {
    hidden: (await hidden.data()) as Float32Array,
    mlm: (await mlm.data()) as Float32Array,
    seq: (await seq.data()) as Float32Array,
    loss: (await value.data())[0],
    grads: new Map(),
  };
  for (const [name, v] of model.params) {
    if (grads[v.name]) out.grads.set(name, (await grads[v.name].data()) as Float32Array);
  }
  tf.dispose([hidden, mlm, seq, value, pos, labels, ...Object.values(inputs)]);
  tf.dispose(grads);
  model.dispose();
  return out;
}

function maxAbs(a: Float32Array, b: Float32Array): number {
  assert.equal(a.length, b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const reference = await run();

// Forward tolerance 1e-4 absolute; gradient tolerance 1e-4 absolute (float32 reductions differ
// in order between backends).
const TOL = 1e-4;

async function compareWithCpu(backend: "wasm" | "webgpu") {
  assert.ok(await useBackend(backend), `${backend} backend failed to start`);
  try {
    const got = await run();
    assert.ok(
      maxAbs(got.hidden, reference.hidden) < TOL,
      `hidden ${maxAbs(got.hidden, reference.hidden)}`,
    );
    assert.ok(maxAbs(got.mlm, reference.mlm) < TOL, `mlm ${maxAbs(got.mlm, reference.mlm)}`);
    assert.ok(maxAbs(got.seq, reference.seq) < TOL, `seq ${maxAbs(got.seq, reference.seq)}`);
    assert.ok(Math.abs(got.loss - reference.loss) < TOL);
    assert.equal(got.grads.size, reference.grads.size);
    for (const [name, g] of reference.grads) {
      const d = maxAbs(got.grads.get(name)!, g);
      assert.ok(d < TOL, `gradient of ${name} differs by ${d}`);
    }
  } finally {
    await useBackend("cpu");
  }
}

const adapter = await webgpuAdapter();
const inCI = Deno.env.get("CI") === "true";

Deno.test({
  name: "webgpu and cpu agree on forward, heads and every gradient of a tiny BERT (1e-4)",
  ignore: !adapter && !inCI,
  async fn() {
    assert.ok(
      adapter,
      "CI=true but no WebGPU adapter: install Mesa's Vulkan driver (mesa-vulkan-drivers)",
    );
    await compareWithCpu("webgpu");
  },
});
if (!adapter && !inCI) console.warn("warning: no WebGPU adapter, the GPU fixtures were skipped");

Deno.test("wasm and cpu agree on forward, heads and every gradient of a tiny BERT (1e-4)", async () => {
  await compareWithCpu("wasm");
});

Deno.test("the tiny checkpoint in older Hugging Face naming gives the same logits", async () => {
  const hf = await loadCheckpoint(join(dir, "tiny-bert-hf"));
  const a = BertModel.fromWeights(ck.config, ck.weights);
  const b = BertModel.fromWeights(hf.config, hf.weights);
  const ids = tf.tensor2d(IDS, undefined, "int32");
  const [la, lb] = tf.tidy(
    () => [a.mlmLogits(a.forward({ inputIds: ids })), b.mlmLogits(b.forward({ inputIds: ids }))],
  );
  assert.equal(maxAbs((await la.data()) as Float32Array, (await lb.data()) as Float32Array), 0);
  tf.dispose([la, lb, ids]);
  a.dispose();
  b.dispose();
});

Deno.test("mlmLogits on selected positions equals the same rows of the full logits", async () => {
  const m = BertModel.fromWeights(ck.config, ck.weights);
  const ids = tf.tensor2d(IDS, undefined, "int32");
  const [full, sel] = tf.tidy(() => {
    const h = m.forward({ inputIds: ids });
    return [m.mlmLogits(h), m.mlmLogits(h, tf.tensor1d(POS, "int32"))];
  });
  const V = ck.config.vocab_size;
  const f = (await full.data()) as Float32Array, s = (await sel.data()) as Float32Array;
  POS.forEach((p, i) => {
    assert.ok(maxAbs(f.subarray(p * V, (p + 1) * V), s.subarray(i * V, (i + 1) * V)) < 1e-6);
  });
  tf.dispose([full, sel, ids]);
  m.dispose();
});

Deno.test("dropout is deterministic for a seed and differs across seeds", async () => {
  const m = BertModel.fromWeights({ ...ck.config, hidden_dropout_prob: 0.3 }, ck.weights);
  const ids = tf.tensor2d(IDS, undefined, "int32");
  const go = async (seed: number) => {
    const h = tf.tidy(() => m.forward({ inputIds: ids }, { training: true, seed }));
    const d = (await h.data()) as Float32Array;
    h.dispose();
    return d;
  };
  assert.equal(maxAbs(await go(7), await go(7)), 0);
  assert.ok(maxAbs(await go(7), await go(8)) > 1e-3);
  ids.dispose();
  m.dispose();
});

Deno.test("BertModel.create is deterministic for a seed and zeroes the padding embedding", async () => {
  const a = BertModel.create(ck.config, 5), b = BertModel.create(ck.config, 5);
  const wa = await a.weights(), wb = await b.weights();
  for (const [n, t] of wa) assert.equal(maxAbs(t.data, wb.get(n)!.data), 0, n);
  const emb = wa.get("bert.embeddings.word_embeddings.weight")!;
  assert.ok(emb.data.subarray(0, ck.config.hidden_size).every((x) => x === 0));
  assert.equal(a.parameterCount(), [...wa.values()].reduce((s, t) => s + t.data.length, 0));
  a.dispose();
  b.dispose();
});
