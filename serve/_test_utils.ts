/**
 * Shared helpers for serve's tests: one WordNet and one set of knowledge-based engines per test
 * process, and a JSON POST helper.
 *
 * @module
 */
import { WordNet } from "@cohesive/lexical";
import { createApp, type ServeApp } from "./app.ts";
import { type Engines, knowledgeEngines } from "./engines.ts";

let wordnet: Promise<WordNet> | undefined;
let engines: Promise<Engines> | undefined;
let app: Promise<ServeApp> | undefined;

/** The default WordNet (3.1), loaded once. */
export function sharedWordNet(): Promise<WordNet> {
  return wordnet ??= WordNet.load();
}

/** The knowledge-based engines, made once. */
export function sharedEngines(): Promise<Engines> {
  return engines ??= sharedWordNet().then((wn) => knowledgeEngines(wn));
}

/** An app over {@link sharedEngines} with the default limits, made once. */
export function sharedApp(): Promise<ServeApp> {
  return app ??= sharedEngines().then((e) => createApp({ engines: e }));
}

/** POST `body` (JSON-encoded unless a string) to `path` of `app`. */
export function post(
  app: ServeApp,
  path: string,
  body: unknown,
  headers: Record<string, string> = { "content-type": "application/json" },
): Promise<Response> {
  return Promise.resolve(app.request(path, {
    method: "POST",
    headers,
    body: typeof body === "string"
      ? body
      : body instanceof Uint8Array
      ? new Blob([body as Uint8Array<ArrayBuffer>])
      : JSON.stringify(body),
  }));
}
