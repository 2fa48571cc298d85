import assert from "node:assert/strict";
import type { DisambiguatedToken } from "@cohesive/lexical";
import { sharedEngines, sharedWordNet } from "./_test_utils.ts";
import { createApp, ServeState } from "./app.ts";
import { type RunningServer, startServer } from "./server.ts";
import { CallbackWsdEngine } from "./wsd_engine.ts";

/** A server whose WSD requests wait at a gate, counting how many have started. */
async function gatedServer(drainGraceMs: number, shutdownTimeoutMs: number) {
  const wn = await sharedWordNet();
  const gate = Promise.withResolvers<void>();
  let started = 0;
  const slow = new CallbackWsdEngine({
    name: "slow",
    wordnet: wn,
    process: async (texts) => {
      started++;
      await gate.promise;
      return texts.map((): DisambiguatedToken[] => []);
    },
  });
  const base = await sharedEngines();
  const state = new ServeState({ engines: { wsd: [slow], similarity: base.similarity } });
  const server = startServer(createApp({ state }), state, {
    port: 0,
    drainGraceMs,
    shutdownTimeoutMs,
  });
  const wsd = () =>
    fetch(`${server.url}/v1/wsd`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ texts: ["a request still being answered"] }),
    });
  return { server, state, gate, wsd, started: () => started };
}

async function until(cond: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error("timed out waiting");
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function status(server: RunningServer, path: string): Promise<number> {
  const res = await fetch(`${server.url}${path}`);
  await res.body?.cancel();
  return res.status;
}

Deno.test("a drain turns not-ready at once, keeps accepting for the grace period, and answers every request in flight", async () => {
  const { server, gate, wsd, started } = await gatedServer(300, 5000);
  const pending = Array.from({ length: 6 }, wsd);
  await until(() => server.inFlight === 6 && started() > 0);
  assert.equal(server.inFlight, 6);
  const t0 = performance.now();
  const stopping = server.shutdown();
  // During the grace period: new connections are accepted, readiness says 503, work goes on.
  assert.equal(await status(server, "/readyz"), 503);
  assert.equal(await status(server, "/healthz"), 200);
  const late = wsd(); // arrives during the grace period: answered too
  await until(() => server.inFlight === 7);
  await until(() => performance.now() - t0 > 450);
  await assert.rejects(fetch(`${server.url}/healthz`)); // after the grace period: refused
  gate.resolve();
  for (const res of await Promise.all([...pending, late])) {
    assert.equal(res.status, 200);
    assert.equal((await res.json()).model, "slow");
  }
  assert.equal(await stopping, true);
  await server.finished;
  const d = server.drain!;
  assert.deepEqual([d.inFlightAtStart, d.completed, d.cut, d.graceful], [6, 9, 0, true]);
  assert.ok(d.ms >= 300 && d.ms < 5000, `drain took ${d.ms} ms`);
});

Deno.test("what is still running at the drain deadline gets 503 and the server stops in time", async () => {
  const { server, gate, wsd, started } = await gatedServer(50, 400);
  const pending = Array.from({ length: 3 }, wsd);
  await until(() => server.inFlight === 3 && started() > 0);
  const t0 = performance.now();
  assert.equal(await server.shutdown(), false);
  const ms = performance.now() - t0;
  assert.ok(ms >= 400 && ms < 3000, `stopped after ${ms.toFixed(0)} ms`);
  for (const res of await Promise.all(pending)) {
    assert.equal(res.status, 503);
    assert.equal(res.headers.get("retry-after"), "1");
    assert.match((await res.json()).error, /shutting down/);
  }
  assert.deepEqual([server.drain!.inFlightAtStart, server.drain!.cut], [3, 3]);
  gate.resolve();
  await server.finished;
});
