import assert from "node:assert/strict";
import { join } from "node:path";
import { ensureFixtures } from "@cohesive/fixtures";
import {
  BertModel,
  initRuntime,
  loadCheckpoint,
  saveCheckpoint,
  WordPieceTokenizer,
} from "@cohesive/shared";
import { buildSenseTable, parseRaganatoXml, writeSenseTable } from "@cohesive/lexical";
import { post, sharedApp, sharedEngines, sharedWordNet } from "./_test_utils.ts";
import { createApp, ServeState } from "./app.ts";
import { BertSimilarityEngine } from "./bert_engine.ts";
import { type Engines, knowledgeEngines, loadEngines } from "./engines.ts";
import { openApiDocument } from "./openapi.ts";
import { DEFAULT_LIMITS } from "./request.ts";

const BANK = "He sat on the bank of the river and watched the water.";

interface Token {
  text: string;
  start: number;
  end: number;
  senseKey: string | null;
  gloss: string | null;
  model: string | null;
}

Deno.test("GET /healthz, /readyz and /v1/models answer once the models are loaded", async () => {
  const app = await sharedApp();
  assert.deepEqual(await (await app.request("/healthz")).json(), { status: "ok" });
  assert.deepEqual(await (await app.request("/readyz")).json(), { status: "ready" });
  const res = await app.request("/v1/models");
  assert.equal(res.status, 200);
  const { models, limits } = await res.json();
  const defaults = models.filter((m: { default: boolean }) => m.default);
  assert.deepEqual(
    defaults.map((m: { task: string; name: string }) => `${m.task}:${m.name}`),
    ["wsd:extended-lesk", "similarity:lexical"],
  );
  assert.ok(models.every((m: { kind: string }) => m.kind === "knowledge-based"));
  assert.equal(limits.maxTexts, DEFAULT_LIMITS.maxTexts);
});

Deno.test("POST /v1/wsd gives each word its offsets, lemma, sense and gloss, and names the model", async () => {
  const app = await sharedApp();
  const res = await post(app, "/v1/wsd", { texts: [BANK, "The bank raised its interest rates."] });
  assert.equal(res.status, 200);
  const out = await res.json();
  assert.equal(out.model, "extended-lesk");
  assert.equal(out.wordnet, "3.1");
  assert.equal(out.texts.length, 2);
  const tokens: Token[] = out.texts[0].tokens;
  for (const t of tokens) assert.equal(BANK.slice(t.start, t.end), t.text);
  const bank = tokens.find((t) => t.text === "bank")!;
  assert.equal(bank.senseKey, "bank%1:17:01::");
  assert.match(bank.gloss!, /sloping land/);
  const money = (out.texts[1].tokens as Token[]).find((t) => t.text === "bank")!;
  assert.notEqual(money.senseKey, "bank%1:17:01::");
  // first-sense answers through the same route when asked by name
  const first = await (await post(app, "/v1/wsd", { texts: [BANK], model: "first-sense" })).json();
  assert.equal(first.model, "first-sense");
});

Deno.test("POST /v1/wsd answers one long text exactly as the whole-text knowledge-based method", async () => {
  const { disambiguateText } = await import("@cohesive/lexical");
  const wn = await sharedWordNet();
  const app = await sharedApp();
  const text = Array.from(
    { length: 60 },
    (_, i) =>
      i % 2 ? `The bank raised rate number ${i}!` : `She walked along the river bank at dawn ${i}.`,
  ).join(
    " ",
  );
  const out = await (await post(app, "/v1/wsd", { texts: [text] })).json();
  const want = disambiguateText(text, wn).map((t) => [t.start, t.end, t.senseKey]);
  assert.deepEqual(out.texts[0].tokens.map((t: Token) => [t.start, t.end, t.senseKey]), want);
});

