/**
 * How the API checks requests against their schemas: strictly. Fastify's default validator coerces types and drops
 * unknown fields silently, so `{"uses": "5"}` or a misspelt `"lifetme"` would make an invite other than the one
 * asked for; here a body must be exactly what its schema says (unknown fields refused), while query strings and
 * path parameters, text by nature, are coerced to the schema's types.
 */
import { Ajv, type ErrorObject, type Options, type ValidateFunction } from "ajv";
import type { FastifySchemaCompiler } from "fastify";

/**
 * `date-time` is named for the OpenAPI document only: each schema that uses it checks the shape with a pattern
 * (date-time.ts), so no format library is needed, and strict mode still refuses any other format.
 */
const COMMON: Options = { allErrors: true, strict: true, useDefaults: true, formats: { "date-time": true } };

/**
 * A validator compiled on its first request rather than when the server starts: Ajv generates code for each of the
 * API's schemas, a tenth of a second of the bot's start for routes most servers call rarely (docs/benchmarks.md,
 * "Start-up"). Fastify reads a failed check's `errors` from the function, as from Ajv's own.
 */
function compiledOnFirstUse(compile: () => ValidateFunction): ValidateFunction {
  let compiled: ValidateFunction | undefined;
  const validate = (data: unknown): boolean => {
    compiled ??= compile();
    const valid = compiled(data) as boolean;
    validate.errors = compiled.errors;
    return valid;
  };
  validate.errors = undefined as ErrorObject[] | null | undefined;
  return validate as unknown as ValidateFunction;
}

export function strictValidators(): FastifySchemaCompiler<unknown> {
  const bodies = new Ajv({ ...COMMON, coerceTypes: false, removeAdditional: false });
  const texts = new Ajv({ ...COMMON, coerceTypes: true, removeAdditional: false });
  return ({ schema, httpPart }) =>
    compiledOnFirstUse(() => (httpPart === "body" ? bodies : texts).compile(schema as object));
}
