import assert from "node:assert/strict";
import { sharedEngines } from "./_test_utils.ts";
import { createApp, ServeState } from "./app.ts";
import { startServer } from "./server.ts";

const enc = new TextEncoder();
const dec = new TextDecoder();

async function timedServer() {
  const state = new ServeState({ engines: await sharedEngines(), limits: { bodyTimeoutMs: 300 } });
  return startServer(createApp({ state }), state, {
    port: 0,
    drainGraceMs: 0,
    headerTimeoutMs: 300,
    idleTimeoutMs: 300,
  });
}

/** Read from `conn` until it closes (or `ms` pass); the text read and when it closed. */
async function readUntilClosed(conn: Deno.Conn, ms = 5000): Promise<{ text: string; at: number }> {
  const t0 = performance.now();
  const buf = new Uint8Array(4096);
  let text = "";
  const timer = setTimeout(() => conn.close(), ms);
  try {
    for (;;) {
      const n = await conn.read(buf);
      if (n === null) break;
      text += dec.decode(buf.subarray(0, n));
    }
  } catch { /* reset */ }
  clearTimeout(timer);
  try {
    conn.close();
  } catch { /* closed */ }
  return { text, at: performance.now() - t0 };
}

/** Write `parts` one by one, `gapMs` apart, until the connection fails or `stop` says so. */
async function trickle(conn: Deno.Conn, parts: string[], gapMs: number): Promise<void> {
  try {
    for (const p of parts) {
      await conn.write(enc.encode(p));
      await new Promise((r) => setTimeout(r, gapMs));
    }
  } catch { /* closed by the server */ }
}

Deno.test("a client trickling its headers is cut off at the header timeout", async () => {
  const server = await timedServer();
  try {
    const conn = await Deno.connect({ port: server.port });
    const headers = ["GET /healthz HTTP/1.1\r\n", "Host: x\r\n"];
    for (let i = 0; i < 30; i++) headers.push(`X-Slow-${i}: y\r\n`);
    const writing = trickle(conn, headers, 50);
    const { text, at } = await readUntilClosed(conn);
    await writing;
    assert.equal(text, "");
    assert.ok(at >= 250 && at < 3000, `closed after ${at.toFixed(0)} ms`);
    // A silent connection is closed just the same.
    const silent = await Deno.connect({ port: server.port });
    const s = await readUntilClosed(silent);
    assert.ok(s.at >= 250 && s.at < 3000, `silent closed after ${s.at.toFixed(0)} ms`);
  } finally {
    await server.shutdown();
  }
});

Deno.test("a client trickling its body gets 408, and an idle keep-alive connection is closed", async () => {
  const server = await timedServer();
  try {
    const conn = await Deno.connect({ port: server.port });
    const body = JSON.stringify({ texts: ["a slow body"] });
    const head = `POST /v1/wsd HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${body.length}\r\n\r\n`;
    const writing = trickle(conn, [head, ...body], 60);
    const { text, at } = await readUntilClosed(conn);
    await writing;
    assert.match(text, /^HTTP\/1\.1 408 /);
    assert.match(text, /took longer than 300 ms/);
    assert.ok(at < 3000, `answered after ${at.toFixed(0)} ms`);

    // Keep-alive: two requests 100 ms apart stay on one connection; then idle, it is closed.
    const ka = await Deno.connect({ port: server.port });
    const get = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
    const buf = new Uint8Array(4096);
    for (let i = 0; i < 2; i++) {
      await ka.write(enc.encode(get));
      const n = await ka.read(buf);
      assert.match(dec.decode(buf.subarray(0, n!)), /^HTTP\/1\.1 200 /);
      await new Promise((r) => setTimeout(r, 100));
    }
    const idle = await readUntilClosed(ka);
    assert.equal(idle.text, "");
    assert.ok(idle.at >= 150 && idle.at < 3000, `idle closed after ${idle.at.toFixed(0)} ms`);
  } finally {
    await server.shutdown();
  }
});