Deno.test("POST /v1/wsd with format amuse gives AMuSE-WSD tokens with WordNet 3.0 ids and NLTK names", async () => {
  const app = await sharedApp();
  const out = await (await post(app, "/v1/wsd", { texts: [BANK], format: "amuse" })).json();
  assert.equal(out.format, "amuse");
  const tokens = out.texts[0].tokens;
  assert.deepEqual(Object.keys(tokens[0]).sort(), [
    "index",
    "lemma",
    "nltkSynset",
    "pos",
    "text",
    "wnSynsetOffset",
  ]);
  assert.deepEqual(
    tokens.map((t: { index: number }) => t.index),
    tokens.map((_: unknown, i: number) => i),
  );
  const by = (w: string) => tokens.find((t: { text: string }) => t.text === w);
  assert.deepEqual([by("He").pos, by("He").wnSynsetOffset, by("He").nltkSynset], [
    "PRON",
    "O",
    "O",
  ]);
  assert.deepEqual([by("the").pos, by(".").pos], ["DET", "PUNCT"]);
  assert.deepEqual([by("bank").pos, by("bank").nltkSynset], ["NOUN", "bank.n.01"]);
  assert.deepEqual([by("sat").lemma, by("sat").pos, by("sat").nltkSynset], [
    "sit",
    "VERB",
    "sit.v.01",
  ]);
  if (out.wordnet === "3.0") {
    assert.equal(by("bank").wnSynsetOffset, "9213565n"); // AMuSE writes no zero padding
    assert.equal(by("sat").wnSynsetOffset, "1543123v"); // 3.1 has 01545905v
  }
});

Deno.test("POST /api/model takes AMuSE-WSD's request body and answers its bare array", async () => {
  const app = await sharedApp();
  const res = await post(app, "/api/model", [{ text: BANK, lang: "EN" }, { text: "Dogs bark." }]);
  assert.equal(res.status, 200);
  assert.equal(res.headers.get("x-cohesive-model"), "extended-lesk");
  assert.ok(res.headers.get("x-wordnet-version"));
  const out = await res.json();
  assert.ok(Array.isArray(out));
  assert.equal(out.length, 2);
  assert.equal(out[1].tokens[0].text, "Dogs");
  const bad = await post(app, "/api/model", [{ text: BANK, lang: "IT" }]);
  assert.equal(bad.status, 400);
  assert.match((await bad.json()).error, /EN/);
});

Deno.test("POST /v1/similarity scores synonyms above unrelated text and has no paraphrase without a model", async () => {
  const app = await sharedApp();
  const res = await post(app, "/v1/similarity", {
    pairs: [
      { a: "I bought a new car.", b: "I purchased a new automobile." },
      { a: "I bought a new car.", b: "The weather is cold today." },
      { a: "The cat sat on the mat.", b: "The cat sat on the mat." },
    ],
  });
  assert.equal(res.status, 200);
  const out = await res.json();
  assert.equal(out.model, "lexical");
  assert.equal(out.paraphraseModel, null);
  const [syn, unrelated, same] = out.results;
  assert.ok(syn.score > 0.3 && unrelated.score < 0.1, JSON.stringify(out.results));
  assert.ok(Math.abs(same.score - 1) < 1e-3);
  assert.equal(syn.paraphrase, null);
});

Deno.test("POST /v1/plagiarism aligns copied sentences and judges copied, reworded and original texts", async () => {
  const app = await sharedApp();
  const source = "Photosynthesis converts light into chemical energy in plants. " +
    "The process takes place in the chloroplasts. Oxygen is released as a by-product.";
  const copied = "Oxygen is released as a by-product. " +
    "Photosynthesis converts light into chemical energy in plants.";
  const out = await (await post(app, "/v1/plagiarism", {
    suspicious: copied,
    sources: ["An unrelated source about the stock market.", source],
  })).json();
  assert.equal(out.model, "lexical");
  assert.equal(out.verdict, "plagiarised");
  assert.equal(out.pairs.length, 2);
  assert.deepEqual(out.sentences, { suspicious: 2, sources: [1, 3] });
  for (const p of out.pairs) {
    assert.equal(p.source.document, 1);
    assert.equal(copied.slice(p.suspicious.start, p.suspicious.end), p.suspicious.text);
    assert.equal(source.slice(p.source.start, p.source.end), p.source.text);
    assert.ok(p.score > 0.99);
  }
  assert.deepEqual(out.pairs.map((p: { source: { index: number } }) => p.source.index), [2, 0]);
  const original = await (await post(app, "/v1/plagiarism", {
    suspicious: "My grandmother grows tomatoes in her garden every summer.",
    sources: [source],
  })).json();
  assert.deepEqual([original.verdict, original.pairs.length, original.score], ["original", 0, 0]);
});

