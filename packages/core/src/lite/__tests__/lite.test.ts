import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import * as core from '../../index';
import * as lite from '../index';
import { compile, type Issue, type LiteSchema, type Shape } from '../compile';
import { generateLiteSchemas, LITE_SCHEMAS } from '../generate';
import { toShape } from '../toShape';

const here = dirname(fileURLToPath(import.meta.url));

describe('@aiu/core/lite', () => {
  it('is generated from the current zod schemas (`pnpm test -u` rewrites it)', async () => {
    await expect(generateLiteSchemas()).toMatchFileSnapshot('../schemas.generated.ts');
  });

  it('imports no zod at run time, however deep', () => {
    const visited = new Set<string>();
    const runtimeImports: string[] = [];
    const walk = (file: string): void => {
      if (visited.has(file)) return;
      visited.add(file);
      const source = readFileSync(file, 'utf8');
      // Type-only imports and exports vanish from the build; everything else is loaded.
      for (const match of source.matchAll(/^(?:import|export)\s+(?!type\b)[^;]*?from\s+'([^']+)'/gms)) {
        const target = match[1] as string;
        runtimeImports.push(target);
        if (target.startsWith('.')) walk(resolve(dirname(file), target.endsWith('.ts') ? target : `${target}.ts`));
      }
    };
    walk(join(here, '..', 'index.ts'));
    expect(runtimeImports.length).toBeGreaterThan(2);
    expect(runtimeImports.filter((target) => !target.startsWith('.'))).toEqual([]);
    expect([...visited].some((file) => file.includes('/schemas/'))).toBe(false);
  });

  describe.each(LITE_SCHEMAS)('%s parses exactly as the zod schema does', (name) => {
    const zodSchema = core[name] as unknown as z.ZodMiniType;
    const liteSchema = lite[name] as LiteSchema<unknown>;

    it('on random valid values and on every kind of breakage', () => {
      const random = seeded(hash(name));
      let accepted = 0;
      let rejected = 0;
      for (let round = 0; round < 400; round++) {
        const value = sample(liteSchema.shape, random);
        const input = round % 2 === 0 ? value : breakSomewhere(value, random);
        const expected = zodSchema.safeParse(input);
        const actual = liteSchema.safeParse(input);
        expect({ round, success: actual.success }).toEqual({ round, success: expected.success });
        if (expected.success) {
          accepted++;
          expect(actual.data).toStrictEqual(expected.data);
        } else {
          rejected++;
          expect({ input, failing: failingPaths(actual.error?.issues ?? []) }).toEqual({ input, failing: failingPaths(expected.error.issues as Issue[]) });
        }
      }
      // Both sides of the comparison were exercised.
      expect(accepted).toBeGreaterThan(20);
      expect(rejected).toBeGreaterThan(100);
    });
  });

  it('names the failing field and keeps the schema’s own message', () => {
    const result = lite.ApiKeySchema.safeParse('sk live');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ path: [], message: 'key must be printable characters without spaces' });
    expect(lite.ApiKeySchema.parse('  sk-live-1234  ')).toBe('sk-live-1234');

    const finish = lite.FinishEventSchema.safeParse({ finishReason: 'stop', usage: { inputTokens: -1 }, cost: null, latencyMs: 1, ttftMs: null });
    expect(finish.error?.issues.map((issue) => issue.path.join('.'))).toEqual([
      'usage.inputTokens',
      'usage.outputTokens',
      'usage.cachedInputTokens',
      'usage.cacheWriteTokens',
      'usage.reasoningTokens',
      'usage.totalTokens',
    ]);
    expect(() => lite.ErrorEventSchema.parse({ code: 'x' })).toThrow(lite.LiteParseError);
  });

  it('drops unknown keys and keeps a JSON `__proto__` key a plain key', () => {
    const parsed = lite.LogPageSchema.parse(
      JSON.parse(
        '{"entries":[],"nextCursor":null,"fromANewerServer":1}',
      ),
    );
    expect(parsed).toStrictEqual({ entries: [], nextCursor: null });
    const record = lite.UsageReportSchema.shape as { object: { groups: Shape } };
    const groups = toShapeChecker(record.object.groups).parse(JSON.parse('{"__proto__":' + JSON.stringify(stats()) + '}')) as object;
    expect(Object.getPrototypeOf(groups)).toBe(Object.prototype);
    expect(Object.keys(groups)).toEqual(['__proto__']);
  });

  it('refuses to compile what it cannot check exactly like zod', () => {
    // A request refuses unknown fields (a catchall), and its metadata has a custom size check: neither compiles.
    expect(() => toShape(core.ChatRequestSchema as unknown as z.ZodMiniType, 'ChatRequest')).toThrow(/ChatRequest: objects with a catchall are not supported/);
    expect(() => toShape(core.MetadataSchema as unknown as z.ZodMiniType, 'Metadata')).toThrow(/Metadata check 0: check custom is not supported/);
    expect(() => toShape(core.LogQuerySchema as unknown as z.ZodMiniType, 'LogQuery')).toThrow(/LogQuery\.cursor|LogQuery\.limit: zod type pipe/);
    expect(() => toShape(z.string().check(z.toLowerCase()), 'Lower')).toThrow(/only z.trim\(\) may rewrite/);
    expect(() => toShape(z.string().check(z.email()), 'Email')).toThrow(/string format email is not supported/);
  });
});

