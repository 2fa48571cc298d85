import assert from "node:assert/strict";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { DisambiguatedToken } from "@cohesive/lexical";
import { sharedEngines, sharedWordNet } from "./_test_utils.ts";
import { createApp, ServeState } from "./app.ts";
import { startServer } from "./server.ts";
import { CallbackWsdEngine } from "./wsd_engine.ts";

const SERVE_DIR = dirname(fileURLToPath(import.meta.url));

Deno.test("shutdown finishes the in-flight request, refuses new connections and frees the models", async () => {
  const wn = await sharedWordNet();
  let release!: () => void;
  const gate = new Promise<void>((r) => release = r);
  let started!: () => void;
  const inFlight = new Promise<void>((r) => started = r);
  let disposed = false;
  const slow = new CallbackWsdEngine({
    name: "slow",
    wordnet: wn,
    process: async (texts) => {
      started();
      await gate;
      return texts.map((): DisambiguatedToken[] => []);
    },
    dispose: () => disposed = true,
  });
  const base = await sharedEngines();
  const state = new ServeState({ engines: { wsd: [slow], similarity: base.similarity } });
  const server = startServer(createApp({ state }), state, { port: 0, drainGraceMs: 0 });
  const pending = fetch(`${server.url}/v1/wsd`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ texts: ["a request that is still being answered"] }),
  });
  await inFlight;
  const stopping = server.shutdown();
  assert.equal(state.draining, true);
  await new Promise((r) => setTimeout(r, 50));
  await assert.rejects(fetch(`${server.url}/healthz`)); // no new connections
  release();
  const res = await pending;
  assert.equal(res.status, 200);
  assert.equal((await res.json()).model, "slow");
  assert.equal(await stopping, true);
  await server.finished;
  assert.equal(disposed, true);
});

Deno.test("deno task serve listens, turns ready, and exits 0 after SIGTERM", async () => {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(SERVE_DIR, "main.ts"), "--port", "0", "--grace", "0"],
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  const lines: string[] = [];
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const readUntil = async (re: RegExp) => {
    let buf = "";
    const deadline = Date.now() + 60_000;
    while (!re.test(lines.join("\n")) && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += value;
      const parts = buf.split("\n");
      buf = parts.pop()!;
      lines.push(...parts);
    }
    return lines.join("\n");
  };
  try {
    const url = /listening on (http:\/\/\S+?)\/? /.exec(await readUntil(/listening on/))?.[1];
    assert.ok(url, lines.join("\n"));
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    assert.match(await readUntil(/^ready: /m), /ready: wsd extended-lesk/);
    assert.equal((await (await fetch(`${url}/readyz`)).json()).status, "ready");
    child.kill("SIGTERM");
    await readUntil(/^stopped/m);
    const status = await child.status;
    assert.equal(status.code, 0);
    assert.match(
      lines.join("\n"),
      /SIGTERM: finishing in-flight requests\ndrained in \d+ ms: 0 in flight .*0 answered 503 at the deadline\nstopped$/m,
    );
  } finally {
    reader.releaseLock();
    await child.stdout.cancel().catch(() => {});
    await child.stderr.cancel().catch(() => {});
    try {
      child.kill("SIGKILL");
    } catch { /* already exited */ }
  }
});

Deno.test("deno task serve with a bad flag prints one error line and exits 2", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(SERVE_DIR, "main.ts"), "--port", "http"],
  }).output();
  assert.equal(out.code, 2);
  const err = new TextDecoder().decode(out.stderr).trim();
  assert.equal(err.split("\n").length, 1);
  assert.match(err, /^error: --port must be a whole number/);
});

Deno.test("deno task serve refuses a missing model folder before it listens", async () => {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", join(SERVE_DIR, "main.ts"), "--port", "0", "--model", "/nonexistent/m"],
  }).output();
  assert.equal(out.code, 1);
  assert.equal(new TextDecoder().decode(out.stdout), ""); // never printed "listening"
  assert.equal(
    new TextDecoder().decode(out.stderr).trim(),
    "error: cannot read /nonexistent/m: no such folder",
  );
});
