import assert from "node:assert/strict";
import { initRuntime, useBackend } from "./mod.ts";
import { tf } from "./tf.ts";

await initRuntime({ backend: "cpu", quiet: true });

async function onBoth(
  f: () => tf.Tensor,
): Promise<{ cpu: Float32Array; wasm: Float32Array; shape: number[] }> {
  assert.ok(await useBackend("cpu"));
  const c = f();
  const cpu = (await c.data()) as Float32Array;
  const shape = c.shape;
  c.dispose();
  assert.ok(await useBackend("wasm"), "the wasm backend must start");
  const w = f();
  const wasm = (await w.data()) as Float32Array;
  assert.deepEqual(w.shape, shape);
  w.dispose();
  await useBackend("cpu");
  return { cpu, wasm, shape };
}

function maxRelDiff(a: Float32Array, b: Float32Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]) / (1 + Math.abs(a[i])));
  return m;
}

const matmulCases: [string, number[], number[], boolean, boolean][] = [
  ["plain 2-D", [5, 7], [7, 3], false, false],
  ["transposed B", [5, 7], [3, 7], false, true],
  ["transposed A", [7, 5], [7, 3], true, false],
  ["both transposed", [7, 5], [3, 7], true, true],
  ["batched 3-D", [4, 5, 7], [4, 7, 3], false, false],
  ["batched 4-D transposed B", [2, 3, 6, 4], [2, 3, 6, 4], false, true],
  ["broadcast batch of A", [1, 5, 7], [3, 7, 2], false, false],
  ["rank 3 with batch 1", [1, 33, 65], [1, 65, 17], false, false],
];

for (const [name, sa, sb, ta, tb] of matmulCases) {
  Deno.test(`wasm BatchMatMul matches cpu: ${name}`, async () => {
    const a = () => tf.tidy(() => tf.sin(tf.range(0, sa.reduce((x, y) => x * y)).reshape(sa)));
    const b = () => tf.tidy(() => tf.cos(tf.range(0, sb.reduce((x, y) => x * y)).reshape(sb)));
    const r = await onBoth(() =>
      tf.tidy(() => tf.matMul(a() as tf.Tensor3D, b() as tf.Tensor3D, ta, tb))
    );
    assert.ok(maxRelDiff(r.cpu, r.wasm) < 1e-5, `max rel diff ${maxRelDiff(r.cpu, r.wasm)}`);
  });
}

Deno.test("wasm UnsortedSegmentSum matches cpu, including repeated and out-of-range ids", async () => {
  const r = await onBoth(() =>
    tf.tidy(() =>
      tf.unsortedSegmentSum(
        tf.range(0, 12).reshape([6, 2]),
        tf.tensor1d([0, 2, 2, 1, 0, 3], "int32"),
        4,
      )
    )
  );
  assert.deepEqual([...r.wasm], [...r.cpu]);
  assert.deepEqual([...r.cpu], [8, 10, 6, 7, 6, 8, 10, 11]);
});

Deno.test("gather's gradient runs on wasm and equals cpu", async () => {
  const r = await onBoth(() =>
    tf.tidy(() => {
      const table = tf.range(0, 20).reshape([10, 2]);
      return tf.grad((t: tf.Tensor) =>
        tf.sum(tf.square(tf.gather(t, tf.tensor1d([1, 1, 7], "int32"))))
      )(
        table,
      );
    })
  );
  assert.deepEqual([...r.wasm], [...r.cpu]);
});

Deno.test("native BLAS is used when OpenBLAS is installed (CI installs it)", async () => {
  const { nativeBlas } = await import("./native_blas.ts");
  if (Deno.env.get("CI") === "true") {
    assert.ok(nativeBlas(), "OpenBLAS not found: apt-get install libopenblas0-pthread");
  }
  const blas = nativeBlas();
  if (!blas) return;
  // 2×3 · (2×3)ᵀ with a transposed B, checked by hand.
  const a = Float32Array.of(1, 2, 3, 4, 5, 6), c = new Float32Array(4);
  blas.sgemm(false, true, 2, 2, 3, a, a, c);
  assert.deepEqual([...c], [14, 32, 32, 77]);
});

Deno.test({
  name: "the XNNPACK fallback (COHESIVE_BLAS=off) passes the same BatchMatMul table",
  ignore: Deno.env.get("COHESIVE_BLAS") === "off", // this is the nested run itself
  async fn() {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "test",
        "-A",
        new URL(import.meta.url).pathname,
        "--filter",
        "wasm BatchMatMul matches cpu",
      ],
      env: { COHESIVE_BLAS: "off" },
      stdout: "piped",
      stderr: "piped",
    }).output();
    // deno-lint-ignore no-control-regex -- strip ANSI colours from the nested run
    const text = new TextDecoder().decode(out.stdout).replace(/\x1b\[[0-9;]*m/g, "");
    assert.ok(out.success, text + new TextDecoder().decode(out.stderr));
    assert.match(text, /ok \| 8 passed/);
  },
});

const sumCases: [string, number[], number | number[], boolean][] = [
  ["leading axis", [37, 5], 0, false],
  ["leading axes, keepDims", [3, 4, 6], [0, 1], true],
  ["trailing axis", [7, 33], -1, false],
  ["trailing axes", [2, 3, 4, 5], [2, 3], false],
  ["middle axis (falls back)", [3, 4, 5], 1, false],
  ["every axis", [4, 6], [0, 1], false],
];
for (const [name, shape, axis, keepDims] of sumCases) {
  Deno.test(`wasm Sum matches cpu: ${name}`, async () => {
    const r = await onBoth(() =>
      tf.tidy(() =>
        tf.sum(tf.sin(tf.range(0, shape.reduce((x, y) => x * y)).reshape(shape)), axis, keepDims)
      )
    );
    assert.ok(maxRelDiff(r.cpu, r.wasm) < 1e-5, `max rel diff ${maxRelDiff(r.cpu, r.wasm)}`);
  });
}
