import assert from "node:assert/strict";
import {
  BertModel,
  heldoutEvaluator,
  initRuntime,
  maskRows,
  mlmHeldoutLoss,
  resolveBertConfig,
  Rng,
  shuffledBatches,
} from "./mod.ts";
import { tf } from "./runtime.ts";

const tok = { vocabSize: 40, clsId: 2, sepId: 3, padId: 0, maskId: 4 };

function batches() {
  const rng = new Rng(3);
  const rows = (n: number) =>
    Array.from(
      { length: n },
      (_, i) => [2, ...Array.from({ length: 9 + i }, () => 5 + rng.int(35)), 3],
    );
  return [maskRows(rows(3), 14, tok, rng, 0.3), maskRows(rows(2), 12, tok, rng, 0.3)];
}

Deno.test("shuffledBatches permutes each row's tokens, keeps [CLS] and padding, and follows the masks", () => {
  const orig = batches();
  const shuf = shuffledBatches(orig, 5);
  assert.deepEqual(shuffledBatches(orig, 5), shuf, "deterministic for a seed");
  let moved = 0;
  orig.forEach((b, k) => {
    const s = shuf[k];
    assert.deepEqual(s.labels, b.labels);
    assert.deepEqual(s.attentionMask, b.attentionMask);
    for (let r = 0; r < b.B; r++) {
      const row = (x: Int32Array) => [...x.slice(r * b.T, (r + 1) * b.T)];
      assert.equal(row(s.inputIds)[0], 2, "[CLS] stays first");
      assert.deepEqual(row(s.inputIds).sort(), row(b.inputIds).sort(), "same tokens");
      const n = row(b.attentionMask).filter((m) => m).length;
      assert.deepEqual(row(s.inputIds).slice(n), row(b.inputIds).slice(n), "padding stays");
      if (row(s.inputIds).join() !== row(b.inputIds).join()) moved++;
    }
    b.positions.forEach((p, i) => assert.equal(s.inputIds[s.positions[i]], b.inputIds[p]));
  });
  assert.ok(moved >= 4, "rows are actually reordered");
});

Deno.test("held-out accuracy is the argmax rate; a model without position embeddings gains nothing from word order, one with them does", async () => {
  await initRuntime({ backend: "cpu", quiet: true });
  const cfg = resolveBertConfig({
    vocab_size: 40,
    hidden_size: 16,
    num_hidden_layers: 2,
    num_attention_heads: 2,
    intermediate_size: 32,
    max_position_embeddings: 16,
  });
  const model = BertModel.create(cfg, 4);
  try {
    const data = batches();
    // Accuracy: the argmax of the full logits at each masked position, counted by hand. The
    // decoder bias favours one label so that some predictions are right.
    const bias = model.params.get("cls.predictions.bias")!;
    const favour = tf.tidy(() => tf.oneHot([data[0].labels[0]], 40).reshape([40]).mul(20));
    bias.assign(favour as typeof bias);
    favour.dispose();
    let hits = 0, n = 0;
    for (const b of data) {
      const logits = tf.tidy(() =>
        model.mlmLogits(
          model.forward({
            inputIds: tf.tensor2d(b.inputIds, [b.B, b.T], "int32"),
            attentionMask: tf.tensor2d(b.attentionMask, [b.B, b.T], "int32"),
          }),
        )
      );
      const rows = (await logits.array()) as number[][];
      logits.dispose();
      b.positions.forEach((p, i) => {
        const r = rows[p];
        if (r.indexOf(Math.max(...r)) === b.labels[i]) hits++;
        n++;
      });
    }
    const plain = await mlmHeldoutLoss(model, data);
    assert.equal(plain.tokens, n);
    assert.ok(hits > 0 && hits < n, `${hits} of ${n}`);
    assert.equal(plain.accuracy, hits / n);
    const withOrder = await heldoutEvaluator(model, data, { order: true })();
    assert.ok(Math.abs(withOrder.eval_order_gain!) > 1e-4, `gain ${withOrder.eval_order_gain}`);
    const pos = model.params.get("bert.embeddings.position_embeddings.weight")!;
    const zero = tf.zerosLike(pos);
    pos.assign(zero);
    zero.dispose();
    const blind = await heldoutEvaluator(model, data, { order: true })();
    assert.ok(Math.abs(blind.eval_order_gain!) < 1e-5, `gain ${blind.eval_order_gain}`);
    assert.equal(blind.eval_loss, (await mlmHeldoutLoss(model, data)).loss);
    assert.equal((await heldoutEvaluator(model, data)()).eval_order_gain, undefined);
  } finally {
    model.dispose();
  }
});
