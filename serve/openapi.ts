/**
 * The OpenAPI 3.1 document served at `/openapi.json`. The request schemas and examples are
 * generated from the declarations the server validates with (`requestSchemas`,
 * `REQUEST_EXAMPLES` in `request.ts`); the answers are described by hand. The route tests send
 * every request example in it and check the documented status, so it stays true.
 *
 * @module
 */
import { REQUEST_EXAMPLES, requestSchemas, type ServeLimits } from "./request.ts";
import { jsonSchema } from "./schema.ts";

/** A JSON object (an OpenAPI fragment). */
export type Json = Record<string, unknown>;

const error: Json = {
  description: "Error",
  content: {
    "application/json": {
      schema: { $ref: "#/components/schemas/Error" },
    },
  },
};

function ok(schema: string, description = "OK"): Json {
  return {
    description,
    content: { "application/json": { schema: { $ref: `#/components/schemas/${schema}` } } },
  };
}

function errors(...codes: number[]): Json {
  const all: Record<number, string> = {
    400: "malformed body, wrong type, empty text or unknown field",
    404: "unknown model",
    408: "the request body arrived too slowly (see limits.bodyTimeoutMs)",
    413: "beyond the limits (body size, text length, number of texts, plagiarism work); the " +
      "message names the limit",
    415: "Content-Type is not application/json, or its charset cannot be decoded",
    503: "models still loading, shutting down, or too much work queued (see Retry-After)",
  };
  return Object.fromEntries(codes.map((c) => [String(c), { ...error, description: all[c] }]));
}

function body(schema: string, example: unknown): Json {
  return {
    required: true,
    content: {
      "application/json": {
        schema: { $ref: `#/components/schemas/${schema}` },
        example,
      },
    },
  };
}

const nullableString = { type: ["string", "null"] };
const nullableNumber = { type: ["number", "null"] };

