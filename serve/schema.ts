/**
 * One declaration per request body, two uses: {@link validate} checks a body against it (with
 * messages that say what to fix: 400 for a wrong shape, 413 beyond a size limit), and
 * {@link jsonSchema} writes it as the JSON Schema of `/openapi.json`. So the document and the
 * validation cannot drift apart.
 *
 * @module
 */
import { BadRequestError, PayloadTooLargeError } from "./errors.ts";

/** A string: `nonBlank` refuses white space only; beyond `maxLength` is 413. */
export interface StringSchema {
  /** The kind. */
  type: "string";
  /** Refuse an empty or blank string. */
  nonBlank?: boolean;
  /** Most characters (UTF-16 units); more is 413. */
  maxLength?: number;
  /** The allowed values. */
  enum?: readonly string[];
  /** Compare with `enum` ignoring case. */
  ignoreCase?: boolean;
  /** The value when absent. */
  default?: string;
  /** What it is, for the document. */
  description?: string;
}

/** A finite number in `[minimum, maximum]`. */
export interface NumberSchema {
  /** The kind. */
  type: "number";
  /** Least value. */
  minimum?: number;
  /** Greatest value. */
  maximum?: number;
  /** What it is, for the document. */
  description?: string;
}

/** An array: fewer than `minItems` is 400, more than `maxItems` is 413. */
export interface ArraySchema {
  /** The kind. */
  type: "array";
  /** Its items. */
  items: Schema;
  /** Fewest items. */
  minItems?: number;
  /** Most items; more is 413. */
  maxItems?: number;
  /** How items are named in messages (`document` gives `document 0`); default `name[0]`. */
  itemName?: string;
  /** What it is, for the document. */
  description?: string;
}

/** An object with only the declared properties. */
export interface ObjectSchema {
  /** The kind. */
  type: "object";
  /** Its properties. */
  properties: Record<string, Schema>;
  /** The properties that must be present. */
  required?: readonly string[];
  /** What it is, for the document. */
  description?: string;
}

/** A declaration. */
export type Schema = StringSchema | NumberSchema | ArraySchema | ObjectSchema;

function typeName(v: unknown): string {
  return v === null ? "null" : Array.isArray(v) ? "array" : typeof v;
}

/** `"texts"` → `texts`, for building item names. */
function bare(name: string): string {
  return name.replace(/^"(.*)"$/, "$1");
}

/**
 * Check `value` against `schema` and return it with defaults filled in. `name` names the value
 * in messages (default `the request`; fields of the request are `"texts"`, their items
 * `texts[0]`, nested fields `pairs[0].a`).
 *
 * @throws {BadRequestError} for a wrong type, a missing or unknown field, an empty string or
 *   array, a value out of range or not among those allowed.
 * @throws {PayloadTooLargeError} for a string or array beyond its limit.
 *
 * @example
 * ```ts
 * import { validate } from "@cohesive/serve";
 * const schema = {
 *   type: "object",
 *   properties: { texts: { type: "array", items: { type: "string" }, maxItems: 2 } },
 *   required: ["texts"],
 * } as const;
 * validate(schema, { texts: ["a"] }); // { texts: ["a"] }
 * // validate(schema, { texts: "a" }) throws '"texts" must be an array, not string'
 * ```
 */
