import type * as z from 'zod/mini';
import type { Check, Primitive, Shape } from './compile';

/**
 * Reads a zod schema's definition into a `Shape`. Anything the checker cannot do exactly as
 * zod does (transforms, refinements, coercion, formats other than a pattern) throws, naming
 * where it sits, so a schema change can never be compiled into a looser check.
 * Test-time only: it reads zod's internal `_zod.def`, which the generated file freezes.
 */
export function toShape(schema: z.ZodMiniType, where: string, seen: Map<z.ZodMiniType, Shape> = new Map()): Shape {
  // One Shape object per zod schema, so a schema used in many places can be written once.
  let shape = seen.get(schema);
  if (!shape) {
    shape = fromDef(schema, where, (inner, at) => toShape(inner, at, seen));
    seen.set(schema, shape);
  }
  return shape;
}

function fromDef(schema: z.ZodMiniType, where: string, toShape: (schema: z.ZodMiniType, where: string) => Shape): Shape {
  const def = schema._zod.def as unknown as Def;
  const checks = (def.checks ?? []).map((item, index) => toCheck(item._zod.def as CheckDef, `${where} check ${index}`));
  const withChecks = (type: Primitive): Shape => (checks.length ? { type, checks } : type);
  switch (def.type) {
    case 'string':
    case 'boolean':
    case 'unknown':
      return withChecks(def.type);
    case 'number':
      // z.int() is a number whose own definition is the safe-integer check.
      if (def.check === 'number_format') {
        if (def.format !== 'safeint') throw new Error(`${where}: number format ${def.format} is not supported`);
        return withChecks('int');
      }
      return withChecks('number');
    case 'object':
      if (def.catchall) throw new Error(`${where}: objects with a catchall are not supported`);
      return { object: Object.fromEntries(Object.entries(def.shape ?? {}).map(([key, value]) => [key, toShape(value, `${where}.${key}`)])) };
    case 'array':
      return { array: toShape(def.element as z.ZodMiniType, `${where}[]`), ...(checks.length ? { checks } : {}) };
    case 'record': {
      const keyType = (def.keyType as z.ZodMiniType)._zod.def as unknown as Def;
      if (keyType.type !== 'string' || keyType.checks?.length) throw new Error(`${where}: only records keyed by plain strings are supported`);
      return noChecks({ record: toShape(def.valueType as z.ZodMiniType, `${where}{}`) }, checks, where);
    }
    case 'nullable':
      return noChecks({ nullable: toShape(def.innerType as z.ZodMiniType, where) }, checks, where);
    case 'optional':
      return noChecks({ optional: toShape(def.innerType as z.ZodMiniType, where) }, checks, where);
    case 'enum':
      return noChecks({ oneOf: Object.values(def.entries ?? {}) }, checks, where);
    case 'literal':
      return noChecks({ oneOf: [...(def.values ?? [])] }, checks, where);
    case 'union':
      return noChecks({ union: (def.options ?? []).map((option, index) => toShape(option, `${where}|${index}`)) }, checks, where);
    default:
      throw new Error(`${where}: zod type ${def.type} is not supported by @aiu/core/lite`);
  }
}

interface Def {
  type: string;
  checks?: Array<{ _zod: { def: unknown } }>;
  check?: string;
  format?: string;
  shape?: Record<string, z.ZodMiniType>;
  catchall?: unknown;
  element?: unknown;
  keyType?: unknown;
  valueType?: unknown;
  innerType?: unknown;
  entries?: Record<string, string | number>;
  values?: Array<string | number | boolean | null>;
  options?: z.ZodMiniType[];
}

interface CheckDef {
  check: string;
  minimum?: number;
  maximum?: number;
  value?: number;
  inclusive?: boolean;
  format?: string;
  pattern?: RegExp;
  tx?: (value: string) => string;
  error?: (issue: unknown) => unknown;
  abort?: boolean;
  when?: unknown;
}

function noChecks(shape: Shape, checks: Check[], where: string): Shape {
  if (checks.length) throw new Error(`${where}: checks on this type are not supported`);
  return shape;
}

function messageOf(def: CheckDef, where: string): [string] | [] {
  if (!def.error) return [];
  const message = def.error({});
  if (typeof message !== 'string') throw new Error(`${where}: only fixed error messages are supported`);
  return [message];
}

function toCheck(def: CheckDef, where: string): Check {
  if (def.abort) throw new Error(`${where}: aborting checks are not supported`);
  const message = messageOf(def, where);
  switch (def.check) {
    case 'overwrite':
      // The function itself cannot be compiled; recognise the one zod helper the wire uses by what it does.
      if (def.tx && def.tx(' \t a b \n') === 'a b' && def.tx('Ab') === 'Ab') return ['trim'];
      throw new Error(`${where}: only z.trim() may rewrite a value`);
    case 'min_length':
      return ['min', def.minimum as number, ...message];
    case 'max_length':
      return ['max', def.maximum as number, ...message];
    case 'greater_than':
      return [def.inclusive ? 'gte' : 'gt', def.value as number, ...message];
    case 'less_than':
      return [def.inclusive ? 'lte' : 'lt', def.value as number, ...message];
    case 'string_format':
      if (def.format === 'regex' && def.pattern) return ['pattern', def.pattern, ...message];
      throw new Error(`${where}: string format ${def.format} is not supported`);
    default:
      throw new Error(`${where}: check ${def.check} is not supported`);
  }
}

/** Writes shapes as TypeScript: identifiers unquoted, regular expressions as literals. */
export function shapeSource(shape: Shape | Check | unknown, named: ReadonlyMap<unknown, string> = new Map()): string {
  const name = named.get(shape);
  if (name) return name;
  if (shape instanceof RegExp) return shape.toString();
  if (Array.isArray(shape)) return `[${shape.map((item) => shapeSource(item, named)).join(', ')}]`;
  if (shape !== null && typeof shape === 'object') {
    const fields = Object.entries(shape).map(([key, value]) => `${/^[A-Za-z_$][\w$]*$/.test(key) ? key : JSON.stringify(key)}: ${shapeSource(value, named)}`);
    return `{ ${fields.join(', ')} }`;
  }
  return JSON.stringify(shape);
}
