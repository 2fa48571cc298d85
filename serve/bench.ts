/**
 * Load and fault test on loopback (a benchmark, not a test; it stops by itself): starts
 * `serve/main.ts` in its own process on 127.0.0.1, then
 *
 * 1. for 1, 16 and 64 concurrent clients sends a bounded number of `/v1/wsd` requests (each
 *    client waits for its answer before sending the next) and reports requests/s, sentences/s
 *    and p50/p99 latency, plus the server's resident memory;
 * 2. sustains the highest level for `--sustain` seconds, sampling the server's RSS;
 * 3. faults: slow clients trickling headers (closed at the header timeout?), the heaviest
 *    allowed plagiarism request (with `/healthz` latency meanwhile), an over-limit one (413);
 * 4. drain: SIGTERM under load, counting requests in flight at the signal, answered 200, 503
 *    and failed, and the time to exit.
 *
 *   deno run -A serve/bench.ts [--clients 1,16,64] [--requests 400] [--max-seconds 20]
 *     [--sustain 60] [--texts 1] [--endpoint wsd|similarity] [--model DIR] [--json FILE]
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
          clients: { type: "string", default: "1,16,64" },
          sustain: { type: "string", default: "60" },
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
    const sustain = Number(values.sustain);
    if (!(sustain >= 0 && sustain <= 600)) throw new UsageError("--sustain must be 0..600 seconds");
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
    const args = [
      "run",
      "-A",
      "--unstable-no-legacy-abort",
      main,
      "--port",
      "0",
      "--host",
      "127.0.0.1",
      "--grace",
      "1",
      "--drain-timeout",
      "10",
      "--header-timeout",
      "2",
    ];
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
    // keep reading the server's stdout (the drain report comes last)
    const reading = (async () => {
      for (;;) {
        const { value, done } = await out.read();
        if (done) break;
        log += value;
      }
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
    const level = async (clients: number, requests: number, seconds: number) => {
      const latencies: number[] = [];
      let failed = 0;
      let issued = 0;
      const deadline = performance.now() + seconds * 1000;
      const t0 = performance.now();
      await Promise.all(Array.from({ length: clients }, async () => {
        while (issued < requests && performance.now() < deadline) {
          issued++;
          const ms = await send();
          if (ms === null) failed++;
          else latencies.push(ms);
        }
      }));
      const s = (performance.now() - t0) / 1000;
      latencies.sort((a, b) => a - b);
      return {
        clients,
        requests: latencies.length,
        failed,
        seconds: Math.round(s * 100) / 100,
        requestsPerSecond: Math.round(latencies.length / s),
        sentencesPerSecond: Math.round((latencies.length * textsPer) / s),
        p50: Math.round(quantile(latencies, 0.5) * 10) / 10,
        p99: Math.round(quantile(latencies, 0.99) * 10) / 10,
        rssMiB: await rssMiB(server.pid),
      } satisfies LoadResult;
    };
    let sustained: Record<string, unknown> | undefined;
    const faults: Record<string, unknown> = {};
    let drain: Record<string, unknown> | undefined;
    try {
      for (const clients of levels) {
        const r = await level(clients, perLevel, maxSeconds);
        results.push(r);
        console.log(
          `${clients} clients: ${r.requests} ok, ${r.failed} failed in ${r.seconds} s: ` +
            `${r.requestsPerSecond} req/s, ${r.sentencesPerSecond} sentences/s, ` +
            `p50 ${r.p50} ms, p99 ${r.p99} ms, RSS ${r.rssMiB ?? "?"} MiB`,
        );
      }

      if (sustain > 0) {
        const clients = Math.max(...levels);
        const samples: number[] = [];
        const sampler = setInterval(async () => {
          const r = await rssMiB(server.pid);
          if (r !== null) samples.push(r);
        }, 2000);
        const r = await level(clients, Number.MAX_SAFE_INTEGER, sustain);
        clearInterval(sampler);
        sustained = { ...r, rssSamplesMiB: samples, maxRssMiB: Math.max(...samples, 0) };
        console.log(
          `sustained ${clients} clients for ${r.seconds} s: ${r.requests} ok, ${r.failed} failed, ` +
            `p99 ${r.p99} ms, RSS max ${Math.max(...samples, 0)} MiB, at the end ${r.rssMiB} MiB`,
        );
      }

      // Faults: slow clients trickling headers while the server is otherwise idle.
      const port = Number(new URL(url!).port);
      const slow = await Promise.all(Array.from({ length: 20 }, async () => {
        const conn = await Deno.connect({ hostname: "127.0.0.1", port });
        const t0 = performance.now();
        const enc = new TextEncoder();
        let closed = false;
        const buf = new Uint8Array(1024);
        const reading = conn.read(buf).then(() => closed = true, () => closed = true);
        await conn.write(enc.encode("GET /healthz HTTP/1.1\r\n")).catch(() => {});
        for (let i = 0; i < 60 && !closed; i++) {
          await new Promise((r) => setTimeout(r, 100));
          await conn.write(enc.encode(`X-Slow-${i}: y\r\n`)).catch(() => closed = true);
        }
        await Promise.race([reading, new Promise((r) => setTimeout(r, 100))]);
        try {
          conn.close();
        } catch { /* closed */ }
        return closed ? performance.now() - t0 : null;
      }));
      const cut = slow.filter((x): x is number => x !== null).sort((a, b) => a - b);
      faults.slowHeaders = {
        connections: slow.length,
        closedByServer: cut.length,
        maxMsToClose: Math.round(cut.at(-1) ?? NaN),
        headerTimeoutMs: 2000,
      };
      console.log(
        `slow headers: ${cut.length}/${slow.length} closed, last after ${
          faults.slowHeaders && Math.round(cut.at(-1) ?? NaN)
        } ms`,
      );

      // The heaviest allowed plagiarism request (at the default limits), /healthz meanwhile.
      // 900 × 1000 sentences (half of them copied), near both default limits
      const ex = sentences.filter((t) => t.length <= 45 && !/[.!?;:]./.test(t));
      const heavyBody = {
        suspicious: ex.slice(0, 900).join(" "),
        sources: [ex.slice(450, 1450).join(" ")],
      };
      const t0 = performance.now();
      const heavy = fetch(`${url}/v1/plagiarism`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(heavyBody),
      }).then(async (r) => ({ status: r.status, body: await r.json() }));
      let done = false;
      heavy.finally(() => done = true);
      const health: number[] = [];
      while (!done) {
        const h0 = performance.now();
        await (await fetch(`${url}/healthz`)).arrayBuffer();
        health.push(performance.now() - h0);
        await new Promise((r) => setTimeout(r, 20));
      }
      const h = await heavy;
      health.sort((a, b) => a - b);
      faults.heaviestPlagiarism = {
        status: h.status,
        error: h.body.error,
        sentences: h.body.sentences,
        seconds: Math.round((performance.now() - t0) / 100) / 10,
        healthChecks: health.length,
        healthP50Ms: Math.round(quantile(health, 0.5)),
        healthMaxMs: Math.round(health.at(-1) ?? NaN),
        rssMiB: await rssMiB(server.pid),
      };
      console.log(`heaviest plagiarism: ${JSON.stringify(faults.heaviestPlagiarism)}`);
      const cat = "Cat. ".repeat(10_000).trim();
      const o0 = performance.now();
      const over = await fetch(`${url}/v1/plagiarism`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ suspicious: cat, sources: [cat, cat, cat] }),
      });
      faults.overLimit = {
        status: over.status,
        error: (await over.json()).error,
        ms: Math.round(performance.now() - o0),
      };
      console.log(`over the limit: ${JSON.stringify(faults.overLimit)}`);

      // Drain: SIGTERM with 16 clients sending.
      const clients = 16;
      const statuses: Record<string, number> = {};
      const atSignal: Record<string, number> = {};
      let outstanding = 0;
      let stop = false;
      let signalled = Infinity;
      const load = Promise.all(Array.from({ length: clients }, async () => {
        while (!stop) {
          outstanding++;
          const started = performance.now();
          let key = "failed";
          try {
            const res = await fetch(endpoint, {
              method: "POST",
              headers: { "content-type": "application/json" },
              body: JSON.stringify(body()),
            });
            await res.arrayBuffer();
            key = String(res.status);
          } catch { /* refused or closed */ }
          outstanding--;
          statuses[key] = (statuses[key] ?? 0) + 1;
          if (started < signalled && performance.now() >= signalled) {
            atSignal[key] = (atSignal[key] ?? 0) + 1;
          }
          if (key === "failed") stop = true; // the listener is gone: stop this client
        }
      }));
      await new Promise((r) => setTimeout(r, 1000));
      const before = { ...statuses };
      const inFlight = outstanding;
      const s0 = performance.now();
      signalled = s0;
      server.kill("SIGTERM");
      const status = await server.status;
      const exitMs = Math.round(performance.now() - s0);
      stop = true;
      await load;
      await reading;
      const after: Record<string, number> = {};
      for (const [k, v] of Object.entries(statuses)) after[k] = v - (before[k] ?? 0);
      drain = {
        clients,
        inFlightAtSignal: inFlight,
        inFlightOutcomes: atSignal,
        afterSignal: after,
        note: "clients keep sending until a request fails; the failures after the signal are " +
          "new connections refused once the grace period is over",
        exitCode: status.code,
        msToExit: exitMs,
        serverReport: /^drained .*$/m.exec(log)?.[0] ?? null,
      };
      console.log(`drain: ${JSON.stringify(drain)}`);
    } finally {
      try {
        server.kill("SIGKILL");
      } catch { /* exited */ }
      await server.status;
    }
    const table = `| clients | requests/s | sentences/s | p50 ms | p99 ms | server RSS MiB |\n` +
      `|---:|---:|---:|---:|---:|---:|\n` +
      results.map((r) =>
        `| ${r.clients} | ${r.requestsPerSecond} | ${r.sentencesPerSecond} | ${r.p50} | ` +
        `${r.p99} | ${r.rssMiB ?? "?"} |`
      ).join("\n");
    console.log(`\n${table}`);
    if (values.json) {
      await writeFileAtomic(
        values.json,
        JSON.stringify(
          {
            endpoint: values.endpoint,
            textsPer,
            command: `deno run -A serve/bench.ts ${Deno.args.join(" ")}`,
            idleRssMiB: idle,
            results,
            sustained,
            faults,
            drain,
          },
          null,
          2,
        ) + "\n",
      );
    }
  });
}
