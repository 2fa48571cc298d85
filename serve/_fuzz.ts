/**
 * Fuzz test helper: generated bad requests over a real socket (malformed bodies, wrong types,
 * empty and huge texts, unknown fields and models, wrong methods, content types and paths) plus
 * raw malformed HTTP, then odd but valid texts (lone surrogates, control characters, 10,000
 * characters of one word) that must get 200. Every bad answer must be a 4xx JSON error (never a
 * 5xx), and the server must still answer correctly afterwards.
 *
 * @module
 */
import assert from "node:assert/strict";
import { sharedEngines } from "./_test_utils.ts";
import { createApp, ServeState } from "./app.ts";
import { DEFAULT_LIMITS } from "./request.ts";
import { startServer } from "./server.ts";

/** mulberry32: a small seeded generator, so a failure can be replayed. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const SEED = 20261121;

const L = DEFAULT_LIMITS;
/** Values that are wrong wherever they are put (no valid text, model, format, lang, threshold). */
const BAD_VALUES: unknown[] = [
  null,
  -1,
  2,
  1e308,
  -0.5,
  true,
  false,
  {},
  [],
  "",
  "   ",
  "\n\t",
  [null],
  [[]],
  { a: 1 },
  [1, 2, 3],
  "x".repeat(L.maxDocumentChars + 1),
];

interface Route {
  path: string;
  valid: () => unknown;
  /** Required fields (replacing or dropping one makes the body invalid). */
  fields: string[];
}

const ROUTES: Route[] = [
  { path: "/v1/wsd", valid: () => ({ texts: ["The bank.", "A river."] }), fields: ["texts"] },
  {
    path: "/v1/similarity",
    valid: () => ({ pairs: [{ a: "one text", b: "another text" }] }),
    fields: ["pairs"],
  },
  {
    path: "/v1/plagiarism",
    valid: () => ({ suspicious: "The cat sat.", sources: ["A cat sat."] }),
    fields: ["suspicious", "sources"],
  },
];

function pick<T>(r: () => number, xs: readonly T[]): T {
  return xs[Math.floor(r() * xs.length)];
}

