/**
 * Request limits, body reading and validation. Every client mistake becomes a domain error with
 * a message that says what to fix: {@link BadRequestError} (400), {@link PayloadTooLargeError}
 * (413), {@link UnsupportedMediaTypeError} (415). Unknown fields are errors, not ignored, so a
 * misspelt option never silently does nothing.
 *
 * @module
 */
import {
  BadRequestError,
  PayloadTooLargeError,
  RequestTimeoutError,
  UnsupportedMediaTypeError,
} from "./errors.ts";

/** The server's request limits; beyond them the answer is 413. */
export interface ServeLimits {
  /** Largest request body, in bytes. */
  maxBodyBytes: number;
  /** Most texts in one `/v1/wsd` request (or AMuSE-style request). */
  maxTexts: number;
  /** Longest WSD text, and longest side of a similarity pair, in characters (UTF-16 units). */
  maxTextChars: number;
  /** Most pairs in one `/v1/similarity` request. */
  maxPairs: number;
  /** Longest plagiarism document (the suspicious text, each source), in characters. */
  maxDocumentChars: number;
  /** Most sources in one `/v1/plagiarism` request. */
  maxSources: number;
  /** Most characters in one `/v1/plagiarism` request, all documents together. */
  maxPlagiarismChars: number;
  /**
   * Most units of alignment work in one `/v1/plagiarism` request: suspicious sentences × source
   * sentences (all sources together).
   */
  maxSentencePairs: number;
  /** Most sentences in one `/v1/plagiarism` request, all documents together. */
  maxSentences: number;
  /** Longest time to receive a request body, in ms; a slower body gets 408. */
  bodyTimeoutMs: number;
}

/** The default limits: about 15 pages per plagiarism document. */
export const DEFAULT_LIMITS: Readonly<ServeLimits> = Object.freeze({
  maxBodyBytes: 2 * 1024 * 1024,
  maxTexts: 64,
  maxTextChars: 10_000,
  maxPairs: 64,
  maxDocumentChars: 50_000,
  maxSources: 16,
  maxPlagiarismChars: 250_000,
  maxSentencePairs: 1_000_000,
  maxSentences: 2_000,
  bodyTimeoutMs: 30_000,
});

/** The output shapes of `/v1/wsd`. */
export type WsdFormat = "cohesive" | "amuse";

/** A validated `/v1/wsd` request. */
export interface WsdRequest {
  /** The texts. */
  texts: string[];
  /** The model, when named. */
  model?: string;
  /** The output shape. */
  format: WsdFormat;
}

/** A validated `/v1/similarity` request. */
export interface SimilarityRequest {
  /** The pairs. */
  pairs: [string, string][];
  /** The model, when named. */
  model?: string;
}

/** A validated `/v1/plagiarism` request. */
export interface PlagiarismRequest {
  /** The suspicious text. */
  suspicious: string;
  /** The source texts. */
  sources: string[];
  /** The model, when named. */
  model?: string;
  /** The alignment threshold, when given. */
  threshold?: number;
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The decoder for the `charset` of a `Content-Type` (UTF-8 when none is given).
 *
 * @throws {UnsupportedMediaTypeError} for a charset the server cannot decode.
 */
export function decoderFor(contentType: string | null): TextDecoder {
  const m = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? "");
  if (!m) return utf8;
  try {
    return new TextDecoder(m[1], { fatal: true });
  } catch {
    throw new UnsupportedMediaTypeError(
      `unsupported charset "${m[1].slice(0, 40)}" in Content-Type; send UTF-8 or a charset ` +
        `of the WHATWG Encoding Standard (e.g. utf-8, iso-8859-1, windows-1252, utf-16le)`,
    );
  }
}

/**
 * Read a JSON body of at most `maxBytes` bytes, received within `timeoutMs`.
 *
 * @throws {UnsupportedMediaTypeError} when `Content-Type` is given and is not JSON.
 * @throws {PayloadTooLargeError} when the body is larger than `maxBytes`.
 * @throws {RequestTimeoutError} when the body takes longer than `timeoutMs`.
 * @throws {BadRequestError} when the body is empty, not UTF-8 or not JSON.
 */