export function validate(schema: Schema, value: unknown, name = "the request"): unknown {
  switch (schema.type) {
    case "string": {
      if (typeof value !== "string") {
        throw new BadRequestError(`${name} must be a string, not ${typeName(value)}`);
      }
      if (schema.nonBlank && value.trim() === "") throw new BadRequestError(`${name} is empty`);
      if (schema.maxLength !== undefined && value.length > schema.maxLength) {
        throw new PayloadTooLargeError(
          `${name} has ${value.length} characters; the limit is ${schema.maxLength}`,
        );
      }
      if (schema.enum) {
        const norm = (s: string) => schema.ignoreCase ? s.toLowerCase() : s;
        const hit = schema.enum.find((e) => norm(e) === norm(value));
        if (hit === undefined) {
          throw new BadRequestError(
            `${name} must be ${schema.enum.map((e) => `"${e}"`).join(" or ")}`,
          );
        }
        return hit;
      }
      return value;
    }
    case "number": {
      const lo = schema.minimum ?? -Infinity;
      const hi = schema.maximum ?? Infinity;
      if (typeof value !== "number" || !Number.isFinite(value) || value < lo || value > hi) {
        throw new BadRequestError(`${name} must be a number from ${lo} to ${hi}`);
      }
      return value;
    }
    case "array": {
      if (!Array.isArray(value)) {
        throw new BadRequestError(`${name} must be an array, not ${typeName(value)}`);
      }
      if (value.length < (schema.minItems ?? 0)) {
        throw new BadRequestError(
          value.length === 0
            ? `${name} is empty`
            : `${name} has ${value.length} entries; it needs at least ${schema.minItems}`,
        );
      }
      if (schema.maxItems !== undefined && value.length > schema.maxItems) {
        throw new PayloadTooLargeError(
          `${name} has ${value.length} entries; the limit is ${schema.maxItems}`,
        );
      }
      return value.map((v, i) =>
        validate(
          schema.items,
          v,
          schema.itemName ? `${schema.itemName} ${i}` : `${bare(name)}[${i}]`,
        )
      );
    }
    case "object": {
      if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw new BadRequestError(`${name} must be a JSON object, not ${typeName(value)}`);
      }
      const allowed = Object.keys(schema.properties);
      for (const k of Object.keys(value)) {
        if (!allowed.includes(k)) {
          throw new BadRequestError(
            `unknown field "${k.slice(0, 60)}" in ${name} (allowed: ${allowed.join(", ")})`,
          );
        }
      }
      const o = value as Record<string, unknown>;
      const out: Record<string, unknown> = {};
      for (const [k, s] of Object.entries(schema.properties)) {
        if (!(k in o) || o[k] === undefined) {
          if (schema.required?.includes(k)) {
            throw new BadRequestError(`missing field "${k}" in ${name}`);
          }
          if (s.type === "string" && s.default !== undefined) out[k] = s.default;
          continue;
        }
        const field = name === "the request"
          ? `"${k}"`
          : /^[\w[\]."]+$/.test(name)
          ? `${bare(name)}.${k}`
          : `${name} "${k}"`;
        out[k] = validate(s, o[k], field);
      }
      return out;
    }
  }
}

/** A JSON object (an OpenAPI fragment). */
export type JsonObject = Record<string, unknown>;

/**
 * The JSON Schema (2020-12, as OpenAPI 3.1 uses) of a declaration.
 *
 * @example
 * ```ts
 * import { jsonSchema } from "@cohesive/serve";
 * jsonSchema({ type: "string", nonBlank: true, maxLength: 10 });
 * // { type: "string", minLength: 1, pattern: "\\S", maxLength: 10 }
 * ```
 */
export function jsonSchema(schema: Schema): JsonObject {
  const out: JsonObject = {};
  switch (schema.type) {
    case "string":
      if (schema.enum && schema.ignoreCase) {
        out.type = "string";
        out.pattern = `^(${
          schema.enum.map((e) =>
            [...e].map((c) => /[a-z]/i.test(c) ? `[${c.toUpperCase()}${c.toLowerCase()}]` : c)
              .join("")
          ).join("|")
        })$`;
      } else if (schema.enum) out.enum = [...schema.enum];
      else out.type = "string";
      if (schema.nonBlank) Object.assign(out, { minLength: 1, pattern: "\\S" });
      if (schema.maxLength !== undefined) out.maxLength = schema.maxLength;
      if (schema.default !== undefined) out.default = schema.default;
      break;
    case "number":
      out.type = "number";
      if (schema.minimum !== undefined) out.minimum = schema.minimum;
      if (schema.maximum !== undefined) out.maximum = schema.maximum;
      break;
    case "array":
      out.type = "array";
      if (schema.minItems !== undefined) out.minItems = schema.minItems;
      if (schema.maxItems !== undefined) out.maxItems = schema.maxItems;
      out.items = jsonSchema(schema.items);
      break;
    case "object":
      out.type = "object";
      out.additionalProperties = false;
      if (schema.required?.length) out.required = [...schema.required];
      out.properties = Object.fromEntries(
        Object.entries(schema.properties).map(([k, s]) => [k, jsonSchema(s)]),
      );
      break;
  }
  if (schema.description) out.description = schema.description;
  return out;
}
