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

/** One PyTorch peer measurement (the JSON line `peers/bert_mini.py --json` prints). */
export interface PeerResult {
  /** `train`, `infer` or `distill`. */
  mode: string;
  /** Tokens per second over the timed steps. */
  tokens_per_s: number;
  /** Step times, ms. */
  step_ms: { median: number };
  /** Peak resident memory of the process, MB. */
  peak_rss_mb?: number;
  /** Peak CUDA memory allocated, MB (CUDA runs only). */
  peak_gpu_mb?: number | null;
  /** `torch.__version__`. */
  torch_version?: string;
  /** The BLAS library torch loaded (CPU runs). */
  blas?: string;
  /** Intra-op threads. */
  threads?: number;
  /** `cpu` or `cuda`. */
  device?: string;
  /** The CUDA device's or the CPU's name. */
  device_name?: string;
  /** `fp32 eager` or `bf16 autocast`. */
  precision?: string;
  [k: string]: unknown;
}

/** A failed measurement: which one, and its one-line error. */
export interface Failed {
  /** `train`, `infer` or `distill`. */
  mode: string;
  /** Our backend (ours only). */
  backend?: string;
  /** The peer's precision (peer only). */
  precision?: string;
  /** Why it failed. */
  error: string;
}

/** What `bench.json` holds: everything {@link renderBench} needs to write `bench.md`. */
export interface BenchJson {
  /** When the run finished (ISO 8601). */
  date: string;
  /** The fp32 peak "% of peak" is computed against. */
  peak?: { gflops: number; basis: string };
  /** The peer's version line (or why it was skipped). */
  peerInfo: string;
  /** Our measurements. */
  ours: (OursResult | Failed)[];
  /** The peer's measurements. */
  peer: (PeerResult | Failed)[];
  /** The command line. */
  args: string[];
  /** Rows per step. */
  batch: number;
  /** Tokens per row. */
  seq: number;
  /** Modes measured, in order. */
  modes: string[];
  /** Our backends measured, in order. */
  backends: string[];
  /** CPU cores of the machine. */
  cores: number;
}

