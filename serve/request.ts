/**
 * Request limits, body reading and validation against the declarations of `requestSchemas`
 * (the same ones `/openapi.json` documents). Every client mistake becomes a domain error with
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
import { type ArraySchema, type ObjectSchema, type StringSchema, validate } from "./schema.ts";

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

/** The declarations of the request bodies under `limits` (see `schema.ts`). */
export function requestSchemas(limits: ServeLimits): {
  WsdRequest: ObjectSchema;
  AmuseRequest: ArraySchema;
  SimilarityRequest: ObjectSchema;
  PlagiarismRequest: ObjectSchema;
} {
  const text = (max: number): StringSchema => ({ type: "string", nonBlank: true, maxLength: max });
  const model = (what: string): StringSchema => ({
    type: "string",
    nonBlank: true,
    maxLength: 200,
    description: `a ${what} model of /v1/models; default the first`,
  });
  return {
    WsdRequest: {
      type: "object",
      required: ["texts"],
      properties: {
        texts: {
          type: "array",
          minItems: 1,
          maxItems: limits.maxTexts,
          items: text(limits.maxTextChars),
        },
        model: model("WSD"),
        format: {
          type: "string",
          enum: ["cohesive", "amuse"],
          default: "cohesive",
          description: "amuse: AMuSE-WSD token objects (WordNet 3.0 ids when available)",
        },
      },
    },
    AmuseRequest: {
      type: "array",
      minItems: 1,
      maxItems: limits.maxTexts,
      itemName: "document",
      items: {
        type: "object",
        required: ["text"],
        properties: {
          text: text(limits.maxTextChars),
          lang: { type: "string", enum: ["EN"], ignoreCase: true, default: "EN" },
        },
      },
    },
    SimilarityRequest: {
      type: "object",
      required: ["pairs"],
      properties: {
        pairs: {
          type: "array",
          minItems: 1,
          maxItems: limits.maxPairs,
          items: {
            type: "object",
            required: ["a", "b"],
            properties: { a: text(limits.maxTextChars), b: text(limits.maxTextChars) },
          },
        },
        model: model("similarity"),
      },
    },
    PlagiarismRequest: {
      type: "object",
      required: ["suspicious", "sources"],
      description: `at most ${limits.maxPlagiarismChars} characters and ` +
        `${limits.maxSentences} sentences in all, and at most ${limits.maxSentencePairs} ` +
        `suspicious × source sentence pairs`,
      properties: {
        suspicious: text(limits.maxDocumentChars),
        sources: {
          type: "array",
          minItems: 1,
          maxItems: limits.maxSources,
          items: text(limits.maxDocumentChars),
        },
        model: model("similarity"),
        threshold: {
          type: "number",
          minimum: 0,
          maximum: 1,
          description: "alignment threshold; default the model's",
        },
      },
    },
  };
}

/** A valid request body of each kind, as `/openapi.json` documents them. */
export const REQUEST_EXAMPLES = {
  WsdRequest: { texts: ["He sat on the bank of the river and watched the water."] },
  AmuseRequest: [{ text: "The bank raised its rates.", lang: "EN" }],
  SimilarityRequest: {
    pairs: [{ a: "A man is playing a guitar.", b: "Someone plays the guitar." }],
  },
  PlagiarismRequest: {
    suspicious: "The cat sat on the mat. It was a sunny day.",
    sources: ["A cat was sitting on the mat. Dogs bark at night."],
  },
} as const;

/** Validate a `/v1/wsd` body: `{texts, model?, format?}`. */
export function parseWsdRequest(body: unknown, limits: ServeLimits): WsdRequest {
  return validate(requestSchemas(limits).WsdRequest, body) as WsdRequest;
}

/** Validate an AMuSE-WSD style body: `[{"text": "...", "lang": "EN"}, ...]`. */
export function parseAmuseRequest(body: unknown, limits: ServeLimits): string[] {
  const docs = validate(requestSchemas(limits).AmuseRequest, body) as { text: string }[];
  return docs.map((d) => d.text);
}

/** Validate a `/v1/similarity` body: `{pairs: [{a, b}], model?}`. */
export function parseSimilarityRequest(body: unknown, limits: ServeLimits): SimilarityRequest {
  const o = validate(requestSchemas(limits).SimilarityRequest, body) as {
    pairs: { a: string; b: string }[];
    model?: string;
  };
  return { pairs: o.pairs.map((p) => [p.a, p.b]), model: o.model };
}

/** Validate a `/v1/plagiarism` body: `{suspicious, sources, model?, threshold?}`. */
export function parsePlagiarismRequest(body: unknown, limits: ServeLimits): PlagiarismRequest {
  const o = validate(requestSchemas(limits).PlagiarismRequest, body) as PlagiarismRequest;
  const total = o.sources.reduce((n, s) => n + s.length, o.suspicious.length);
  if (total > limits.maxPlagiarismChars) {
    throw new PayloadTooLargeError(
      `the documents have ${total} characters together; the limit is ${limits.maxPlagiarismChars} ` +
        `(maxPlagiarismChars)`,
    );
  }
  return o;
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
