/**
 * The WebGPU adapter this process gets, described in full (vendor, architecture, device,
 * description, fallback flag, features, limits), and whether it is a software rasteriser.
 *
 *     deno run -A eval/bench/gpu/adapter.ts [--allow-software] [--json FILE]
 *
 * Prints one line per field, then exits 0 on a hardware adapter; exits 1 with one line when there
 * is no adapter, or when it is a software one (llvmpipe, lavapipe, SwiftShader, any CPU device)
 * unless `--allow-software` is given (a dry run on a machine without a GPU). `--json FILE` writes
 * the description there as JSON.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { runCli, usage, writeFileAtomic } from "@cohesive/shared";

/** The adapter as WebGPU describes it. */
export interface AdapterDescription {
  /** PCI vendor id (decimal, as Deno reports it) or name. */
  vendor: string;
  /** GPU family, when the driver says. */
  architecture: string;
  /** PCI device id or name. */
  device: string;
  /** The driver's name for the device, e.g. "NVIDIA H200" or "llvmpipe (LLVM 15.0.6, 256 bits)". */
  description: string;
  /** True when the implementation itself marks the adapter as a CPU fallback. */
  isFallbackAdapter: boolean;
  /** Optional WebGPU features the adapter offers. */
  features: string[];
  /** Every limit the adapter reports. */
  limits: Record<string, number>;
  /** Why this is a software adapter, or undefined for a hardware one. */
  software?: string;
}

// Mesa's own vendor id (llvmpipe, lavapipe, softpipe), and Google's SwiftShader ids.
const MESA_VENDOR = 0x10005;
const GOOGLE_VENDOR = 0x1ae0, SWIFTSHADER_DEVICE = 0xc0de;
const SOFTWARE_NAMES = /llvmpipe|lavapipe|softpipe|swiftshader|software|\bcpu\b|basic render/i;

/**
 * Why an adapter is a software (CPU) implementation, or `undefined` when nothing marks it so.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { softwareReason } from "./adapter.ts";
 * assert.equal(
 *   softwareReason({ vendor: "65541", device: "0", description: "llvmpipe (LLVM 15.0.6, 256 bits)" }),
 *   "its name says so: llvmpipe (LLVM 15.0.6, 256 bits)",
 * );
 * ```
 */
export function softwareReason(
  a: Partial<Pick<AdapterDescription, "vendor" | "device" | "description" | "architecture">> & {
    isFallbackAdapter?: boolean;
  },
): string | undefined {
  // Names only: the device field is often a numeric PCI id.
  const names = [a.description, a.architecture, Number.isNaN(Number(a.device)) ? a.device : ""]
    .filter(Boolean).join(" ");
  if (SOFTWARE_NAMES.test(names)) return `its name says so: ${names.trim()}`;
  if (a.isFallbackAdapter) return "WebGPU marks it as a fallback (CPU) adapter";
  const vendor = Number(a.vendor), device = Number(a.device);
  if (vendor === MESA_VENDOR) return "its vendor id is Mesa's software one (0x10005)";
  if (vendor === GOOGLE_VENDOR && device === SWIFTSHADER_DEVICE) return "it is SwiftShader";
  return undefined;
}

/**
 * Describes the adapter `navigator.gpu` gives this process when asked as tfjs' webgpu backend
 * asks (high-performance), or `undefined` when there is none.
 */
export async function describeAdapter(): Promise<AdapterDescription | undefined> {
  const gpu = (navigator as { gpu?: GPU }).gpu;
  if (!gpu) return undefined;
  const adapter = await gpu.requestAdapter({ powerPreference: "high-performance" })
    .catch(() => null);
  if (!adapter) return undefined;
  const info = adapter.info as GPUAdapterInfo & { isFallbackAdapter?: boolean };
  // The limits are getters on the prototype, invisible to JSON.stringify and Object.keys.
  const limits: Record<string, number> = {};
  const proto = Object.getPrototypeOf(adapter.limits);
  for (const [name, d] of Object.entries(Object.getOwnPropertyDescriptors(proto))) {
    if (d.get) limits[name] = Number((adapter.limits as unknown as Record<string, number>)[name]);
  }
  const a: AdapterDescription = {
    vendor: String(info.vendor ?? ""),
    architecture: String(info.architecture ?? ""),
    device: String(info.device ?? ""),
    description: String(info.description ?? ""),
    isFallbackAdapter: Boolean(
      info.isFallbackAdapter ?? (adapter as { isFallbackAdapter?: boolean }).isFallbackAdapter,
    ),
    features: [...adapter.features].map(String).sort(),
    limits,
  };
  a.software = softwareReason(a);
  return a;
}

async function main(): Promise<void> {
  const { values } = usage(() =>
    parseArgs({
      args: Deno.args,
      options: {
        "allow-software": { type: "boolean", default: false },
        json: { type: "string" },
      },
    })
  );
  const a = await describeAdapter();
  if (values.json) await writeFileAtomic(values.json, JSON.stringify(a ?? null, null, 2) + "\n");
  if (!a) {
    console.error(
      "adapter: no WebGPU adapter (Deno found no Vulkan/GL driver: is the loader unpacked?)",
    );
    Deno.exit(1);
  }
  const vendorHex = Number.isFinite(Number(a.vendor))
    ? ` (0x${Number(a.vendor).toString(16)})`
    : "";
  console.log(`adapter: vendor ${a.vendor}${vendorHex}, architecture ${a.architecture || "-"}`);
  console.log(`adapter: device ${a.device || "-"}, description ${a.description || "-"}`);
  console.log(`adapter: fallback ${a.isFallbackAdapter}, features ${a.features.join(" ")}`);
  console.log(
    `adapter: limits ${Object.entries(a.limits).map(([k, v]) => `${k}=${v}`).join(" ")}`,
  );
  if (a.software) {
    if (!values["allow-software"]) {
      console.error(
        `adapter: software WebGPU adapter "${a.description}" (${a.software}); refusing to ` +
          "measure it as a GPU (--allow-software for a dry run)",
      );
      Deno.exit(1);
    }
    console.log(`adapter: SOFTWARE adapter allowed for a dry run (${a.software})`);
  }
}

if (import.meta.main) await runCli(main);
