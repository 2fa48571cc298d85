/**
 * `deno task bench`: the identical BERT-mini masked-LM step (train, infer, and a 3-teacher
 * distillation step on cached teachers) on each of our backends AND the PyTorch peer on the same
 * machine in the same run. Prints a markdown table (tokens/s, step time, peak memory, achieved
 * GFLOP/s against the machine's peak, ratio ours / PyTorch) and writes `bench.md` + `bench.json`.
 *
 * @module
 */
import { join } from "node:path";
import {
  defineCommand,
  REPO_ROOT,
  resolveBertConfig,
  runMain,
  writeFileAtomic,
} from "@cohesive/shared";
import { bertForwardFlops, machinePeakGflops } from "./flops.ts";
import type { OursResult } from "./ours.ts";

interface PeerResult {
  mode: string;
  tokens_per_s: number;
  step_ms: { median: number };
  peak_rss_mb?: number;
  torch_version?: string;
  blas?: string;
  threads?: number;
  [k: string]: unknown;
}

async function runJson(cmd: string, args: string[]): Promise<Record<string, unknown>> {
  const out = await new Deno.Command(cmd, { args, stdout: "piped", stderr: "piped" }).output();
  const text = new TextDecoder().decode(out.stdout).trim().split("\n").at(-1) ?? "";
  if (!out.success) {
    const err = new TextDecoder().decode(out.stderr).trim().split("\n").at(-1);
    throw new Error(`${cmd} ${args.slice(0, 4).join(" ")}… failed: ${err}`);
  }
  return JSON.parse(text);
}

const MODES = ["train", "infer", "distill"] as const;

/** `deno task bench`. */
export const BENCH_COMMAND = defineCommand({
  summary: "The identical BERT-mini masked-LM step on each of our backends and on PyTorch, in " +
    "the same run;\nwrites bench.md and bench.json.",
  flags: {
    backends: {
      type: "string",
      arg: "LIST",
      list: true,
      choices: ["wasm", "webgpu", "cpu"],
      default: "wasm,webgpu",
      help: "our backends to measure (cpu is tfjs's slow JS backend)",
    },
    modes: {
      type: "string",
      arg: "LIST",
      list: true,
      choices: MODES,
      default: "train,infer,distill",
      help: "what to time",
    },
    steps: {
      type: "int",
      min: 1,
      defaultText: "3; 1 on webgpu/cpu",
      help: "timed steps per measurement",
    },
    batch: { type: "int", min: 1, default: 32, help: "BERT-mini batch rows" },
    seq: { type: "int", min: 8, default: 128, help: "tokens per row" },
    micro: {
      type: "int",
      min: 1,
      default: 8,
      help: "our training step runs as batch/N accumulated micro-batches of N rows\n" +
        "(the 32-bit wasm heap cannot hold a 32-row step)",
    },
    threads: {
      type: "string",
      arg: "LIST",
      list: true,
      default: `1,${navigator.hardwareConcurrency}`,
      help: "PyTorch thread counts to try; the fastest is the peer",
    },
    "no-peer": { type: "boolean", help: "skip PyTorch" },
    out: { type: "string", arg: "DIR", default: join("runs", "bench"), help: "results folder" },
  },
  run: (v) => benchmark(v),
});