/** A bad request: [method, path, headers, body]. Each generator makes only invalid requests. */
function badRequest(r: () => number): [string, string, Record<string, string>, BodyInit | null] {
  const json = { "content-type": "application/json" };
  const route = pick(r, ROUTES);
  const kind = Math.floor(r() * 14);
  const body = route.valid() as Record<string, unknown>;
  switch (kind) {
    case 0: { // random bytes
      const n = 1 + Math.floor(r() * 64);
      const bytes = new Uint8Array(n).map(() => Math.floor(r() * 256));
      bytes[0] = 0xff; // never valid UTF-8, so never valid JSON
      return ["POST", route.path, json, new Blob([bytes])];
    }
    case 1: { // truncated JSON
      const s = JSON.stringify(body);
      return ["POST", route.path, json, s.slice(0, Math.floor(r() * (s.length - 1)))];
    }
    case 2: // a top-level value of the wrong type
      return ["POST", route.path, json, JSON.stringify(pick(r, [...BAD_VALUES, "text", 0, 1]))];
    case 3: { // a required field with a wrong value
      body[pick(r, route.fields)] = pick(r, BAD_VALUES);
      return ["POST", route.path, json, JSON.stringify(body)];
    }
    case 4: { // a required field missing
      delete body[pick(r, route.fields)];
      return ["POST", route.path, json, JSON.stringify(body)];
    }
    case 5: { // an unknown field
      const name = pick(r, [
        "__proto__",
        "constructor",
        "toString",
        "",
        "Texts",
        "lang",
        "k" + r(),
      ]);
      return [
        "POST",
        route.path,
        json,
        JSON.stringify(body).replace(/^\{/, `{${JSON.stringify(name)}: 1,`),
      ];
    }
    case 6: { // an unknown model, or a model value of the wrong type
      body.model = r() < 0.5 ? `model-${Math.floor(r() * 1e6)}` : pick(r, BAD_VALUES);
      return ["POST", route.path, json, JSON.stringify(body)];
    }
    case 7: { // a bad entry inside the list
      const bad = pick(r, BAD_VALUES);
      if (route.path === "/v1/wsd") body.texts = ["ok", bad];
      else if (route.path === "/v1/similarity") {
        body.pairs = [pick(r, [{ a: "x", b: bad }, { a: bad, b: "y" }, { a: "x" }, bad, {
          a: "x",
          b: "y",
          c: "z",
        }])];
      } else body.sources = ["ok", bad];
      return ["POST", route.path, json, JSON.stringify(body)];
    }
    case 8: { // too many entries, or a text too long
      if (route.path === "/v1/wsd") {
        body.texts = r() < 0.5 ? Array(L.maxTexts + 1).fill("a") : ["b".repeat(L.maxTextChars + 1)];
      } else if (route.path === "/v1/similarity") {
        body.pairs = Array(L.maxPairs + 1).fill({ a: "a", b: "b" });
      } else body.sources = Array(L.maxSources + 1).fill("c");
      return ["POST", route.path, json, JSON.stringify(body)];
    }
    case 9: // a content type that is not JSON
      return [
        "POST",
        route.path,
        {
          "content-type": pick(r, [
            "text/plain",
            "multipart/form-data",
            "json",
            "application/jsonx",
            "application/x-www-form-urlencoded",
          ]),
        },
        JSON.stringify(body),
      ];
    case 10: // a wrong method on a known route
      return [
        pick(r, ["GET", "PUT", "DELETE", "PATCH"]),
        pick(r, [...ROUTES.map((x) => x.path), "/api/model"]),
        {},
        null,
      ];
    case 11: // an unknown path
      return [
        pick(r, ["GET", "POST"]),
        pick(r, [
          "/v2/wsd",
          "/v1/wsd/extra",
          "/%00",
          "/..%2f..%2fetc%2fpasswd",
          "/" + "a".repeat(3000),
          "/v1/",
          "/openapi.yaml",
        ]),
        json,
        null,
      ];
    case 12: { // AMuSE route: bad documents
      const docs = pick(r, [
        [{ text: "ok", lang: "DE" }],
        [{ text: pick(r, BAD_VALUES) }],
        [{ lang: "EN" }],
        [{ text: "ok", extra: 1 }],
        [],
        Array(L.maxTexts + 1).fill({ text: "a" }),
        { text: "not an array" },
      ]);
      return ["POST", "/api/model", json, JSON.stringify(docs)];
    }
    default: { // plagiarism-only values: bad thresholds and too many characters together
      const p = ROUTES[2].valid() as Record<string, unknown>;
      if (r() < 0.5) p.threshold = pick(r, [-0.1, 1.5, "0.5", null, [0.5]]);
      else p.sources = Array(6).fill("s".repeat(L.maxDocumentChars));
      return ["POST", "/v1/plagiarism", json, JSON.stringify(p)];
    }
  }
}

/** Send raw bytes and return the status line (or "closed"). */
async function raw(port: number, bytes: string): Promise<string> {
  const conn = await Deno.connect({ hostname: "127.0.0.1", port });
  try {
    await conn.write(new TextEncoder().encode(bytes));
    const buf = new Uint8Array(512);
    const n = await Promise.race([
      conn.read(buf),
      new Promise<null>((res) => setTimeout(() => res(null), 2000)),
    ]);
    return n ? new TextDecoder().decode(buf.subarray(0, n)).split("\r\n")[0] : "closed";
  } catch {
    return "closed";
  } finally {
    try {
      conn.close();
    } catch { /* already closed by the server */ }
  }
}

/** Send `COUNT` generated bad requests, raw malformed HTTP and odd valid texts; assert the answers. */
export async function fuzzServer(COUNT: number): Promise<void> {
  const state = new ServeState({ engines: await sharedEngines() });
  const server = startServer(createApp({ state }), state, { port: 0 });
  const r = rng(SEED);
  const statuses = new Map<number, number>();
  const t0 = performance.now();
  try {
    for (let i = 0; i < COUNT; i++) {
      const [method, path, headers, body] = badRequest(r);
      const res = await fetch(server.url + path, { method, headers, body });
      const text = await res.text();
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const what = `#${i} ${method} ${path.slice(0, 40)} -> ${res.status} ${text.slice(0, 200)}`;
      assert.ok(res.status >= 400 && res.status < 500, what);
      const err = JSON.parse(text).error;
      assert.ok(typeof err === "string" && err.length > 0, what);
    }
    // malformed HTTP straight on the socket: Deno's HTTP layer answers 4xx or closes
    const garbage = [
      "GARBAGE\r\n\r\n",
      "POST /v1/wsd HTTP/1.1\r\nHost: x\r\nContent-Length: -5\r\n\r\n",
      "POST /v1/wsd HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\nContent-Length: 20\r\n\r\n{}",
      "GET / HTTP/9.9\r\n\r\n",
      "\x00\x01\x02\x03\r\n\r\n",
    ];
    for (const g of garbage) {
      const line = await raw(server.port, g);
      assert.ok(line === "closed" || / 4\d\d /.test(line), `${JSON.stringify(g)} -> ${line}`);
    }
    // odd but valid texts: answered 200, never a 5xx
    const odd = [
      "\ud800 lone surrogate \udfff",
      "\u0000\u0001 control characters \u007f",
      "x".repeat(L.maxTextChars),
      "!?.".repeat(3000),
      "😀 emoji 🎉 and ‘quotes’ — dashes…",
      "word\n".repeat(1500),
      "Ünïcödé wörds; 数字 123 4.5e6",
    ];
    for (const text of odd) {
      for (
        const [path, body] of [
          ["/v1/wsd", { texts: [text], format: "amuse" }],
          ["/v1/similarity", { pairs: [{ a: text, b: "the bank" }] }],
          ["/v1/plagiarism", { suspicious: text, sources: [text, "the bank"] }],
        ] as const
      ) {
        const res = await fetch(server.url + path, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify(body),
        });
        assert.equal(res.status, 200, `${path} ${JSON.stringify(text.slice(0, 30))}`);
        await res.body?.cancel();
      }
    }
    const ms = performance.now() - t0;
    // still healthy, and still right
    assert.equal((await (await fetch(server.url + "/healthz")).json()).status, "ok");
    assert.equal((await (await fetch(server.url + "/readyz")).json()).status, "ready");
    const ok = await fetch(server.url + "/v1/wsd", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ texts: ["He sat on the bank of the river."] }),
    });
    const out = await ok.json();
    assert.equal(ok.status, 200);
    assert.equal(
      out.texts[0].tokens.find((t: { text: string }) => t.text === "bank").senseKey,
      "bank%1:17:01::",
    );
    console.log(
      `  ${COUNT} requests in ${(ms / 1000).toFixed(1)} s; statuses ` +
        [...statuses].sort().map(([s, n]) => `${s}×${n}`).join(", "),
    );
  } finally {
    await server.shutdown();
  }
}