const PRECISIONS: Record<string, string[]> = { fp32: [], bf16: ["--autocast", "bf16"] };
const DEFAULT_PYTHON = "/usr/bin/python3";

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
    python: {
      type: "string",
      arg: "PATH",
      default: DEFAULT_PYTHON,
      help: "the interpreter that runs the peer (another one skips the apt install step\n" +
        "and must already hold torch)",
    },
    "peer-device": {
      type: "string",
      arg: "D",
      choices: ["cpu", "cuda"],
      default: "cpu",
      help: "where the peer runs; cuda never falls back to the CPU",
    },
    "peer-precisions": {
      type: "string",
      arg: "LIST",
      list: true,
      choices: Object.keys(PRECISIONS),
      default: "fp32",
      help: "fp32 (eager) and/or bf16 (autocast): one peer row each",
    },
    "peak-gflops": {
      type: "number",
      above: 0,
      defaultText: "this CPU's, estimated",
      help: 'the fp32 peak to report "% of peak" against',
    },
    "peak-basis": { type: "string", arg: "TEXT", help: "where that peak comes from" },
    profile: {
      type: "boolean",
      help: "after timing, profile one more step of ours (tf.profile: kernel launches,\n" +
        "the costliest kernels) and list it under the table",
    },
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
  python: string;
  "peer-device": string;
  "peer-precisions": string[];
  "peak-gflops": number | undefined;
  "peak-basis": string | undefined;
  profile: boolean;
  out: string;
}) {
  const backends = values.backends;
  const modes = values.modes;
  const device = values["peer-device"];
  const precisions = values["peer-precisions"];
  const shape = ["--batch", String(values.batch), "--seq", String(values.seq)];
  let peak = await machinePeakGflops();
  if (values["peak-gflops"] !== undefined) {
    peak = {
      gflops: values["peak-gflops"],
      basis: values["peak-basis"] ?? "given with --peak-gflops",
    };
  }
  const ours: (OursResult | Failed)[] = [];
  const peer: (PeerResult | Failed)[] = [];
  const python = values.python;

  let peerInfo = "";
  if (!values["no-peer"] && (python !== DEFAULT_PYTHON || device !== "cpu")) {
    // Another interpreter (a GPU machine's own PyTorch): nothing to install, just say what it is.
    const probe = await new Deno.Command(python, {
      args: [
        "-c",
        "import torch,platform; c=torch.cuda.is_available(); print('torch', torch.__version__, " +
        "'python', platform.python_version(), 'cuda', torch.version.cuda if c else 'unavailable', " +
        "torch.cuda.get_device_name() if c else '')",
      ],
      stdout: "piped",
      stderr: "piped",
    }).output().catch((e) => ({ success: false, stdout: new Uint8Array(), stderr: e.message }));
    const text = (b: Uint8Array | string) =>
      (typeof b === "string" ? b : new TextDecoder().decode(b)).trim().split("\n").at(-1) ?? "";
    peerInfo = probe.success ? text(probe.stdout) : `unavailable: ${text(probe.stderr)}`;
    if (!probe.success) console.error(`warning: PyTorch peer unavailable: ${peerInfo}`);
  } else if (!values["no-peer"]) {
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
            ...(values.profile ? ["--profile"] : []),
          ]) as unknown as OursResult,
        );
      } catch (e) {
        ours.push({ mode, backend, error: (e as Error).message });
      }
    }
    for (const precision of values["no-peer"] ? [] : precisions) {
      // The strongest peer: PyTorch at each thread count, the fastest kept (on a busy 2-core
      // machine one thread often beats two). On CUDA the thread count hardly matters: one run.
      const threadList = [...new Set(values.threads)];
      let bestPeer: PeerResult | undefined, lastError = "";
      for (const threads of device === "cuda" ? threadList.slice(-1) : threadList) {
        console.error(`bench: pytorch ${mode} ${device} ${precision} (${threads} threads)…`);
        try {
          const r = await runJson(python, [
            join(REPO_ROOT, "eval/bench/peers/bert_mini.py"),
            "--mode",
            mode,
            "--json",
            "--steps",
            String(values.steps ?? 5),
            "--warmup",
            device === "cuda" ? "3" : "1",
            "--threads",
            threads,
            "--device",
            device,
            ...PRECISIONS[precision],
            ...shape,
          ]) as unknown as PeerResult;
          if (!bestPeer || r.tokens_per_s > bestPeer.tokens_per_s) bestPeer = r;
        } catch (e) {
          lastError = (e as Error).message;
        }
      }
      peer.push(bestPeer ?? { mode, precision, error: lastError });
    }
  }

  const result: BenchJson = {
    date: new Date().toISOString(),
    peak,
    peerInfo,
    ours,
    peer,
    args: Deno.args,
    batch: Number(values.batch),
    seq: Number(values.seq),
    modes,
    backends,
    cores: navigator.hardwareConcurrency,
  };
  const md = renderBench(result);
  await writeFileAtomic(join(values.out, "bench.md"), md);
  await writeFileAtomic(join(values.out, "bench.json"), JSON.stringify(result, null, 2));
  console.log(md);
}

/** The label of a peer row: version, device, precision, threads (CPU). */
function peerLabel(p: PeerResult): string {
  const where = p.device === "cuda"
    ? `cuda ${p.device_name ?? ""}`.trim()
    : `cpu, ${p.threads ?? "?"} threads`;
  return `PyTorch ${p.torch_version ?? ""} (${where}, ${p.precision ?? "fp32 eager"})`;
}

/**
 * The markdown report of a bench run: a table of tokens/s, step time, peak memory and achieved
 * GFLOP/s per mode for ours and each PyTorch row, with ours' ratio to every PyTorch row.
 */
