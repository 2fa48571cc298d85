import assert from "node:assert/strict";
import { BadRequestError, PayloadTooLargeError } from "./errors.ts";
import { openApiDocument } from "./openapi.ts";
import {
  DEFAULT_LIMITS,
  parseAmuseRequest,
  parsePlagiarismRequest,
  parseSimilarityRequest,
  parseWsdRequest,
  REQUEST_EXAMPLES,
  requestSchemas,
} from "./request.ts";
import { jsonSchema, validate } from "./schema.ts";

const L = DEFAULT_LIMITS;
const parsers = {
  WsdRequest: (b: unknown) => parseWsdRequest(b, L),
  AmuseRequest: (b: unknown) => parseAmuseRequest(b, L),
  SimilarityRequest: (b: unknown) => parseSimilarityRequest(b, L),
  PlagiarismRequest: (b: unknown) => parsePlagiarismRequest(b, L),
};

Deno.test("/openapi.json's request schemas and examples are the declarations the server validates with", () => {
  const doc = openApiDocument(L) as {
    paths: Record<string, Record<string, { requestBody?: { content: Record<string, unknown> } }>>;
    components: { schemas: Record<string, unknown> };
  };
  const schemas = requestSchemas(L);
  for (const [name, decl] of Object.entries(schemas)) {
    assert.deepEqual(doc.components.schemas[name], jsonSchema(decl), name);
  }
  const examples = Object.values(doc.paths).flatMap((ops) =>
    Object.values(ops).flatMap((op) => {
      const c = op.requestBody?.content["application/json"] as
        | { schema: { $ref: string }; example: unknown }
        | undefined;
      return c ? [[c.schema.$ref.split("/").at(-1)!, c.example] as const] : [];
    })
  );
  assert.equal(examples.length, 4);
  for (const [name, example] of examples) {
    assert.deepEqual(example, REQUEST_EXAMPLES[name as keyof typeof REQUEST_EXAMPLES]);
    parsers[name as keyof typeof parsers](example); // every documented example validates
  }
});

Deno.test("invalid request bodies are refused with a message naming the field", () => {
  const bad: [keyof typeof parsers, unknown, typeof BadRequestError, RegExp][] = [
    ["WsdRequest", { texts: [] }, BadRequestError, /"texts" is empty/],
    [
      "WsdRequest",
      { texts: ["a"], format: "xml" },
      BadRequestError,
      /"format" must be "cohesive" or "amuse"/,
    ],
    ["WsdRequest", { texts: [" "] }, BadRequestError, /texts\[0\] is empty/],
    ["WsdRequest", { texts: ["a"], extra: 1 }, BadRequestError, /unknown field "extra"/],
    ["WsdRequest", { texts: Array(65).fill("a") }, PayloadTooLargeError, /limit is 64/],
    [
      "AmuseRequest",
      [{ text: "a", lang: "DE" }],
      BadRequestError,
      /document 0 "lang" must be "EN"/,
    ],
    ["AmuseRequest", [{ lang: "EN" }], BadRequestError, /missing field "text" in document 0/],
    [
      "SimilarityRequest",
      { pairs: [{ a: "x" }] },
      BadRequestError,
      /missing field "b" in pairs\[0\]/,
    ],
    [
      "SimilarityRequest",
      { pairs: [{ a: "x", b: 3 }] },
      BadRequestError,
      /pairs\[0\]\.b must be a string/,
    ],
    [
      "PlagiarismRequest",
      { suspicious: "a", sources: ["b"], threshold: 2 },
      BadRequestError,
      /"threshold" must be a number from 0 to 1/,
    ],
    [
      "PlagiarismRequest",
      { suspicious: "a", sources: "b" },
      BadRequestError,
      /"sources" must be an array/,
    ],
    [
      "PlagiarismRequest",
      { suspicious: "a".repeat(50_001), sources: ["b"] },
      PayloadTooLargeError,
      /"suspicious" has 50001 characters; the limit is 50000/,
    ],
  ];
  for (const [name, body, type, message] of bad) {
    assert.throws(() => parsers[name](body), (e: unknown) => {
      assert.ok(e instanceof type, `${name} ${JSON.stringify(body).slice(0, 60)}: ${e}`);
      assert.match((e as Error).message, message);
      return true;
    });
  }
  assert.deepEqual(parseWsdRequest({ texts: ["a"] }, L), { texts: ["a"], format: "cohesive" });
  assert.equal(validate({ type: "string", enum: ["EN"], ignoreCase: true }, "en"), "EN");
});
