/**
 * How the API checks requests against their schemas: strictly. Fastify's default validator coerces types and drops
 * unknown fields silently, so `{"uses": "5"}` or a misspelt `"lifetme"` would make an invite other than the one
 * asked for; here a body must be exactly what its schema says (unknown fields refused), while query strings and
 * path parameters, text by nature, are coerced to the schema's types.
 */
import { Ajv, type Options } from "ajv";
import type { FastifySchemaCompiler } from "fastify";

/**
 * `date-time` is named for the OpenAPI document only: each schema that uses it checks the shape with a pattern
 * (date-time.ts), so no format library is needed, and strict mode still refuses any other format.
 */
const COMMON: Options = { allErrors: true, strict: true, useDefaults: true, formats: { "date-time": true } };

export function strictValidators(): FastifySchemaCompiler<unknown> {
  const bodies = new Ajv({ ...COMMON, coerceTypes: false, removeAdditional: false });
  const texts = new Ajv({ ...COMMON, coerceTypes: true, removeAdditional: false });
  return ({ schema, httpPart }) => (httpPart === "body" ? bodies : texts).compile(schema as object);
}
