import assert from "node:assert/strict";
import { gelu, initRuntime, layerNorm } from "@cohesive/shared";
import { tf } from "@cohesive/shared/tf";

function close(a: tf.Tensor, b: tf.Tensor, tol: number, what: string) {
  const x = a.dataSync(), y = b.dataSync();
  assert.equal(x.length, y.length, what);
  for (let i = 0; i < x.length; i++) {
    assert.ok(
      Math.abs(x[i] - y[i]) <= tol * (1 + Math.abs(y[i])),
      `${what}[${i}]: ${x[i]} vs ${y[i]}`,
    );
  }
}

Deno.test("layerNorm() matches the composed layer norm in value and in every gradient", async () => {
  await initRuntime({ backend: "cpu", quiet: true });
  const x = tf.randomNormal([6, 8], 1, 2, "float32", 3) as tf.Tensor2D;
  const g = tf.randomNormal([8], 1, 0.5, "float32", 4);
  const b = tf.randomNormal([8], 0, 0.5, "float32", 5);
  const w = tf.randomNormal([6, 8], 0, 1, "float32", 6); // a loss that weighs every output
  const composed = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
    const { mean, variance } = tf.moments(x, -1, true);
    const xhat = tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-12)));
    return tf.add(tf.mul(xhat, g), b);
  };
  const loss = (f: typeof composed) => (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
    tf.sum(tf.mul(f(x, g, b), w)) as tf.Scalar;
  const ours = tf.grads(loss((x, g, b) => layerNorm(x as tf.Tensor2D, g, b, 1e-12)))([x, g, b]);
  const ref = tf.grads(loss(composed))([x, g, b]);
  close(layerNorm(x, g, b, 1e-12), composed(x, g, b), 1e-5, "value");
  ["dx", "dgamma", "dbeta"].forEach((n, i) => close(ours[i], ref[i], 1e-4, n));
});

Deno.test("gelu() matches x·Φ(x) in value and gradient", async () => {
  await initRuntime({ backend: "cpu", quiet: true });
  const x = tf.linspace(-5, 5, 41);
  const composed = (x: tf.Tensor) =>
    tf.mul(tf.mul(x, 0.5), tf.add(tf.erf(tf.mul(x, Math.SQRT1_2)), 1));
  close(gelu(x), composed(x), 1e-6, "value");
  close(tf.grad((x) => tf.sum(gelu(x)))(x), tf.grad((x) => tf.sum(composed(x)))(x), 1e-4, "grad");
});