Deno.test("POST /v1/plagiarism handles documents of a few pages within the limits", async () => {
  const { wordnetText } = await import("@cohesive/lexical");
  const app = await sharedApp();
  const ex = (await wordnetText()).examples.map((e) =>
    e.text.replace(/^./, (c) => c.toUpperCase())
  );
  const doc = (from: number) => ex.slice(from, from + 160).map((s) => `${s}.`).join(" ");
  const source = doc(5000);
  const suspicious = doc(9000).slice(0, 6000) + " " + source.slice(0, 6000); // half copied
  assert.ok(suspicious.length > 10_000);
  const t0 = performance.now();
  const res = await post(app, "/v1/plagiarism", { suspicious, sources: [source, doc(20000)] });
  const ms = performance.now() - t0;
  assert.equal(res.status, 200);
  const out = await res.json();
  assert.ok(out.coverage > 0.35 && out.coverage < 0.8, `coverage ${out.coverage}`);
  assert.notEqual(out.verdict, "original");
  console.log(`  ${suspicious.length} chars against 2 sources in ${ms.toFixed(0)} ms`);
});

Deno.test("every request example of the OpenAPI document gets its documented 200", async () => {
  const app = await sharedApp();
  const doc = await (await app.request("/openapi.json")).json();
  assert.equal(doc.openapi, "3.1.0");
  assert.deepEqual(doc, JSON.parse(JSON.stringify(openApiDocument(DEFAULT_LIMITS))));
  let checked = 0;
  for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, unknown>>)) {
    for (const [method, op] of Object.entries(ops)) {
      const example = (op as { requestBody?: { content: Record<string, { example: unknown }> } })
        .requestBody?.content["application/json"].example;
      const res = method === "post"
        ? await post(app, path, example)
        : await app.request(path, { method: method.toUpperCase() });
      assert.equal(res.status, 200, `${method} ${path}`);
      await res.body?.cancel();
      checked++;
    }
  }
  assert.equal(checked, 9);
});

