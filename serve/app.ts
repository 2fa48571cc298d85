/**
 * The Hono app: routes, validation, and one `onError` that maps domain errors to HTTP codes.
 * It holds no per-client state, so any number of replicas can run behind a load balancer.
 * `serve/main.ts` starts it; tests call `app.request()` without a socket.
 *
 * @module
 */
import { Hono } from "hono";
import { cors } from "hono/cors";
import { type DisambiguatedToken, WordNet } from "@cohesive/lexical";
import { AmuseConverter } from "./amuse.ts";
import { DEMO_HTML } from "./demo_page.ts";
import { type Engines, listModels, pickEngine } from "./engines.ts";
import { httpStatusOf, MethodNotAllowedError, NotReadyError } from "./errors.ts";
import { openApiDocument } from "./openapi.ts";
import { WorkerPool, type WorkerPoolOptions } from "./worker_pool.ts";
import { detectPlagiarism, splitDocuments } from "./plagiarism.ts";
import {
  checkPlagiarismWork,
  parseAmuseRequest,
  parsePlagiarismRequest,
  parseSimilarityRequest,
  parseWsdRequest,
  readJsonBody,
  resolveLimits,
  type ServeLimits,
} from "./request.ts";

/** Options of {@link ServeState}. */
export interface ServeStateOptions {
  /** The models, when already loaded (else call {@link ServeState.setEngines} later). */
  engines?: Engines;
  /** Limits over {@link import("./request.ts").DEFAULT_LIMITS}. */
  limits?: Partial<ServeLimits>;
  /** Workers for CPU-heavy work (default: one less than the cores, from 1 to 4). */
  pool?: WorkerPoolOptions;
  /**
   * Provides WordNet 3.0 for AMuSE-shaped answers when the served inventory is another version.
   * Default: `WordNet.wordnet30()`, or `undefined` (ids of the served inventory) when absent.
   */
  amuseWordNet?: () => Promise<WordNet | undefined>;
}

/** What a server knows at run time: its models (once loaded), its limits, whether it drains. */
export class ServeState {
  /** The request limits. */
  readonly limits: ServeLimits;
  /** Workers for CPU-heavy work (they start on first use and stop when idle). */
  readonly pool: WorkerPool;
  #engines: Engines | undefined;
  #loadError: string | undefined;
  #draining = false;
  #amuseWordNet: () => Promise<WordNet | undefined>;
  #amuse30: Promise<WordNet | undefined> | undefined;
  readonly #converters = new Map<WordNet, AmuseConverter>();

  /** Create the state; without `engines` the server answers 503 until {@link setEngines}. */
  constructor(options: ServeStateOptions = {}) {
    this.limits = resolveLimits(options.limits);
    this.pool = new WorkerPool(new URL("./evidence_worker.ts", import.meta.url), options.pool);
    this.#engines = options.engines;
    this.#amuseWordNet = options.amuseWordNet ??
      (() => WordNet.wordnet30().catch(() => undefined));
  }

  /** The models, or `undefined` while loading. */
  get engines(): Engines | undefined {
    return this.#engines;
  }

  /** Whether the server is shutting down. */
  get draining(): boolean {
    return this.#draining;
  }

  /** Why loading failed, if it did. */
  get loadError(): string | undefined {
    return this.#loadError;
  }

  /** The models are loaded: the server is ready. */
  setEngines(engines: Engines): void {
    this.#engines = engines;
  }

  /** Loading failed: readiness reports `message`. */
  setLoadError(message: string): void {
    this.#loadError = message;
  }

  /** Shutting down: readiness turns 503 so load balancers stop sending requests. */
  drain(): void {
    this.#draining = true;
  }

