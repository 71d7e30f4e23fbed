import type * as z from 'zod/mini';
import * as core from '../index';
import type { Shape } from './compile';
import { shapeSource, toShape } from './toShape';

/**
 * What a client parses: every response body and stream event, and the fields a form checks
 * before it sends them. Request bodies stay with zod on the server.
 */
export const LITE_SCHEMAS = [
  'ErrorBodySchema',
  'StartEventSchema',
  'ReasoningEventSchema',
  'ToolInputStartEventSchema',
  'ToolInputDeltaEventSchema',
  'ToolCallEventSchema',
  'ToolResultEventSchema',
  'StepFinishEventSchema',
  'FinishEventSchema',
  'ErrorEventSchema',
  'ChatResultSchema',
  'EmbedResultSchema',
  'ModelListSchema',
  'ProviderListSchema',
  'KeySummarySchema',
  'KeyValidationSchema',
  'ClientKeySummarySchema',
  'CreatedClientKeySchema',
  'ClientKeyListSchema',
  'ConversationSummarySchema',
  'ConversationSchema',
  'ConversationListSchema',
  'UsageReportSchema',
  'ModelComparisonSchema',
  'LogPageSchema',
  'LogEntrySchema',
  'KeyAliasSchema',
  'ApiKeySchema',
] as const satisfies ReadonlyArray<keyof typeof core>;

const exportedSchemas = new Map<unknown, string>(
  Object.entries(core).filter(([name, value]) => name.endsWith('Schema') && typeof value === 'object' && value !== null && '_zod' in value).map(([name, value]) => [value, name]),
);

/** The source of `schemas.generated.ts`: each listed zod schema as a compiled `LiteSchema`. */
export function generateLiteSchemas(): string {
  const seen = new Map<z.ZodMiniType, Shape>();
  // Shapes that read alike are one shape: the same nullable or object written out in two schemas is written once.
  const alike = new Map<string, Shape>();
  const canonical = (shape: Shape): Shape => {
    if (typeof shape !== 'object') return shape;
    const inner = replaceChildren(shape, canonical);
    const source = shapeSource(inner, new Map());
    const found = alike.get(source);
    if (found) return found;
    alike.set(source, inner);
    for (const [schema, known] of seen) if (known === shape) seen.set(schema, inner);
    return inner;
  };
  const roots = LITE_SCHEMAS.map((name) => ({ name, shape: toShape(core[name] as unknown as z.ZodMiniType, name, seen) })).map((root) => ({ ...root, shape: canonical(root.shape) }));

  // A shape met more than once (Usage, Cost, UsageStats…) is written once, as a const.
  const uses = new Map<Shape, number>();
  const count = (shape: Shape): void => {
    if (typeof shape !== 'object') return;
    const times = (uses.get(shape) ?? 0) + 1;
    uses.set(shape, times);
    if (times > 1) return;
    for (const inner of children(shape)) count(inner);
  };
  for (const root of roots) count(root.shape);
  const shapeToSchema = new Map([...seen].map(([schema, shape]) => [shape, schema]));
  const named = new Map<unknown, string>();
  const consts: string[] = [];
  const hoist = (shape: Shape): void => {
    if (typeof shape !== 'object' || named.has(shape)) return;
    for (const inner of children(shape)) hoist(inner);
    if ((uses.get(shape) ?? 0) < 2) return;
    const schemaName = exportedSchemas.get(shapeToSchema.get(shape));
    const name = schemaName ? schemaName.replace(/Schema$/, 'Shape') : `shape${consts.length + 1}`;
    consts.push(`const ${name}: Shape = ${shapeSource(shape, named)};`);
    named.set(shape, name);
  };
  for (const root of roots) for (const inner of typeof root.shape === 'object' ? children(root.shape) : []) hoist(inner);

  const typeOf = (name: string) => name.replace(/Schema$/, '');
  const stringSchemas = new Set(roots.filter((root) => root.shape === 'string' || (typeof root.shape === 'object' && 'type' in root.shape && root.shape.type === 'string')).map((root) => root.name));
  const types = roots.filter((root) => !stringSchemas.has(root.name)).map((root) => typeOf(root.name));
  return [
    '// Generated from the zod schemas in ../schemas by src/lite/__tests__/lite.test.ts — do not edit.',
    '// After changing a schema, `pnpm test -u` rewrites this file; the test fails while it is stale.',
    `import type { ${types.join(', ')} } from '../index';`,
    "import { compile, type Shape } from './compile';",
    '',
    ...consts,
    '',
    ...roots.map(
      (root) =>
        `export const ${root.name} = /* @__PURE__ */ compile<${stringSchemas.has(root.name) ? 'string' : typeOf(root.name)}>(${shapeSource(root.shape, named)});`,
    ),
    '',
  ].join('\n');
}

/** The same shape with each child replaced (a new object when any child changed). */
function replaceChildren(shape: Exclude<Shape, string>, replace: (inner: Shape) => Shape): Exclude<Shape, string> {
  if ('type' in shape || 'oneOf' in shape) return shape;
  if ('object' in shape) return { object: Object.fromEntries(Object.entries(shape.object).map(([key, inner]) => [key, replace(inner)])) };
  if ('array' in shape) return { ...shape, array: replace(shape.array) };
  if ('record' in shape) return { record: replace(shape.record) };
  if ('nullable' in shape) return { nullable: replace(shape.nullable) };
  if ('optional' in shape) return { optional: replace(shape.optional) };
  return { union: shape.union.map(replace) };
}

function children(shape: Exclude<Shape, string>): Shape[] {
  if ('type' in shape) return [];
  if ('object' in shape) return Object.values(shape.object);
  if ('array' in shape) return [shape.array];
  if ('record' in shape) return [shape.record];
  if ('nullable' in shape) return [shape.nullable];
  if ('optional' in shape) return [shape.optional];
  if ('oneOf' in shape) return [];
  return [...shape.union];
}