function toShapeChecker(shape: Shape): LiteSchema<unknown> {
  return compile(shape);
}

function stats() {
  return Object.fromEntries(
    Object.keys((core.UsageStatsSchema as unknown as { _zod: { def: { shape: object } } })._zod.def.shape).map((key) => [key, key.startsWith('latency') ? null : 1]),
  );
}

/**
 * Where the input failed. Compared as a set: on input of the wrong type zod still runs the
 * length checks of a string schema when the value happens to have a length (an array), which
 * adds a second issue at the same place without changing the verdict.
 */
function failingPaths(issues: readonly Issue[]): string[] {
  return [...new Set(issues.map((issue) => issue.path.join('.')))].sort();
}

type Random = () => number;

function seeded(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function hash(text: string): number {
  let h = 2166136261;
  for (const char of text) h = Math.imul(h ^ char.charCodeAt(0), 16777619);
  return h;
}

const pick = <T>(random: Random, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

const STRINGS = ['', 'gpt-4o-mini', '  padded key  ', 'sk-live-0123456789abcdef', 'has space', 'ünïcode', '-leading-dash', 'a'.repeat(64), 'a'.repeat(65), 'x'.repeat(4097), '\t', 'ok_alias.v2'];
const NUMBERS = [0, 1, -1, 0.5, 2, 42, 1e6, -0, 2 ** 53, 2 ** 53 - 1, 1.0000001];
const WRONG: unknown[] = [null, undefined, 1, 1.5, -3, Number.NaN, Number.POSITIVE_INFINITY, '', 'text', true, [], {}, [1]];

/** A value the shape should accept — mostly; checked strings and numbers draw from pools that include misses. */
function sample(shape: Shape, random: Random, depth = 0): unknown {
  if (typeof shape === 'string' || 'type' in shape) {
    const type = typeof shape === 'string' ? shape : shape.type;
    switch (type) {
      case 'string':
        return pick(random, STRINGS);
      case 'number':
        return pick(random, NUMBERS);
      case 'int':
        // Counts are mostly non-negative ints: edge cases (negative, unsafe) one time in ten, so
        // a schema with many counts still yields valid values for the accepting side to compare.
        return random() < 0.9 ? pick(random, [0, 1, 2, 42, 1e6]) : pick(random, NUMBERS.filter((n) => Number.isInteger(n)));
      case 'boolean':
        return random() < 0.5;
      case 'unknown':
        return pick(random, [1, 'x', null, { nested: [1, 2] }]);
    }
  }
  if ('object' in shape) {
    const out: Record<string, unknown> = {};
    for (const [key, field] of Object.entries(shape.object)) {
      if (typeof field === 'object' && 'optional' in field) {
        const roll = random();
        if (roll < 0.3) continue;
        if (roll < 0.4) {
          out[key] = undefined;
          continue;
        }
      }
      out[key] = sample(field, random, depth + 1);
    }
    if (random() < 0.3) out.fromANewerServer = 'ignored';
    return out;
  }
  if ('array' in shape) return Array.from({ length: depth > 3 ? 0 : Math.floor(random() * 3) }, () => sample(shape.array, random, depth + 1));
  if ('record' in shape) {
    const out: Record<string, unknown> = {};
    for (let i = Math.floor(random() * 3); i > 0; i--) out[pick(random, ['all', 'openai:gpt-4o', 'x'])] = sample(shape.record, random, depth + 1);
    return out;
  }
  if ('nullable' in shape) return random() < 0.3 ? null : sample(shape.nullable, random, depth);
  if ('optional' in shape) return random() < 0.2 ? undefined : sample(shape.optional, random, depth);
  if ('oneOf' in shape) return pick(random, shape.oneOf);
  return sample(pick(random, shape.union), random, depth);
}

/** Replaces one value somewhere in the tree with a wrong one, or deletes a key. */
function breakSomewhere(value: unknown, random: Random): unknown {
  const slots: Array<{ parent: Record<string, unknown> | unknown[]; key: string | number }> = [];
  const collect = (node: unknown): void => {
    if (Array.isArray(node)) {
      node.forEach((item, index) => {
        slots.push({ parent: node, key: index });
        collect(item);
      });
    } else if (node !== null && typeof node === 'object') {
      for (const [key, item] of Object.entries(node)) {
        slots.push({ parent: node as Record<string, unknown>, key });
        collect(item);
      }
    }
  };
  collect(value);
  if (slots.length === 0 || random() < 0.1) return pick(random, WRONG);
  const slot = pick(random, slots);
  if (!Array.isArray(slot.parent) && random() < 0.25) delete slot.parent[slot.key as string];
  else (slot.parent as Record<string | number, unknown>)[slot.key] = pick(random, WRONG);
  return value;
}
