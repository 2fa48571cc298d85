// Runs the native-SGEMM stress worker on several threads at once, in waves: the threads of one
// wave exit (and OpenBLAS sees its callers come and go) while the main thread keeps calling it.
import type { StressJob, StressResult } from "./_blas_stress_worker.ts";

/**
 * The largest scaled difference from the reference over every worker of every wave, and how many
 * products grew the wasm heap inside the kernel.
 */
export async function blasStress(
  opts: { workers: number; waves: number; rounds: number },
): Promise<StressResult> {
  let worst = 0, grewInside = 0;
  for (let wave = 0; wave < opts.waves; wave++) {
    const runs = Array.from({ length: opts.workers }, (_, i) => {
      const w = new Worker(new URL("./_blas_stress_worker.ts", import.meta.url), {
        type: "module",
      });
      return new Promise<StressResult>((resolve, reject) => {
        w.onmessage = (e: MessageEvent<StressResult | { error: string }>) => {
          w.terminate();
          if ("error" in e.data) reject(new Error(e.data.error));
          else resolve(e.data);
        };
        w.onerror = (e) => {
          w.terminate();
          reject(new Error(e.message));
        };
        w.postMessage({ seed: 1000 * wave + i + 1, rounds: opts.rounds } satisfies StressJob);
      });
    });
    for (const r of await Promise.all(runs)) {
      worst = Math.max(worst, r.worst);
      grewInside += r.grewInside;
    }
  }
  return { worst, grewInside };
}