  /**
   * The models.
   *
   * @throws {NotReadyError} while they are loading or when loading failed.
   */
  requireEngines(): Engines {
    if (this.#engines) return this.#engines;
    throw new NotReadyError(
      this.#loadError
        ? `models failed to load: ${this.#loadError}`
        : "models are loading; retry shortly",
    );
  }

  /** The AMuSE converter for senses chosen in `wn` (WordNet 3.0 ids when available). */
  async amuseConverter(wn: WordNet): Promise<AmuseConverter> {
    let conv = this.#converters.get(wn);
    if (!conv) {
      let target = wn;
      if (wn.version !== "3.0") {
        this.#amuse30 ??= this.#amuseWordNet();
        target = (await this.#amuse30) ?? wn;
      }
      conv = new AmuseConverter(wn, target);
      this.#converters.set(wn, conv);
    }
    return conv;
  }
}

/** The app as callers use it (a Hono app). */
export interface ServeApp {
  /** Answer one request: what `Deno.serve` calls. */
  fetch(request: Request): Response | Promise<Response>;
  /** Answer a request given as a path, URL or `Request`, without a socket (tests). */
  request(input: string | URL | Request, init?: RequestInit): Response | Promise<Response>;
}

/** Options of {@link createApp}. */
export interface AppOptions extends ServeStateOptions {
  /** The state to serve (else one is made from `engines`, `limits` and `amuseWordNet`). */
  state?: ServeState;
  /**
   * Browser origins allowed to call the API (CORS), e.g. `["https://app.example"]`, or `["*"]`
   * for any. Default: none (no CORS headers; preflights get 204 without them).
   */
  cors?: readonly string[];
}

function round(x: number | null): number | null {
  return x === null ? null : Math.round(x * 1e4) / 1e4;
}

function roundToken(t: DisambiguatedToken): DisambiguatedToken {
  return t.score === null ? t : { ...t, score: round(t.score) };
}

const ROUTES: Record<string, string> = {
  "/": "GET",
  "/openapi.json": "GET",
  "/healthz": "GET",
  "/readyz": "GET",
  "/v1/models": "GET",
  "/v1/wsd": "POST",
  "/v1/similarity": "POST",
  "/v1/plagiarism": "POST",
  "/api/model": "POST",
};

/**
 * Build the app.
 *
 * @example
 * ```ts
 * import assert from "node:assert/strict";
 * import { createApp, knowledgeEngines } from "@cohesive/serve";
 * import { WordNet } from "@cohesive/lexical";
 * const app = createApp({ engines: knowledgeEngines(await WordNet.load()) });
 * const res = await app.request("/v1/wsd", {
 *   method: "POST",
 *   headers: { "content-type": "application/json" },
 *   body: JSON.stringify({ texts: ["He sat on the bank of the river."] }),
 * });
 * const out = await res.json();
 * const bank = out.texts[0].tokens.find((t: { text: string }) => t.text === "bank");
 * assert.deepEqual([out.model, bank.senseKey], ["extended-lesk", "bank%1:17:01::"]);
 * ```
 */
export function createApp(options: AppOptions = {}): ServeApp {
  const state = options.state ?? new ServeState(options);
  const limits = state.limits;
  const app = new Hono();
  const body = (req: Request) => readJsonBody(req, limits.maxBodyBytes, limits.bodyTimeoutMs);

  app.onError((err, c) => {
    const status = httpStatusOf(err);
    if (status >= 500 && status !== 503) {
      console.error(`error: ${c.req.method} ${c.req.path}:`, err);
      return c.json({ error: "internal server error" }, 500);
    }
    if (err instanceof MethodNotAllowedError) c.header("Allow", err.allow);
    if (status === 503) c.header("Retry-After", "1");
    if (status === 408) c.header("Connection", "close");
    // deno-lint-ignore no-explicit-any -- Hono types status codes as a literal union
    return c.json({ error: err.message }, status as any);
  });

  app.notFound((c) =>
    c.json(
      { error: `no route ${c.req.method} ${c.req.path.slice(0, 200)}; see /openapi.json` },
      404,
    )
  );

  if (options.cors?.length) {
    const any = options.cors.includes("*");
    app.use(
      "*",
      cors({
        origin: any ? "*" : [...options.cors],
        allowMethods: ["GET", "POST", "OPTIONS"],
        allowHeaders: ["Content-Type"],
        exposeHeaders: ["X-Cohesive-Model", "X-WordNet-Version", "Retry-After"],
        maxAge: 600,
      }),
    );
  }
  for (const [path, allow] of Object.entries(ROUTES)) {
    app.options(path, (c) => {
      c.header("Allow", `${allow}, OPTIONS`);
      return c.body(null, 204);
    });
  }

  app.get("/", (c) => c.html(DEMO_HTML));
  app.get("/openapi.json", (c) => c.json(openApiDocument(limits)));
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", (c) => {
    if (state.draining) return c.json({ status: "draining", error: "shutting down" }, 503);
    if (state.loadError) return c.json({ status: "failed", error: state.loadError }, 503);
    if (!state.engines) return c.json({ status: "loading", error: "models are loading" }, 503);
    return c.json({ status: "ready" });
  });
  app.get("/v1/models", (c) => c.json({ models: listModels(state.requireEngines()), limits }));

