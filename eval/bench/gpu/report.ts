/**
 * Merges the pieces of a GPU bench run (the adapter, the kernel tests' outcome, one `bench.json`
 * per mode) into one `bench.json` and one `bench.md` that name the device, the driver and the
 * adapter. A run on a software adapter is titled as a dry run whose figures are CPU figures.
 *
 *     deno run -A eval/bench/gpu/report.ts --adapter FILE --bench DIR[,DIR...] --out DIR
 *         [--tests passed|failed|skipped] [--tests-summary TEXT] [--note TEXT]
 *
 * Exits 1 with one line when a webgpu row ran on another adapter than the one checked.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { join } from "node:path";
import { runCli, usage, UsageError, writeFileAtomic } from "@cohesive/shared";
import { type BenchJson, renderBench } from "../main.ts";
import type { AdapterDescription } from "./adapter.ts";

/** The GPU as `nvidia-smi` names it, or undefined where there is none. */
async function nvidiaSmi(): Promise<Record<string, string> | undefined> {
  const fields = ["name", "driver_version", "memory.total", "compute_cap", "clocks.max.sm"];
  try {
    const out = await new Deno.Command("nvidia-smi", {
      args: [`--query-gpu=${fields.join(",")}`, "--format=csv,noheader"],
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) return undefined;
    const vals = new TextDecoder().decode(out.stdout).trim().split("\n")[0].split(", ");
    return Object.fromEntries(fields.map((f, i) => [f, vals[i] ?? ""]));
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const { values } = usage(() =>
    parseArgs({
      args: Deno.args,
      options: {
        adapter: { type: "string" },
        bench: { type: "string" },
        out: { type: "string" },
        tests: { type: "string", default: "skipped" },
        "tests-summary": { type: "string", default: "" },
        note: { type: "string", default: "" },
      },
    })
  );
  if (!values.adapter || !values.bench || !values.out) {
    throw new UsageError("--adapter, --bench and --out are required");
  }
  const adapter = JSON.parse(await Deno.readTextFile(values.adapter)) as AdapterDescription | null;
  if (!adapter) throw new Error(`no WebGPU adapter in ${values.adapter}: nothing to report`);
  const parts: BenchJson[] = [];
  for (const dir of values.bench.split(",").filter(Boolean)) {
    try {
      parts.push(JSON.parse(await Deno.readTextFile(join(dir, "bench.json"))));
    } catch {
      console.error(`report: no bench.json in ${dir} (that part did not finish); left out`);
    }
  }
  if (!parts.length) throw new Error("no bench part finished: nothing to report");
  const bench: BenchJson = {
    ...parts[0],
    date: new Date().toISOString(),
    ours: parts.flatMap((p) => p.ours),
    peer: parts.flatMap((p) => p.peer),
    modes: [...new Set(parts.flatMap((p) => p.modes))],
    args: parts.flatMap((p, i) => (i ? ["+", ...p.args] : p.args)),
  };
  for (const o of bench.ours) {
    if ("adapter" in o && o.adapter !== undefined && o.adapter !== adapter.description) {
      throw new Error(
        `a ${o.mode} row ran on adapter "${o.adapter}", not the checked "${adapter.description}"`,
      );
    }
  }
  const gpu = await nvidiaSmi();
  const software = adapter.software;
  const device = gpu
    ? `${gpu.name} (${
      gpu["memory.total"]
    }, compute capability ${gpu.compute_cap}), driver ${gpu.driver_version}`
    : "no NVIDIA GPU (nvidia-smi absent)";
  const head = [
    software
      ? `# DRY RUN on a software WebGPU adapter — CPU figures, not GPU figures`
      : `# cohesive on ${gpu?.name ?? adapter.description}: WebGPU against PyTorch`,
    "",
    `- Device: ${device}`,
    `- WebGPU adapter: ${adapter.description || "(no description)"} — vendor ${adapter.vendor}, ` +
    `architecture ${adapter.architecture || "-"}, device ${
      adapter.device || "-"
    }, fallback ${adapter.isFallbackAdapter}${software ? `; SOFTWARE: ${software}` : ""}`,
    `- Adapter limits: maxBufferSize ${adapter.limits.maxBufferSize}, ` +
    `maxStorageBufferBindingSize ${adapter.limits.maxStorageBufferBindingSize}, ` +
    `maxComputeWorkgroupStorageSize ${adapter.limits.maxComputeWorkgroupStorageSize}, ` +
    `maxComputeInvocationsPerWorkgroup ${adapter.limits.maxComputeInvocationsPerWorkgroup}`,
    `- Kernel tests on webgpu against the CPU reference (KD loss, attention, model forward and ` +
    `backward): ${values.tests}${values["tests-summary"] ? ` (${values["tests-summary"]})` : ""}`,
    ...(values.note ? [`- ${values.note}`] : []),
    "",
  ];
  const md = head.join("\n") + "\n" + renderBench(bench).replace(/^# /, "## ");
  const json = {
    dry_run: Boolean(software),
    device: gpu ?? null,
    adapter,
    kernel_tests: { status: values.tests, summary: values["tests-summary"] },
    note: values.note || undefined,
    ...bench,
  };
  await writeFileAtomic(join(values.out, "bench.md"), md);
  await writeFileAtomic(join(values.out, "bench.json"), JSON.stringify(json, null, 2) + "\n");
  console.log(md);
}

if (import.meta.main) await runCli(main);