async function benchmark(values: {
  backends: string[];
  modes: string[];
  steps: number | undefined;
  batch: number;
  seq: number;
  micro: number;
  threads: string[];
  "no-peer": boolean;
  out: string;
}) {
  const backends = values.backends;
  const modes = values.modes;
  const shape = ["--batch", String(values.batch), "--seq", String(values.seq)];
  const peak = await machinePeakGflops();
  const ours: (OursResult | { mode: string; backend: string; error: string })[] = [];
  const peer: (PeerResult | { mode: string; error: string })[] = [];

  let peerInfo = "";
  if (!values["no-peer"]) {
    const inst = await new Deno.Command("sh", {
      args: [join(REPO_ROOT, "eval/bench/peers/install.sh")],
      stdout: "piped",
      stderr: "piped",
    }).output();
    peerInfo = new TextDecoder().decode(inst.stdout).trim().split("\n").at(-1) ?? "";
    if (!inst.success) console.error(`warning: PyTorch peer unavailable: ${peerInfo}`);
  }

  for (const mode of modes) {
    for (const backend of backends) {
      const steps = String(values.steps ?? (backend === "wasm" ? 3 : 1));
      console.error(`bench: ours ${backend} ${mode} (${steps} steps)…`);
      try {
        ours.push(
          await runJson(Deno.execPath(), [
            "run",
            "-A",
            join(REPO_ROOT, "eval/bench/ours.ts"),
            "--backend",
            backend,
            "--mode",
            mode,
            "--steps",
            steps,
            ...shape,
            "--micro",
            String(values.micro),
          ]) as unknown as OursResult,
        );
      } catch (e) {
        ours.push({ mode, backend, error: (e as Error).message });
      }
    }
    if (!values["no-peer"]) {
      // The strongest peer: PyTorch at each thread count, the fastest kept (on a busy 2-core
      // machine one thread often beats two).
      let bestPeer: PeerResult | undefined, lastError = "";
      for (const threads of [...new Set(values.threads)]) {
        console.error(`bench: pytorch ${mode} (${threads} threads)…`);
        try {
          const r = await runJson("/usr/bin/python3", [
            join(REPO_ROOT, "eval/bench/peers/bert_mini.py"),
            "--mode",
            mode,
            "--json",
            "--steps",
            String(values.steps ?? 5),
            "--warmup",
            "1",
            "--threads",
            threads,
            ...shape,
          ]) as unknown as PeerResult;
          if (!bestPeer || r.tokens_per_s > bestPeer.tokens_per_s) bestPeer = r;
        } catch (e) {
          lastError = (e as Error).message;
        }
      }
      try {
        if (!bestPeer) throw new Error(lastError);
        peer.push(bestPeer);
      } catch (e) {
        peer.push({ mode, error: (e as Error).message });
      }
    }
  }

  const rows: string[] = [
    `| mode | runner | tokens/s | step ms | peak MiB | GFLOP/s | % of peak | ours / PyTorch |`,
    `|---|---|---:|---:|---:|---:|---:|---:|`,
  ];
  const f0 = (x: number) => Math.round(x).toLocaleString("en-US");
  for (const mode of modes) {
    const p = peer.find((r) => r.mode === mode);
    const pt = p && !("error" in p) ? p.tokens_per_s : undefined;
    for (const r of ours.filter((o) => o.mode === mode)) {
      if ("error" in r) {
        rows.push(`| ${mode} | ours ${r.backend} | failed: ${r.error} | | | | | |`);
        continue;
      }
      rows.push(
        `| ${mode} | ours ${r.backend}${
          mode !== "infer" && r.micro < r.batch
            ? ` (${r.batch / r.micro}×${r.micro} accumulated)`
            : ""
        } | ${f0(r.tokens_per_s)} | ${f0(r.step_ms)} | ${f0(r.peak_rss_mib)} | ${
          r.gflops.toFixed(1)
        } | ${peak ? ((100 * r.gflops) / peak.gflops).toFixed(1) + " %" : "?"} | ${
          pt ? (r.tokens_per_s / pt).toFixed(2) + "x" : "n/a"
        } |`,
      );
    }
    if (p && "error" in p) rows.push(`| ${mode} | PyTorch | failed: ${p.error} | | | | | |`);
    else if (p) {
      // The identical work, so the same analytic FLOP count.
      const B = Number(values.batch), T = Number(values.seq);
      const g = bertForwardFlops(resolveBertConfig({}), B, T, Math.round(0.15 * T) * B) *
        (mode === "infer" ? 1 : 3) / ((B * T) / p.tokens_per_s) / 1e9;
      rows.push(
        `| ${mode} | PyTorch ${p.torch_version ?? ""} (${p.threads ?? "?"} threads) | ${
          f0(p.tokens_per_s)
        } | ${f0(p.step_ms.median)} | ${p.peak_rss_mb ? f0(p.peak_rss_mb) : "?"} | ${
          g ? g.toFixed(1) : ""
        } | ${g && peak ? ((100 * g) / peak.gflops).toFixed(1) + " %" : ""} | 1.00x |`,
      );
    }
  }
  const distill = ours.find((o) =>
    o.mode === "distill" && !("error" in o) && o.backend === backends[0]
  );
  const train = ours.find((o) =>
    o.mode === "train" && !("error" in o) && o.backend === backends[0]
  );
  const lines = [
    `# cohesive bench — BERT-mini masked-LM (4 layers, hidden 256, 4 heads, vocab 30,522), batch ${values.batch} × seq ${values.seq}`,
    "",
    `Machine: ${navigator.hardwareConcurrency} cores; fp32 peak ≈ ${
      peak ? `${peak.gflops.toFixed(0)} GFLOP/s (${peak.basis})` : "unknown"
    }. PyTorch peer: ${peerInfo || "skipped"}.`,
    "",
    ...rows,
    "",
    distill && train && !("error" in distill) && !("error" in train)
      ? `3-teacher distillation step (cached top-64 teachers) / plain MLM step on ${backends[0]}: ${
        (train.tokens_per_s / distill.tokens_per_s).toFixed(2)
      }x the time.`
      : "",
    "",
    `Tokens/s counts every position of every row; GFLOP/s is the analytic count (training = 3x forward) over the mean step time. Command: \`deno task bench ${
      Deno.args.join(" ")
    }\`.`,
  ];
  const md = lines.join("\n") + "\n";
  await writeFileAtomic(join(values.out, "bench.md"), md);
  await writeFileAtomic(
    join(values.out, "bench.json"),
    JSON.stringify(
      { date: new Date().toISOString(), peak, peerInfo, ours, peer, args: Deno.args },
      null,
      2,
    ),
  );
  console.log(md);
}

if (import.meta.main) await runMain("deno task bench", BENCH_COMMAND);
