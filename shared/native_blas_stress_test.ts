import assert from "node:assert/strict";
import { nativeBlas } from "./native_blas.ts";
import { blasStress } from "./_blas_stress.ts";

// Native SGEMM works on views of each worker's wasm heap from several threads of one process
// (as `deno test --parallel` runs the test files). Every product must equal the plain-loop one.
Deno.test({
  name: "native SGEMM from two workers at once is exact while the wasm heap grows",
  ignore: nativeBlas() === null,
  async fn() {
    const { worst, grewInside } = await blasStress({ workers: 2, waves: 1, rounds: 4 });
    assert.ok(grewInside > 0, "no product grew the wasm heap inside the kernel");
    assert.ok(worst < 1e-5, `largest scaled difference from the reference: ${worst}`);
  },
});
