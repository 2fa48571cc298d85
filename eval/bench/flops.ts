/**
 * Arithmetic of a BERT step, to report achieved GFLOP/s, and the machine's fp32 peak.
 *
 * @module
 */
import type { BertConfig } from "@cohesive/shared";

/**
 * Floating-point operations of one forward pass over `B·T` tokens with the MLM head on `N`
 * positions (multiply-add = 2). Training is counted as 3x the forward (backward ≈ 2x).
 */
export function bertForwardFlops(c: BertConfig, B: number, T: number, N: number): number {
  const H = c.hidden_size, I = c.intermediate_size, L = c.num_hidden_layers;
  const tokens = B * T;
  const perLayer = tokens * (2 * 4 * H * H + 2 * 2 * H * I) + 2 * 2 * B * T * T * H;
  const head = N * (2 * H * H + 2 * H * c.vocab_size);
  return L * perLayer + head;
}

/**
 * The fp32 peak of this machine in GFLOP/s: cores × clock × FLOP per cycle (2 FMA units × 8 lanes
 * × 2 with AVX2; × 2 again with AVX-512 — OpenBLAS's SGEMM measured 254 GFLOP/s on the 2-core
 * development machine, above what 32 FLOP/cycle would allow). An estimate from /proc/cpuinfo, stated as such.
 */
export async function machinePeakGflops(): Promise<{ gflops: number; basis: string } | undefined> {
  try {
    const info = await Deno.readTextFile("/proc/cpuinfo");
    const mhz = Number(/cpu MHz\s*:\s*([\d.]+)/.exec(info)?.[1]);
    const cores = navigator.hardwareConcurrency;
    const avx512 = /\bavx512f\b/.test(info), avx2 = /\bavx2\b/.test(info);
    const perCycle = avx512 ? 64 : avx2 ? 32 : 16;
    if (!mhz) return undefined;
    return {
      gflops: (cores * mhz * 1e6 * perCycle) / 1e9,
      basis: `${cores} cores × ${(mhz / 1000).toFixed(2)} GHz × ${perCycle} FLOP/cycle (${
        avx512 ? "AVX-512" : avx2 ? "AVX2" : "SSE"
      } FMA)`,
    };
  } catch {
    return undefined;
  }
}
