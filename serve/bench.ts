/**
 * Load test on loopback (a benchmark, not a test): starts `serve/main.ts` in its own process on
 * 127.0.0.1, then for 1, 4 and 16 concurrent clients sends a bounded number of `/v1/wsd`
 * requests (each client waits for its answer before sending the next) and reports requests/s,
 * sentences/s and p50/p99 latency, plus the server's resident memory.
 *
 *   deno run -A serve/bench.ts [--clients 1,4,16] [--requests 400] [--max-seconds 20]
 *     [--texts 1] [--endpoint wsd|similarity] [--model DIR] [--json FILE]
 *
 * Sentences are WordNet's example sentences (different ones for every request), so caches
 * warm as they would on real traffic, not on one repeated sentence.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { wordnetText } from "@cohesive/lexical";
import { runCli, usage, UsageError, writeFileAtomic } from "@cohesive/shared";

/** One load level's measurements. */
export interface LoadResult {
  /** Concurrent clients. */
  clients: number;
  /** Requests answered 200. */
  requests: number;
  /** Requests that failed (non-200 or network error). */
  failed: number;
  /** Wall-clock seconds. */
  seconds: number;
  /** Requests per second. */
  requestsPerSecond: number;
  /** Sentences (texts) per second. */
  sentencesPerSecond: number;
  /** Median latency, ms. */
  p50: number;
  /** 99th percentile latency, ms. */
  p99: number;
  /** Server resident memory after the level, MiB (Linux), or null. */
  rssMiB: number | null;
}

function quantile(sorted: number[], q: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
}

async function rssMiB(pid: number): Promise<number | null> {
  try {
    const status = await Deno.readTextFile(`/proc/${pid}/status`);
    const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
    return Number.isFinite(kb) ? Math.round(kb / 1024) : null;
  } catch {
    return null;
  }
}

if (import.meta.main) {
  await runCli(async () => {
    const { values } = usage(() =>
      parseArgs({
        args: Deno.args,
        options: {
          clients: { type: "string", default: "1,4,16" },
          requests: { type: "string", default: "400" },
          "max-seconds": { type: "string", default: "20" },
          texts: { type: "string", default: "1" },
          endpoint: { type: "string", default: "wsd" },
          model: { type: "string" },
          json: { type: "string" },
        },
        strict: true,
      })
    );
    const levels = values.clients.split(",").map(Number);
    const perLevel = Number(values.requests);
    const maxSeconds = Number(values["max-seconds"]);
    const textsPer = Number(values.texts);
    if (levels.some((n) => !Number.isInteger(n) || n < 1 || n > 256)) {
      throw new UsageError("--clients takes integers from 1 to 256, e.g. 1,4,16");
    }
    if (!(perLevel >= 1 && perLevel <= 100_000) || !(maxSeconds > 0 && maxSeconds <= 600)) {
      throw new UsageError("--requests must be 1..100000 and --max-seconds 0..600");
    }
    if (!Number.isInteger(textsPer) || textsPer < 1 || textsPer > 64) {
      throw new UsageError("--texts must be an integer from 1 to 64");
    }
    if (values.endpoint !== "wsd" && values.endpoint !== "similarity") {
      throw new UsageError("--endpoint is wsd or similarity");
    }

    const sentences = (await wordnetText()).examples
      .map((e) => e.text)
      .filter((t) => t.split(" ").length >= 6)
      .map((t) => t[0].toUpperCase() + t.slice(1) + ".");
    let next = 0;
    const body = () => {
      const texts = Array.from({ length: textsPer }, () => sentences[next++ % sentences.length]);
      return values.endpoint === "wsd" ? { texts } : {
        pairs: texts.map((a, i) => ({ a, b: sentences[(next + 7919 * i) % sentences.length] })),
      };
    };

    const main = join(dirname(fileURLToPath(import.meta.url)), "main.ts");
    const args = ["run", "-A", main, "--port", "0", "--host", "127.0.0.1"];
    if (values.model) args.push("--model", values.model);
    const server = new Deno.Command(Deno.execPath(), { args, stdout: "piped", stderr: "inherit" })
      .spawn();
    const out = server.stdout.pipeThrough(new TextDecoderStream()).getReader();
    let log = "";
    let url: string | undefined;
    while (!/^ready: /m.test(log)) {
      const { value, done } = await out.read();
      if (done) throw new Error(`the server exited before it was ready:\n${log}`);
      log += value;
      url ??= /listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(log)?.[1];
    }
    // keep draining the server's stdout
    (async () => {
      while (!(await out.read()).done) { /* discard */ }
    })();
    const endpoint = `${url}/v1/${values.endpoint}`;
    const idle = await rssMiB(server.pid);
    console.log(`server ${url} (pid ${server.pid}), RSS ${idle ?? "?"} MiB when ready`);

    const send = async (): Promise<number | null> => {
      const t0 = performance.now();
      try {
        const res = await fetch(endpoint, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body()),
        });
        await res.arrayBuffer();
        return res.status === 200 ? performance.now() - t0 : null;
      } catch {
        return null;
      }
    };

    // warm-up: JIT, WordNet caches
    for (let i = 0; i < 50; i++) await send();

    const results: LoadResult[] = [];
    try {
      for (const clients of levels) {
        const latencies: number[] = [];
        let failed = 0;
        let issued = 0;
        const deadline = performance.now() + maxSeconds * 1000;
        const t0 = performance.now();
        await Promise.all(Array.from({ length: clients }, async () => {
          while (issued < perLevel && performance.now() < deadline) {
            issued++;
            const ms = await send();
            if (ms === null) failed++;
            else latencies.push(ms);
          }
        }));
        const seconds = (performance.now() - t0) / 1000;
        latencies.sort((a, b) => a - b);
        const r: LoadResult = {
          clients,
          requests: latencies.length,
          failed,
          seconds: Math.round(seconds * 100) / 100,
          requestsPerSecond: Math.round(latencies.length / seconds),
          sentencesPerSecond: Math.round((latencies.length * textsPer) / seconds),
          p50: Math.round(quantile(latencies, 0.5) * 10) / 10,
          p99: Math.round(quantile(latencies, 0.99) * 10) / 10,
          rssMiB: await rssMiB(server.pid),
        };
        results.push(r);
        console.log(
          `${clients} clients: ${r.requests} ok, ${r.failed} failed in ${r.seconds} s: ` +
            `${r.requestsPerSecond} req/s, ${r.sentencesPerSecond} sentences/s, ` +
            `p50 ${r.p50} ms, p99 ${r.p99} ms, RSS ${r.rssMiB ?? "?"} MiB`,
        );
      }
    } finally {
      server.kill("SIGTERM");
      await server.status;
    }
    console.log(
      `\n| clients | requests/s | sentences/s | p50 ms | p99 ms | server RSS MiB |\n` +
        `|---:|---:|---:|---:|---:|---:|\n` +
        results.map((r) =>
          `| ${r.clients} | ${r.requestsPerSecond} | ${r.sentencesPerSecond} | ${r.p50} | ` +
          `${r.p99} | ${r.rssMiB ?? "?"} |`
        ).join("\n"),
    );
    if (values.json) {
      await writeFileAtomic(
        values.json,
        JSON.stringify({ endpoint: values.endpoint, textsPer, idleRssMiB: idle, results }, null, 2),
      );
    }
  });
}
