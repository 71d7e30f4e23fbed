/**
 * A wire schema compiled to plain data: the few forms aiu's zod schemas use, read by one small
 * checker. Browsers parse responses with these instead of loading zod (≈7 kB gzipped for the
 * forms we use, more than half of what the whole React package may weigh). `schemas.generated.ts`
 * is derived from the zod schemas by `toShape`, so zod stays the one source of truth.
 */
export type Primitive = 'string' | 'number' | 'int' | 'boolean' | 'unknown';

/** Checks run in order, as zod runs them; a `trim` rewrites the string the later checks see. */
export type Check =
  | readonly ['trim']
  | readonly ['min' | 'max', number, string?] // length of a string or an array
  | readonly ['gte' | 'gt' | 'lte' | 'lt', number, string?]
  | readonly ['pattern', RegExp, string?];

export type Shape =
  | Primitive
  | { readonly type: Primitive; readonly checks: readonly Check[] }
  | { readonly object: { readonly [key: string]: Shape } }
  | { readonly array: Shape; readonly checks?: readonly Check[] }
  | { readonly record: Shape }
  | { readonly nullable: Shape }
  | { readonly optional: Shape }
  | { readonly oneOf: readonly (string | number | boolean | null)[] }
  | { readonly union: readonly Shape[] };

export interface Issue {
  code: 'invalid_type' | 'invalid_value' | 'invalid_union' | 'too_small' | 'too_big' | 'invalid_format';
  path: PropertyKey[];
  message: string;
}

export type SafeParseResult<T> = { success: true; data: T; error?: undefined } | { success: false; data?: undefined; error: { issues: Issue[] } };

/** The part of a zod schema's surface that clients use: same names, same result shape. */
export interface LiteSchema<T> {
  readonly shape: Shape;
  safeParse(value: unknown): SafeParseResult<T>;
  /** Throws a `LiteParseError`, with zod's `issues`, on bad input. */
  parse(value: unknown): T;
}

export class LiteParseError extends Error {
  readonly issues: Issue[];
  constructor(issues: Issue[]) {
    super(issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; '));
    this.name = 'LiteParseError';
    this.issues = issues;
  }
}

// zod/mini's own message where a check names none (it ships no locale by default).
const INVALID = 'Invalid input';

/* @__NO_SIDE_EFFECTS__ */
export function compile<T>(shape: Shape): LiteSchema<T> {
  const safeParse = (value: unknown): SafeParseResult<T> => {
    const issues: Issue[] = [];
    const data = check(shape, value, [], issues) as T;
    return issues.length === 0 ? { success: true, data } : { success: false, error: { issues } };
  };
  return {
    shape,
    safeParse,
    parse(value) {
      const result = safeParse(value);
      if (!result.success) throw new LiteParseError(result.error.issues);
      return result.data;
    },
  };
}

function fail(issues: Issue[], code: Issue['code'], path: PropertyKey[], message = INVALID): undefined {
  issues.push({ code, path: [...path], message });
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Copies a key into a fresh object; JSON can carry an own `__proto__` key, which must stay a key. */
function put(target: Record<string, unknown>, key: string, value: unknown): void {
  if (key === '__proto__') Object.defineProperty(target, key, { value, enumerable: true, configurable: true, writable: true });
  else target[key] = value;
}

function isType(type: Primitive, value: unknown): boolean {
  switch (type) {
    case 'unknown':
      return true;
    case 'string':
      return typeof value === 'string';
    case 'boolean':
      return typeof value === 'boolean';
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'int':
      return Number.isSafeInteger(value);
  }
}

/** Returns the parsed value (a fresh copy for objects and arrays, unknown keys dropped); failures land in `issues`. */
function check(shape: Shape, value: unknown, path: PropertyKey[], issues: Issue[]): unknown {
  if (typeof shape === 'string') return isType(shape, value) ? value : fail(issues, 'invalid_type', path);
  if ('type' in shape) return isType(shape.type, value) ? runChecks(shape.checks, value as string | number, path, issues) : fail(issues, 'invalid_type', path);
  if ('object' in shape) {
    if (!isPlainObject(value)) return fail(issues, 'invalid_type', path);
    const out: Record<string, unknown> = {};
    for (const key in shape.object) {
      const field = shape.object[key] as Shape;
      const present = Object.hasOwn(value, key);
      if (!present && typeof field === 'object' && 'optional' in field) continue;
      // zod wants a required key present even when any value (undefined too) would do.
      if (!present && (field === 'unknown' || (typeof field === 'object' && 'type' in field && field.type === 'unknown'))) {
        path.push(key);
        fail(issues, 'invalid_type', path);
        path.pop();
        continue;
      }
      path.push(key);
      const parsed = check(field, present ? value[key] : undefined, path, issues);
      path.pop();
      put(out, key, parsed);
    }
    return out;
  }
  if ('array' in shape) {
    if (!Array.isArray(value)) return fail(issues, 'invalid_type', path);
    const out: unknown[] = new Array(value.length);
    for (let index = 0; index < value.length; index++) {
      path.push(index);
      out[index] = check(shape.array, value[index], path, issues);
      path.pop();
    }
    return shape.checks ? runChecks(shape.checks, out, path, issues) : out;
  }
  if ('record' in shape) {
    if (!isPlainObject(value)) return fail(issues, 'invalid_type', path);
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value)) {
      path.push(key);
      put(out, key, check(shape.record, value[key], path, issues));
      path.pop();
    }
    return out;
  }
  if ('nullable' in shape) return value === null ? null : check(shape.nullable, value, path, issues);
  if ('optional' in shape) return value === undefined ? undefined : check(shape.optional, value, path, issues);
  if ('oneOf' in shape) return shape.oneOf.includes(value as string) ? value : fail(issues, 'invalid_value', path);
  for (const option of shape.union) {
    const own: Issue[] = [];
    const parsed = check(option, value, path, own);
    if (own.length === 0) return parsed;
  }
  return fail(issues, 'invalid_union', path);
}

function runChecks<V extends string | number | unknown[]>(checks: readonly Check[], input: V, path: PropertyKey[], issues: Issue[]): V {
  let value = input;
  for (const item of checks) {
    const [kind, limit, message] = item;
    const size = typeof value === 'number' ? value : value.length;
    switch (kind) {
      case 'trim':
        value = (value as string).trim() as V;
        break;
      case 'min':
      case 'gte':
        if (size < limit) fail(issues, 'too_small', path, message);
        break;
      case 'gt':
        if (size <= limit) fail(issues, 'too_small', path, message);
        break;
      case 'max':
      case 'lte':
        if (size > limit) fail(issues, 'too_big', path, message);
        break;
      case 'lt':
        if (size >= limit) fail(issues, 'too_big', path, message);
        break;
      case 'pattern':
        limit.lastIndex = 0;
        if (!limit.test(value as string)) fail(issues, 'invalid_format', path, message);
        break;
    }
  }
  return value;
}
