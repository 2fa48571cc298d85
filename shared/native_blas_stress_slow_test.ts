import assert from "node:assert/strict";
import { nativeBlas } from "./native_blas.ts";
import { blasStress } from "./_blas_stress.ts";

Deno.test({
  name:
    "native SGEMM from six workers at once over four waves, with the wasm heap growing, is exact",
  ignore: nativeBlas() === null,
  async fn() {
    const { worst, grewInside } = await blasStress({ workers: 6, waves: 4, rounds: 80 });
    assert.ok(grewInside > 0, "no product grew the wasm heap inside the kernel");
    assert.ok(worst < 1e-5, `largest scaled difference from the reference: ${worst}`);
  },
});