/** The OpenAPI document for a server with `limits`. */
export function openApiDocument(limits: ServeLimits): Json {
  const requests = requestSchemas(limits);
  return {
    openapi: "3.1.0",
    info: {
      title: "cohesive serve",
      version: "0.1.0",
      description:
        "Word sense disambiguation, text similarity and plagiarism detection. Every answer " +
        "names the model that produced it; without a trained model the server answers from " +
        "knowledge-based methods (extended Lesk, lexical similarity). Errors are " +
        '`{"error": "message"}` with a 4xx status (503 while loading or overloaded).',
    },
    paths: {
      "/v1/wsd": {
        post: {
          summary: "Disambiguate every content word of each text",
          requestBody: body("WsdRequest", REQUEST_EXAMPLES.WsdRequest),
          responses: { "200": ok("WsdResponse"), ...errors(400, 404, 408, 413, 415, 503) },
        },
      },
      "/api/model": {
        post: {
          summary: "AMuSE-WSD compatible: its request body and its bare-array answer",
          description:
            "The model and WordNet version are in the X-Cohesive-Model and X-WordNet-Version headers.",
          requestBody: body("AmuseRequest", REQUEST_EXAMPLES.AmuseRequest),
          responses: {
            "200": {
              description: "One entry per document",
              content: {
                "application/json": {
                  schema: { type: "array", items: { $ref: "#/components/schemas/AmuseText" } },
                },
              },
            },
            ...errors(400, 408, 413, 415, 503),
          },
        },
      },
      "/v1/similarity": {
        post: {
          summary: "Similarity and paraphrase probability of text pairs",
          requestBody: body("SimilarityRequest", REQUEST_EXAMPLES.SimilarityRequest),
          responses: { "200": ok("SimilarityResponse"), ...errors(400, 404, 408, 413, 415, 503) },
        },
      },
      "/v1/plagiarism": {
        post: {
          summary: "Align a suspicious text with source texts sentence by sentence",
          requestBody: body("PlagiarismRequest", REQUEST_EXAMPLES.PlagiarismRequest),
          responses: { "200": ok("PlagiarismReport"), ...errors(400, 404, 408, 413, 415, 503) },
        },
      },
      "/v1/models": {
        get: { summary: "The served models", responses: { "200": ok("Models") } },
      },
      "/healthz": {
        get: { summary: "Liveness: the process answers", responses: { "200": ok("Status") } },
      },
      "/readyz": {
        get: {
          summary: "Readiness: models loaded and not shutting down",
          responses: { "200": ok("Status"), "503": error },
        },
      },
      "/openapi.json": {
        get: { summary: "This document", responses: { "200": { description: "OpenAPI 3.1" } } },
      },
      "/": {
        get: {
          summary: "Demo page",
          responses: { "200": { description: "HTML", content: { "text/html": {} } } },
        },
      },
    },
    components: {
      schemas: {
        Error: {
          type: "object",
          required: ["error"],
          properties: { error: { type: "string" } },
        },
        Status: {
          type: "object",
          properties: { status: { type: "string" }, error: { type: "string" } },
        },
        WsdRequest: jsonSchema(requests.WsdRequest),
        WsdToken: {
          type: "object",
          properties: {
            text: { type: "string" },
            start: { type: "integer", description: "UTF-16 offset in the text" },
            end: { type: "integer" },
            lemma: nullableString,
            pos: { enum: ["n", "v", "a", "r", null] },
            senseKey: nullableString,
            synset: { type: ["string", "null"], description: "offset + pos, e.g. 09213565n" },
            gloss: nullableString,
            score: nullableNumber,
            model: { type: ["string", "null"], description: "the method that chose this sense" },
          },
        },
        WsdResponse: {
          type: "object",
          properties: {
            model: { type: "string" },
            wordnet: { type: "string" },
            format: { enum: ["cohesive", "amuse"] },
            texts: {
              type: "array",
              items: {
                type: "object",
                properties: {
                  tokens: {
                    type: "array",
                    items: {
                      oneOf: [
                        { $ref: "#/components/schemas/WsdToken" },
                        { $ref: "#/components/schemas/AmuseToken" },
                      ],
                    },
                  },
                },
              },
            },
          },
        },
        AmuseRequest: jsonSchema(requests.AmuseRequest),
        AmuseToken: {
          type: "object",
          properties: {
            index: { type: "integer" },
            text: { type: "string" },
            pos: { type: "string", description: "universal POS tag" },
            lemma: { type: "string" },
            wnSynsetOffset: {
              type: "string",
              description:
                'offset without zero padding + pos, as AMuSE-WSD writes it, e.g. "9213565n", or "O"; ' +
                "AMuSE-WSD's bnSynsetId is absent (it needs BabelNet)",
            },
            nltkSynset: { type: "string", description: 'e.g. "bank.n.01", or "O"' },
          },
        },
        AmuseText: {
          type: "object",
          properties: {
            tokens: { type: "array", items: { $ref: "#/components/schemas/AmuseToken" } },
          },
        },
        SimilarityRequest: jsonSchema(requests.SimilarityRequest),
        SimilarityResponse: {
          type: "object",
          properties: {
            model: { type: "string" },
            paraphraseModel: {
              type: ["string", "null"],
              description: "null when the model has no sequence head (e.g. the lexical model)",
            },
            results: {
              type: "array",
              items: {
                type: "object",
                properties: {
                  score: { type: "number", description: "cosine similarity" },
                  paraphrase: {
                    type: ["number", "null"],
                    description:
                      "P(paraphrase) from the 2-way sequence head; meaningful once fine-tuned",
                  },
                },
              },
            },
          },
        },
        PlagiarismRequest: jsonSchema(requests.PlagiarismRequest),
        Sentence: {
          type: "object",
          properties: {
            index: { type: "integer" },
            start: { type: "integer" },
            end: { type: "integer" },
            text: { type: "string" },
            document: { type: "integer", description: "source index (source sentences only)" },
          },
        },
        PlagiarismReport: {
          type: "object",
          properties: {
            model: { type: "string" },
            paraphraseModel: nullableString,
            verdict: { enum: ["plagiarised", "suspicious", "original"] },
            score: {
              type: "number",
              description:
                "alignment and containment combined: 1 - (1 - alignment)(1 - containment)",
            },
            alignment: {
              type: "number",
              description: "share of the suspicious text weighted by each sentence's alignment " +
                "score (below the threshold discounted by (score / threshold)^4)",
            },
            containment: {
              type: "number",
              description: "share of the suspicious text's word trigrams found in the sources",
            },
            coverage: {
              type: "number",
              description: "share of the suspicious text aligned at or above the threshold",
            },
            threshold: { type: "number" },
            sentences: { type: "object" },
            pairs: {
              type: "array",
              items: {
                type: "object",
                properties: {
                  suspicious: { $ref: "#/components/schemas/Sentence" },
                  source: { $ref: "#/components/schemas/Sentence" },
                  score: {
                    type: "number",
                    description: "similarity and lexical evidence combined (noisy-or)",
                  },
                  similarity: { type: "number", description: "the model's similarity" },
                  containment: {
                    type: "number",
                    description: "word-trigram containment of the suspicious sentence",
                  },
                  paraphrase: nullableNumber,
                  copied: {
                    type: "array",
                    description: "copied phrases of 3+ words, offsets in both documents",
                    items: {
                      type: "object",
                      properties: {
                        start: { type: "integer" },
                        end: { type: "integer" },
                        sourceStart: { type: "integer" },
                        sourceEnd: { type: "integer" },
                        words: { type: "integer" },
                      },
                    },
                  },
                },
              },
            },
          },
        },
        Models: {
          type: "object",
          properties: {
            models: {
              type: "array",
              items: {
                type: "object",
                properties: {
                  name: { type: "string" },
                  task: { enum: ["wsd", "similarity"] },
                  kind: { enum: ["knowledge-based", "neural"] },
                  description: { type: "string" },
                  default: { type: "boolean" },
                  details: { type: "object" },
                },
              },
            },
            limits: { type: "object" },
          },
        },
      },
    },
  };
}