export async function readJsonBody(
  req: Request,
  maxBytes: number,
  timeoutMs = DEFAULT_LIMITS.bodyTimeoutMs,
): Promise<unknown> {
  const type = req.headers.get("content-type");
  if (type !== null && !/^\s*application\/([\w.+-]+\+)?json\s*(;|$)/i.test(type)) {
    throw new UnsupportedMediaTypeError(
      `Content-Type must be application/json (got "${type.slice(0, 80)}")`,
    );
  }
  const decoder = decoderFor(type);
  const declared = Number(req.headers.get("content-length") ?? NaN);
  const tooLarge = () => new PayloadTooLargeError(`request body is larger than ${maxBytes} bytes`);
  if (declared > maxBytes) throw tooLarge();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (req.body) {
    const reader = req.body.getReader();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const late = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(
            new RequestTimeoutError(`the request body took longer than ${timeoutMs} ms to arrive`),
          ),
        timeoutMs,
      );
    });
    try {
      for (;;) {
        const { done, value } = await Promise.race([reader.read(), late]);
        if (done) break;
        size += value.length;
        if (size > maxBytes) throw tooLarge();
        chunks.push(value);
      }
    } catch (e) {
      if (e instanceof PayloadTooLargeError || e instanceof RequestTimeoutError) {
        reader.cancel().catch(() => {});
        throw e;
      }
      throw new BadRequestError(`could not read the request body: ${(e as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
  }
  if (size === 0) throw new BadRequestError("empty body: send a JSON object");
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) bytes.set(c, (at += c.length) - c.length);
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    throw new BadRequestError(
      `request body is not valid ${decoder.encoding === "utf-8" ? "UTF-8" : decoder.encoding}`,
    );
  }
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new BadRequestError(`request body is not valid JSON: ${(e as Error).message}`);
  }
}

function typeName(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
}

/** An object with only `allowed` keys. */
function object(v: unknown, what: string, allowed: readonly string[]): Record<string, unknown> {
  if (typeof v !== "object" || v === null || Array.isArray(v)) {
    throw new BadRequestError(`${what} must be a JSON object, not ${typeName(v)}`);
  }
  for (const k of Object.keys(v)) {
    if (!allowed.includes(k)) {
      throw new BadRequestError(
        `unknown field "${k.slice(0, 60)}" in ${what} (allowed: ${allowed.join(", ")})`,
      );
    }
  }
  return v as Record<string, unknown>;
}

/** A non-empty string of at most `max` characters. */
function text(v: unknown, what: string, max: number): string {
  if (typeof v !== "string") {
    throw new BadRequestError(`${what} must be a string, not ${typeName(v)}`);
  }
  if (v.trim() === "") throw new BadRequestError(`${what} is empty`);
  if (v.length > max) {
    throw new PayloadTooLargeError(`${what} has ${v.length} characters; the limit is ${max}`);
  }
  return v;
}

/** A non-empty array of at most `max` entries. */
function array(v: unknown, what: string, max: number): unknown[] {
  if (!Array.isArray(v)) throw new BadRequestError(`${what} must be an array, not ${typeName(v)}`);
  if (v.length === 0) throw new BadRequestError(`${what} is empty`);
  if (v.length > max) {
    throw new PayloadTooLargeError(`${what} has ${v.length} entries; the limit is ${max}`);
  }
  return v;
}

function model(v: unknown): string | undefined {
  if (v === undefined) return undefined;
  if (typeof v !== "string" || v === "") {
    throw new BadRequestError(`"model" must be a non-empty string, not ${typeName(v)}`);
  }
  return v.slice(0, 200);
}

function required(o: Record<string, unknown>, key: string, what: string): unknown {
  if (!(key in o)) throw new BadRequestError(`missing field "${key}" in ${what}`);
  return o[key];
}

/** Validate a `/v1/wsd` body: `{texts, model?, format?}`. */
export function parseWsdRequest(body: unknown, limits: ServeLimits): WsdRequest {
  const o = object(body, "the request", ["texts", "model", "format"]);
  const texts = array(required(o, "texts", "the request"), '"texts"', limits.maxTexts)
    .map((t, i) => text(t, `texts[${i}]`, limits.maxTextChars));
  const format = o.format ?? "cohesive";
  if (format !== "cohesive" && format !== "amuse") {
    throw new BadRequestError(`"format" must be "cohesive" or "amuse"`);
  }
  return { texts, model: model(o.model), format };
}

/** Validate an AMuSE-WSD style body: `[{"text": "...", "lang": "EN"}, ...]`. */
export function parseAmuseRequest(body: unknown, limits: ServeLimits): string[] {
  return array(body, "the request", limits.maxTexts).map((d, i) => {
    const o = object(d, `document ${i}`, ["text", "lang"]);
    const lang = o.lang ?? "EN";
    if (typeof lang !== "string" || lang.toUpperCase() !== "EN") {
      throw new BadRequestError(`document ${i}: only "lang": "EN" is supported`);
    }
    return text(required(o, "text", `document ${i}`), `document ${i} "text"`, limits.maxTextChars);
  });
}

/** Validate a `/v1/similarity` body: `{pairs: [{a, b}], model?}`. */
export function parseSimilarityRequest(body: unknown, limits: ServeLimits): SimilarityRequest {
  const o = object(body, "the request", ["pairs", "model"]);
  const pairs = array(required(o, "pairs", "the request"), '"pairs"', limits.maxPairs).map(
    (p, i): [string, string] => {
      const q = object(p, `pairs[${i}]`, ["a", "b"]);
      return [
        text(required(q, "a", `pairs[${i}]`), `pairs[${i}].a`, limits.maxTextChars),
        text(required(q, "b", `pairs[${i}]`), `pairs[${i}].b`, limits.maxTextChars),
      ];
    },
  );
  return { pairs, model: model(o.model) };
}

/** Validate a `/v1/plagiarism` body: `{suspicious, sources, model?, threshold?}`. */
export function parsePlagiarismRequest(body: unknown, limits: ServeLimits): PlagiarismRequest {
  const o = object(body, "the request", ["suspicious", "sources", "model", "threshold"]);
  const suspicious = text(
    required(o, "suspicious", "the request"),
    '"suspicious"',
    limits.maxDocumentChars,
  );
  const sources = array(required(o, "sources", "the request"), '"sources"', limits.maxSources)
    .map((s, i) => text(s, `sources[${i}]`, limits.maxDocumentChars));
  const total = sources.reduce((n, s) => n + s.length, suspicious.length);
  if (total > limits.maxPlagiarismChars) {
    throw new PayloadTooLargeError(
      `the documents have ${total} characters together; the limit is ${limits.maxPlagiarismChars} ` +
        `(maxPlagiarismChars)`,
    );
  }
  const threshold = o.threshold;
  if (
    threshold !== undefined &&
    (typeof threshold !== "number" || !Number.isFinite(threshold) || threshold < 0 ||
      threshold > 1)
  ) {
    throw new BadRequestError(`"threshold" must be a number from 0 to 1`);
  }
  return { suspicious, sources, model: model(o.model), threshold };
}

/**
 * Check the work of a plagiarism request before any of it starts: sentences in all, and
 * suspicious sentences × source sentences.
 *
 * @throws {PayloadTooLargeError} naming the limit exceeded.
 */
export function checkPlagiarismWork(
  suspiciousSentences: number,
  sourceSentences: number,
  limits: ServeLimits,
): void {
  const total = suspiciousSentences + sourceSentences;
  if (total > limits.maxSentences) {
    throw new PayloadTooLargeError(
      `the documents have ${total} sentences together; the limit is ${limits.maxSentences} ` +
        `(maxSentences)`,
    );
  }
  const work = suspiciousSentences * sourceSentences;
  if (work > limits.maxSentencePairs) {
    throw new PayloadTooLargeError(
      `${suspiciousSentences} suspicious × ${sourceSentences} source sentences = ${work} ` +
        `sentence pairs; the limit is ${limits.maxSentencePairs} (maxSentencePairs)`,
    );
  }
}

/** Merge `partial` over {@link DEFAULT_LIMITS}, checking every value is a positive integer. */
export function resolveLimits(partial: Partial<ServeLimits> = {}): ServeLimits {
  const out = { ...DEFAULT_LIMITS } as ServeLimits;
  for (const [k, v] of Object.entries(partial)) {
    if (!(k in DEFAULT_LIMITS)) throw new RangeError(`unknown limit "${k}"`);
    if (!Number.isInteger(v) || (v as number) < 1) {
      throw new RangeError(`limit ${k} must be a positive integer, got ${v}`);
    }
    (out as unknown as Record<string, number>)[k] = v as number;
  }
  return out;
}