Deno.test("client mistakes get a 4xx JSON error naming the problem", async () => {
  const app = await sharedApp();
  const cases: [string, Promise<Response> | Response, number, RegExp][] = [
    ["bad JSON", post(app, "/v1/wsd", "{texts: [}"), 400, /not valid JSON/],
    ["empty body", post(app, "/v1/wsd", ""), 400, /empty body/],
    ["not an object", post(app, "/v1/wsd", [1, 2]), 400, /must be a JSON object/],
    ["missing field", post(app, "/v1/wsd", {}), 400, /missing field "texts"/],
    ["wrong type", post(app, "/v1/wsd", { texts: "hello" }), 400, /must be an array/],
    ["wrong item type", post(app, "/v1/wsd", { texts: [42] }), 400, /texts\[0\] must be a string/],
    ["empty text", post(app, "/v1/wsd", { texts: ["  "] }), 400, /texts\[0\] is empty/],
    ["no texts", post(app, "/v1/wsd", { texts: [] }), 400, /"texts" is empty/],
    [
      "unknown field",
      post(app, "/v1/wsd", { texts: ["a"], lang: "en" }),
      400,
      /unknown field "lang"/,
    ],
    ["bad format", post(app, "/v1/wsd", { texts: ["a"], format: "xml" }), 400, /"format"/],
    [
      "unknown model",
      post(app, "/v1/wsd", { texts: ["a"], model: "gpt" }),
      404,
      /unknown WSD model "gpt"/,
    ],
    [
      "similarity model for WSD",
      post(app, "/v1/wsd", { texts: ["a"], model: "lexical" }),
      404,
      /available: extended-lesk/,
    ],
    ["huge text", post(app, "/v1/wsd", { texts: ["a".repeat(10_001)] }), 413, /limit is 10000/],
    ["too many texts", post(app, "/v1/wsd", { texts: Array(65).fill("a") }), 413, /limit is 64/],
    ["huge body", post(app, "/v1/wsd", "x".repeat(3 << 20)), 413, /larger than/],
    [
      "not JSON",
      post(app, "/v1/wsd", "texts=a", { "content-type": "text/plain" }),
      415,
      /application\/json/,
    ],
    ["bad UTF-8", post(app, "/v1/wsd", new Uint8Array([0x7b, 0xff, 0x7d])), 400, /UTF-8/],
    [
      "pair not object",
      post(app, "/v1/similarity", { pairs: [["a", "b"]] }),
      400,
      /pairs\[0\] must be a JSON object/,
    ],
    [
      "pair missing b",
      post(app, "/v1/similarity", { pairs: [{ a: "x" }] }),
      400,
      /missing field "b"/,
    ],
    [
      "threshold",
      post(app, "/v1/plagiarism", { suspicious: "a", sources: ["b"], threshold: 2 }),
      400,
      /threshold/,
    ],
    [
      "sources type",
      post(app, "/v1/plagiarism", { suspicious: "a", sources: "b" }),
      400,
      /"sources" must be an array/,
    ],
    [
      "too many chars",
      post(app, "/v1/plagiarism", { suspicious: "a", sources: Array(6).fill("b".repeat(50_000)) }),
      413,
      /together/,
    ],
    ["wrong method", app.request("/v1/wsd"), 405, /use POST/],
    ["no route", app.request("/v2/nothing"), 404, /no route GET \/v2\/nothing/],
  ];
  for (const [name, pending, status, message] of cases) {
    const res = await pending;
    assert.equal(res.status, status, name);
    assert.match(res.headers.get("content-type") ?? "", /application\/json/, name);
    const body = await res.json();
    assert.match(body.error, message, `${name}: ${body.error}`);
  }
  assert.equal((await app.request("/healthz", { method: "POST" })).headers.get("allow"), "GET");
});

Deno.test("a server still loading answers 503 with Retry-After, and a draining one turns not-ready", async () => {
  const state = new ServeState();
  const app = createApp({ state });
  assert.equal((await app.request("/healthz")).status, 200);
  const ready = await app.request("/readyz");
  assert.deepEqual([ready.status, (await ready.json()).status], [503, "loading"]);
  const wsd = await post(app, "/v1/wsd", { texts: ["a"] });
  assert.equal(wsd.status, 503);
  assert.equal(wsd.headers.get("retry-after"), "1");
  assert.match((await wsd.json()).error, /loading/);
  state.setEngines(await sharedEngines());
  assert.equal((await app.request("/readyz")).status, 200);
  assert.equal((await post(app, "/v1/wsd", { texts: ["a"] })).status, 200);
  state.drain();
  const draining = await app.request("/readyz");
  assert.deepEqual([draining.status, (await draining.json()).status], [503, "draining"]);
});

