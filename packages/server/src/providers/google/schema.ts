import type { JsonSchema } from '@aiu/core';

/** Keywords Gemini's schema (an OpenAPI 3.0 subset) takes as they are. */
const KEPT = new Set(['description', 'enum', 'format', 'minimum', 'maximum', 'minItems', 'maxItems', 'minLength', 'maxLength', 'pattern', 'title', 'minProperties', 'maxProperties', 'propertyOrdering']);

/**
 * A JSON Schema as Gemini's `parameters` / `responseSchema` take it: `type: [x, "null"]` becomes
 * `nullable`, `const` an enum, `oneOf` `anyOf`; what the subset lacks (`$schema`,
 * `additionalProperties`, `$ref`…) is left out. An object without properties is no schema at all
 * (Gemini refuses empty objects): undefined.
 */
export function toGeminiSchema(schema: JsonSchema | undefined): Record<string, unknown> | undefined {
  if (!schema || typeof schema !== 'object') return undefined;
  if (isEmptyObject(schema)) return undefined;
  return convert(schema);
}

function isEmptyObject(schema: JsonSchema): boolean {
  const properties = schema.properties;
  return schema.type === 'object' && (!properties || (typeof properties === 'object' && Object.keys(properties).length === 0)) && !schema.anyOf && !schema.oneOf;
}

function convert(schema: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(schema)) if (KEPT.has(key)) out[key] = value;
  const type = schema.type;
  if (Array.isArray(type)) {
    const types = type.filter((t) => t !== 'null');
    if (types.length !== type.length) out.nullable = true;
    if (types.length === 1) out.type = types[0];
    else if (types.length > 1) out.anyOf = types.map((t) => ({ type: t }));
  } else if (type === 'null') out.nullable = true;
  else if (typeof type === 'string') out.type = type;
  if (schema.const !== undefined) out.enum = [schema.const];
  if (isRecord(schema.properties)) {
    out.properties = Object.fromEntries(Object.entries(schema.properties).map(([name, inner]) => [name, isRecord(inner) ? convert(inner) : {}]));
    if (!out.type) out.type = 'object';
  }
  if (Array.isArray(schema.required) && schema.required.length) out.required = schema.required;
  if (isRecord(schema.items)) out.items = convert(schema.items);
  const variants = (schema.anyOf ?? schema.oneOf);
  if (Array.isArray(variants)) {
    const concrete = variants.filter((v) => !(isRecord(v) && v.type === 'null'));
    if (concrete.length !== variants.length) out.nullable = true;
    if (concrete.length === 1 && isRecord(concrete[0])) Object.assign(out, convert(concrete[0]));
    else out.anyOf = concrete.map((v) => (isRecord(v) ? convert(v) : {}));
  }
  if (Array.isArray(schema.allOf)) out.allOf = schema.allOf.map((v) => (isRecord(v) ? convert(v) : {}));
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
