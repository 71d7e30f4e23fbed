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
  const roots = LITE_SCHEMAS.map((name) => ({ name, shape: toShape(core[name] as unknown as z.ZodMiniType, name, seen) }));

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