Deno.test("a neural model answers similarity and paraphrase probability and names itself", async () => {
  await initRuntime({ backend: "cpu", quiet: true });
  const dir = join(await ensureFixtures(), "tiny-bert");
  // a run folder whose latest.json names its newest checkpoint
  const run = await Deno.makeTempDir({ prefix: "serve-run-" });
  try {
    await Deno.symlink(dir, join(run, "checkpoint-5"));
    await Deno.writeTextFile(
      join(run, "latest.json"),
      JSON.stringify({ checkpoint: "checkpoint-5" }),
    );
    const neural = await BertSimilarityEngine.load(run, { threshold: 0.5 });
    assert.equal(neural.name, basenameOf(run));
    // A run's selected `best/` folder is named with its run.
    await Deno.symlink(dir, join(run, "best"));
    const best = await BertSimilarityEngine.load(join(run, "best"));
    assert.equal(best.name, `${basenameOf(run)}/best`);
    best.dispose();
    const wn = await sharedWordNet();
    const base = knowledgeEngines(wn);
    const engines: Engines = { wsd: base.wsd, similarity: [neural, ...base.similarity] };
    const app = createApp({ engines });
    const out = await (await post(app, "/v1/similarity", {
      pairs: [{ a: "the bank of the river", b: "the bank of the river" }, {
        a: "the bank of the river",
        b: "money was made",
      }],
    })).json();
    assert.equal(out.model, neural.name);
    assert.equal(out.paraphraseModel, neural.name);
    assert.ok(Math.abs(out.results[0].score - 1) < 1e-3);
    assert.ok(out.results[1].score < out.results[0].score);
    for (const r of out.results) assert.ok(r.paraphrase >= 0 && r.paraphrase <= 1);
    const lexical = await (await post(app, "/v1/similarity", {
      pairs: [{ a: "a river", b: "a river" }],
      model: "lexical",
    })).json();
    assert.deepEqual([lexical.model, lexical.paraphraseModel], ["lexical", null]);
    const plag = await (await post(app, "/v1/plagiarism", {
      suspicious: "The bank of the river. Money was made.",
      sources: ["The bank of the river."],
    })).json();
    assert.equal(plag.model, neural.name);
    assert.equal(plag.pairs[0].suspicious.index, 0);
    assert.ok(plag.pairs[0].paraphrase >= 0 && plag.pairs[0].paraphrase <= 1);
    const models = (await (await app.request("/v1/models")).json()).models;
    assert.deepEqual(
      models.filter((m: { default: boolean }) => m.default).map((m: { kind: string }) => m.kind),
      ["knowledge-based", "neural"],
    );
    neural.dispose();
  } finally {
    await Deno.remove(run, { recursive: true });
  }
});

function basenameOf(p: string): string {
  return p.split("/").filter(Boolean).pop()!;
}

Deno.test("a model folder with a sense table serves WSD by nearest sense and says so", async () => {
  await initRuntime({ backend: "cpu", quiet: true });
  const fx = join(await ensureFixtures(), "tiny-bert");
  const ck = await loadCheckpoint(fx);
  const model = BertModel.fromWeights(ck.config, ck.weights);
  const tok = WordPieceTokenizer.fromVocab(ck.vocab!);
  // Two tagged sentences: bank by the river and bank with the money.
  const words = [
    BANK.slice(0, -1).split(" ").concat("."),
    "The bank raised its rates .".split(" "),
  ];
  const xml = `<corpus lang="en" source="t"><text id="d0">${
    words.map((ws, s) =>
      `<sentence id="d0.s${s}">${
        ws.map((w) =>
          w === "bank"
            ? `<instance id="d0.s${s}.t0" lemma="bank" pos="NOUN">bank</instance>`
            : `<wf lemma="${w}" pos="X">${w}</wf>`
        ).join("")
      }</sentence>`
    ).join("")
  }</text></corpus>`;
  const keys = new Map([["d0.s0.t0", ["bank%1:17:01::"]], ["d0.s1.t0", ["bank%1:14:00::"]]]);
  const table = await buildSenseTable(model, tok, [{ corpus: parseRaganatoXml(xml), keys }], {
    source: "t",
  });
  model.dispose();
  const dir = await Deno.makeTempDir({ prefix: "serve-senses-" });
  try {
    await saveCheckpoint(dir, { config: ck.config, weights: ck.weights, vocab: ck.vocab! });
    await writeSenseTable(dir, table);
    const engines = await loadEngines({ models: [dir], wordnet: "3.1", backend: "cpu" });
    const app = createApp({ engines });
    const name = basenameOf(dir);
    const out = await (await post(app, "/v1/wsd", { texts: [BANK], model: name })).json();
    assert.equal(out.model, name);
    const bank = (out.texts[0].tokens as Token[]).find((t) => t.text === "bank")!;
    assert.equal(bank.senseKey, "bank%1:17:01::"); // its own context is nearest its own sense
    assert.equal(bank.model, name);
    const models = (await (await app.request("/v1/models")).json()).models;
    const wsd = models.find((m: { task: string; name: string }) =>
      m.task === "wsd" && m.name === name
    );
    assert.match(wsd.description, /^nearest sense \(sense embeddings of 2 senses from t\)$/);
    assert.equal(wsd.details.senses, 2);
    for (const e of [...engines.wsd, ...engines.similarity]) e.dispose?.();
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
