import assert from "node:assert/strict";
import { post, sharedApp, sharedEngines } from "./_test_utils.ts";
import { createApp } from "./app.ts";

Deno.test("CORS: allowed origins get the headers and a preflight answer; others do not", async () => {
  const app = createApp({ engines: await sharedEngines(), cors: ["https://app.example"] });
  const pre = await app.request("/v1/similarity", {
    method: "OPTIONS",
    headers: {
      origin: "https://app.example",
      "access-control-request-method": "POST",
      "access-control-request-headers": "content-type",
    },
  });
  assert.equal(pre.status, 204);
  assert.equal(pre.headers.get("access-control-allow-origin"), "https://app.example");
  assert.match(pre.headers.get("access-control-allow-methods") ?? "", /POST/);
  assert.match(pre.headers.get("access-control-allow-headers") ?? "", /content-type/i);
  const res = await app.request("/healthz", { headers: { origin: "https://app.example" } });
  assert.equal(res.headers.get("access-control-allow-origin"), "https://app.example");
  const other = await app.request("/healthz", { headers: { origin: "https://evil.example" } });
  assert.equal(other.headers.get("access-control-allow-origin"), null);
  // Without configured origins: no CORS headers, but OPTIONS says what the route allows.
  const plain = await (await sharedApp()).request("/v1/wsd", { method: "OPTIONS" });
  assert.equal(plain.status, 204);
  assert.equal(plain.headers.get("allow"), "POST, OPTIONS");
  assert.equal(plain.headers.get("access-control-allow-origin"), null);
});

Deno.test("a body is decoded in the charset its Content-Type declares, or refused with 415", async () => {
  const app = await sharedApp();
  const latin1 = new Uint8Array([
    ...new TextEncoder().encode('{"pairs": [{"a": "caf'),
    0xe9,
    ...new TextEncoder().encode(' au lait", "b": "coffee with milk"}]}'),
  ]);
  let res = await post(app, "/v1/similarity", latin1, {
    "content-type": "application/json; charset=ISO-8859-1",
  });
  assert.equal(res.status, 200);
  res = await post(app, "/v1/similarity", latin1, { "content-type": "application/json" });
  assert.equal(res.status, 400);
  assert.match((await res.json()).error, /not valid UTF-8/);
  const utf16 = new Uint8Array(
    [...'{"texts": ["The bank of the river."]}'].flatMap((c) => [c.charCodeAt(0), 0]),
  );
  res = await post(app, "/v1/wsd", utf16, { "content-type": "application/json; charset=utf-16le" });
  assert.equal(res.status, 200);
  res = await post(app, "/v1/wsd", '{"texts": ["x"]}', {
    "content-type": "application/json; charset=klingon",
  });
  assert.equal(res.status, 415);
  assert.match((await res.json()).error, /unsupported charset "klingon"/);
});
