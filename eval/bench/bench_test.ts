import assert from "node:assert/strict";
import { renderBench } from "./main.ts";
import { benchStepTest } from "./_bench_test_utils.ts";

// The inference step here; the training and distillation steps (each a BERT-mini and, for
// distillation, two teachers built in a fresh process) are in bench_slow_test.ts.
benchStepTest("infer");

Deno.test("renderBench() gives ours' ratio to every PyTorch row and names each row's device", () => {
  const md = renderBench({
    date: "2026-01-01T00:00:00Z",
    peak: { gflops: 1000, basis: "test" },
    peerInfo: "torch 2 cuda 13",
    ours: [{
      mode: "train",
      backend: "webgpu",
      tokens_per_s: 500,
      step_ms: 8,
      peak_rss_mib: 100,
      gflops: 50,
      steps: 3,
      batch: 32,
      seq: 128,
      micro: 32,
      adapter: "NVIDIA H200",
    }],
    peer: [
      {
        mode: "train",
        tokens_per_s: 1000,
        step_ms: { median: 4 },
        device: "cuda",
        device_name: "NVIDIA H200",
        precision: "fp32 eager",
        torch_version: "2.11.0",
        peak_gpu_mb: 900,
      },
      { mode: "train", precision: "bf16", error: "out of memory" },
    ],
    args: ["--backends", "webgpu"],
    batch: 32,
    seq: 128,
    modes: ["train"],
    backends: ["webgpu"],
    cores: 16,
  });
  assert.match(
    md,
    /\| train \| ours webgpu \(NVIDIA H200\) \| 500 \| 8 \| 100 \| 50\.0 \| 5\.0 % \| 0\.50x fp32 \|/,
  );
  assert.match(md, /PyTorch 2\.11\.0 \(cuda NVIDIA H200, fp32 eager\) \| 1,000 \| 4 \| 900 GPU \|/);
  assert.match(md, /\| train \| PyTorch bf16 \| failed: out of memory \|/);
});
