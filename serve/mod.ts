/**
 * @cohesive/serve: a Hono server for WSD, similarity and plagiarism queries, with a demo page.
 * `createApp` builds the app (test it with `app.request()`), `startServer` serves it with
 * graceful shutdown, `loadEngines` loads the models (knowledge-based ones always, so a fresh
 * machine answers). Run it with `deno task serve`.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createApp, knowledgeEngines } from "@cohesive/serve";
 * import { WordNet } from "@cohesive/lexical";
 * const app = createApp({ engines: knowledgeEngines(await WordNet.load()) });
 * const res = await app.request("/healthz");
 * assert.equal(res.status, 200);
 * ```
 *
 * @module
 */
export * from "./app.ts";
export * from "./amuse.ts";
export * from "./batcher.ts";
export * from "./bert_engine.ts";
export * from "./demo_page.ts";
export * from "./engines.ts";
export * from "./errors.ts";
export * from "./evidence.ts";
export * from "./lru.ts";
export * from "./openapi.ts";
export * from "./plagiarism.ts";
export * from "./request.ts";
export * from "./schema.ts";
export * from "./sentences.ts";
export * from "./server.ts";
export * from "./similarity_engine.ts";
export * from "./worker_pool.ts";
export * from "./wsd_engine.ts";