  app.post("/v1/wsd", async (c) => {
    const engines = state.requireEngines();
    const req = parseWsdRequest(await body(c.req.raw), limits);
    const engine = pickEngine(engines.wsd, req.model, "WSD");
    const results = await engine.disambiguate(req.texts, c.req.raw.signal);
    if (req.format === "amuse") {
      const conv = await state.amuseConverter(engine.wordnet);
      return c.json({
        model: engine.name,
        wordnet: conv.target.version,
        format: "amuse",
        texts: results.map((r) => ({ tokens: conv.convert(r.tokens) })),
      });
    }
    return c.json({
      model: engine.name,
      wordnet: engine.wordnet.version,
      format: "cohesive",
      texts: results.map((r) => ({ tokens: r.tokens.map(roundToken) })),
    });
  });

  app.post("/api/model", async (c) => {
    const engines = state.requireEngines();
    const texts = parseAmuseRequest(await body(c.req.raw), limits);
    const engine = engines.wsd[0];
    const results = await engine.disambiguate(texts, c.req.raw.signal);
    const conv = await state.amuseConverter(engine.wordnet);
    c.header("X-Cohesive-Model", engine.name);
    c.header("X-WordNet-Version", conv.target.version);
    return c.json(results.map((r) => ({ tokens: conv.convert(r.tokens) })));
  });

  app.post("/v1/similarity", async (c) => {
    const engines = state.requireEngines();
    const req = parseSimilarityRequest(await body(c.req.raw), limits);
    const engine = pickEngine(engines.similarity, req.model, "similarity");
    const signal = c.req.raw.signal;
    const [scores, para] = await Promise.all([
      engine.similarity(req.pairs, signal),
      engine.paraphrase(req.pairs, signal),
    ]);
    return c.json({
      model: engine.name,
      paraphraseModel: engine.paraphraseModel,
      results: scores.map((s, i) => ({
        score: round(s),
        paraphrase: para ? round(para[i]) : null,
      })),
    });
  });

  app.post("/v1/plagiarism", async (c) => {
    const engines = state.requireEngines();
    const req = parsePlagiarismRequest(await body(c.req.raw), limits);
    const engine = pickEngine(engines.similarity, req.model, "similarity");
    const split = splitDocuments(req.suspicious, req.sources, limits.maxSentences);
    checkPlagiarismWork(split.suspicious.length, split.sources.length, limits);
    return c.json(
      await detectPlagiarism(split, req.sources, engine, {
        threshold: req.threshold,
        signal: c.req.raw.signal,
        pool: state.pool,
      }),
    );
  });

  for (const [path, allow] of Object.entries(ROUTES)) {
    app.all(path, (c) => {
      throw new MethodNotAllowedError(c.req.method, path, allow);
    });
  }
  return app;
}