export function renderBench(r: BenchJson): string {
  const { modes, backends, peak } = r;

  const rows: string[] = [
    `| mode | runner | tokens/s | step ms | peak MiB | GFLOP/s | % of peak | ours / PyTorch row |`,
    `|---|---|---:|---:|---:|---:|---:|---:|`,
  ];
  const f0 = (x: number) => Math.round(x).toLocaleString("en-US");
  const shortPrecision = (p: PeerResult) => (p.precision ?? "fp32").split(" ")[0];
  for (const mode of modes) {
    const peers = r.peer.filter((p) => p.mode === mode);
    const okPeers = peers.filter((p): p is PeerResult => !("error" in p));
    for (const o of r.ours.filter((o) => o.mode === mode)) {
      if ("error" in o) {
        rows.push(`| ${mode} | ours ${o.backend} | failed: ${o.error} | | | | | |`);
        continue;
      }
      const ratios = okPeers.map((p) =>
        `${(o.tokens_per_s / p.tokens_per_s).toFixed(2)}x ${shortPrecision(p)}`
      );
      rows.push(
        `| ${mode} | ours ${o.backend}${o.adapter ? ` (${o.adapter})` : ""}${
          mode !== "infer" && o.micro < o.batch
            ? ` (${o.batch / o.micro}×${o.micro} accumulated)`
            : ""
        } | ${f0(o.tokens_per_s)} | ${f0(o.step_ms)} | ${f0(o.peak_rss_mib)} | ${
          o.gflops.toFixed(1)
        } | ${peak ? ((100 * o.gflops) / peak.gflops).toFixed(1) + " %" : "?"} | ${
          ratios.length ? ratios.join(" · ") : "n/a"
        } |`,
      );
    }
    for (const p of peers) {
      if ("error" in p) {
        rows.push(`| ${mode} | PyTorch ${p.precision ?? ""} | failed: ${p.error} | | | | | |`);
        continue;
      }
      // The identical work, so the same analytic FLOP count.
      const B = r.batch, T = r.seq;
      const g = bertForwardFlops(resolveBertConfig({}), B, T, Math.round(0.15 * T) * B) *
        (mode === "infer" ? 1 : 3) / ((B * T) / p.tokens_per_s) / 1e9;
      const mem = p.peak_gpu_mb
        ? `${f0(p.peak_gpu_mb)} GPU`
        : p.peak_rss_mb
        ? f0(p.peak_rss_mb)
        : "?";
      rows.push(
        `| ${mode} | ${peerLabel(p)} | ${f0(p.tokens_per_s)} | ${f0(p.step_ms.median)} | ${mem} | ${
          g ? g.toFixed(1) : ""
        } | ${g && peak ? ((100 * g) / peak.gflops).toFixed(1) + " %" : ""} | |`,
      );
    }
  }
  const distill = r.ours.find((o) =>
    o.mode === "distill" && !("error" in o) && o.backend === backends[0]
  );
  const train = r.ours.find((o) =>
    o.mode === "train" && !("error" in o) && o.backend === backends[0]
  );
  const profiles: string[] = [];
  for (const o of r.ours) {
    if ("error" in o || !o.profile) continue;
    const p = o.profile;
    profiles.push(
      p.error
        ? `- ${o.mode} on ${o.backend}: profiling failed (${p.error})`
        : `- ${o.mode} on ${o.backend}: ${p.kernels} kernel launches, ${f0(p.wall_ms)} ms profiled${
          p.kernel_ms !== undefined ? ` (${f0(p.kernel_ms)} ms in kernels)` : ""
        }, peak ${f0(p.peak_bytes / 2 ** 20)} MiB of tensors; ${
          p.top.slice(0, 6).map((k) =>
            `${k.name} ×${k.count}${k.ms !== undefined ? ` ${k.ms.toFixed(1)} ms` : ""}`
          ).join(", ")
        }`,
    );
  }
  const lines = [
    `# cohesive bench — BERT-mini masked-LM (4 layers, hidden 256, 4 heads, vocab 30,522), batch ${r.batch} × seq ${r.seq}`,
    "",
    `Machine: ${r.cores} cores; fp32 peak ≈ ${
      peak ? `${peak.gflops.toFixed(0)} GFLOP/s (${peak.basis})` : "unknown"
    }. PyTorch peer: ${r.peerInfo || "skipped"}.`,
    "",
    ...rows,
    "",
    distill && train && !("error" in distill) && !("error" in train)
      ? `3-teacher distillation step (cached top-64 teachers) / plain MLM step on ${backends[0]}: ${
        (train.tokens_per_s / distill.tokens_per_s).toFixed(2)
      }x the time.`
      : "",
    ...(profiles.length
      ? [
        "",
        "One more step of ours under `tf.profile` (each kernel timed alone, so slower than the " +
        "timed steps):",
        "",
        ...profiles,
      ]
      : []),
    "",
    `Tokens/s counts every position of every row; GFLOP/s is the analytic count (training = 3x forward) over the mean step time; peak MiB is the process's resident memory (GPU: CUDA memory allocated). The last column is ours' tokens/s over each PyTorch row's. Command: \`deno task bench ${
      r.args.join(" ")
    }\`.`,
  ];
  return lines.join("\n") + "\n";
}

if (import.meta.main) await runMain("deno task bench", BENCH_COMMAND);
