import assert from "node:assert/strict";
import { join } from "node:path";
import { REPO_ROOT } from "@cohesive/shared";

/** Register a test that runs one tiny `mode` step of `bench/ours.ts` in its own process. */
export function benchStepTest(mode: string): void {
  Deno.test(`bench/ours.ts measures a ${mode} step of BERT-mini and prints its JSON`, async () => {
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        "-A",
        join(REPO_ROOT, "eval/bench/ours.ts"),
        "--backend",
        "wasm",
        "--mode",
        mode,
        "--batch",
        "1",
        "--seq",
        "16",
        "--steps",
        "1",
        "--warmup",
        "0",
        "--teachers",
        "2",
        "--topk",
        "4",
      ],
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.ok(out.success, new TextDecoder().decode(out.stderr));
    const r = JSON.parse(new TextDecoder().decode(out.stdout).trim().split("\n").at(-1)!);
    assert.equal(r.mode, mode);
    assert.equal(r.backend, "wasm");
    assert.ok(r.tokens_per_s > 0 && r.gflops > 0 && r.peak_rss_mib > 0);
  });
}
