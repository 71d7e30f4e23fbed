import type * as z from 'zod/mini';
import { nearestOf } from '../catalog/pricingOption';
import { AiuOptionsSchema } from './optionsSchema';

type Path = ReadonlyArray<string | number>;

interface SchemaDef {
  type: string;
  shape?: Record<string, z.ZodMiniType>;
  valueType?: z.ZodMiniType;
  innerType?: z.ZodMiniType;
  options?: z.ZodMiniType[];
  element?: z.ZodMiniType;
}

const defOf = (schema: z.ZodMiniType): SchemaDef => (schema as unknown as { _zod: { def: SchemaDef } })._zod.def;

/** Strips optional/union wrappers down to the object schemas a value could be. */
function objectsIn(schema: z.ZodMiniType): SchemaDef[] {
  const def = defOf(schema);
  if (def.type === 'optional' && def.innerType) return objectsIn(def.innerType);
  if (def.type === 'union' && def.options) return def.options.flatMap(objectsIn);
  return def.type === 'object' || def.type === 'record' ? [def] : [];
}

/** The schema at a path of the options (record keys and array indexes step into their values). */
function schemaAt(path: Path): SchemaDef[] {
  let current: SchemaDef[] = objectsIn(AiuOptionsSchema);
  for (const key of path) {
    current = current.flatMap((def) => {
      if (def.type === 'object') {
        const child = def.shape?.[String(key)];
        return child ? objectsIn(child) : [];
      }
      return def.valueType ? objectsIn(def.valueType) : [];
    });
  }
  return current;
}

/** Every fixed option path, to find where a misplaced option belongs. `*` stands for a record key. */
function allPaths(defs: SchemaDef[], prefix: string[], out: string[][]): string[][] {
  for (const def of defs) {
    if (def.type === 'record' && def.valueType) {
      if (prefix.length < 4) allPaths(objectsIn(def.valueType), [...prefix, '*'], out);
      continue;
    }
    for (const [key, child] of Object.entries(def.shape ?? {})) {
      out.push([...prefix, key]);
      if (prefix.length < 4) allPaths(objectsIn(child), [...prefix, key], out);
    }
  }
  return out;
}

const OPTION_PATHS = allPaths(objectsIn(AiuOptionsSchema), [], []);

const formatPath = (path: Path): string =>
  path.reduce<string>((text, key) => (typeof key === 'number' ? `${text}[${key}]` : /^[A-Za-z_$][\w$]*$/.test(key) ? `${text ? `${text}.` : ''}${key}` : `${text}["${key}"]`), '');

/**
 * Where an unknown option was probably meant to go: a near spelling at the same level, a
 * record next to it that takes this value (`limits.perProvider.openai` → `limits.providers.openai`),
 * or the one place the name is an option (`maxConcurrency` → `limits.perProvider.maxConcurrency`).
 */
function suggestionFor(path: Path, key: string, value: unknown, root: unknown): string | undefined {
  const here = schemaAt(path);
  const siblings = here.flatMap((def) => Object.keys(def.shape ?? {}));
  const near = nearestOf(key, siblings);
  if (near) return formatPath([...path, near]);

  for (let depth = path.length; depth >= 0; depth--) {
    const parent = path.slice(0, depth);
    for (const def of schemaAt(parent)) {
      for (const [name, child] of Object.entries(def.shape ?? {})) {
        for (const record of objectsIn(child)) {
          if (record.type !== 'record' || !record.valueType) continue;
          const target = [...parent, name, key];
          if (record.valueType.safeParse(value).success && !hasPath(root, target)) return formatPath(target);
        }
      }
    }
  }

  const elsewhere = OPTION_PATHS.filter((candidate) => candidate.at(-1) === key && !candidate.includes('*'));
  if (elsewhere.length === 1 && elsewhere[0]) return formatPath(elsewhere[0]);
  return undefined;
}

function hasPath(root: unknown, path: Path): boolean {
  let current = root;
  for (const key of path) {
    if (typeof current !== 'object' || current === null || !(String(key) in current)) return false;
    current = (current as Record<string, unknown>)[String(key)];
  }
  return true;
}

function valueAt(root: unknown, path: Path): unknown {
  let current = root;
  for (const key of path) current = typeof current === 'object' && current !== null ? (current as Record<string, unknown>)[String(key)] : undefined;
  return current;
}

/**
 * `createAiu(options)` checked at startup, so a typo is an error naming the path and the nearest
 * valid option instead of a setting that silently does nothing.
 */
export function validateOptions(options: unknown): void {
  const parsed = AiuOptionsSchema.safeParse(options);
  if (parsed.success) return;
  const issue = parsed.error.issues[0];
  if (!issue) return;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0] ?? '';
    const path = issue.path as Path;
    const option = formatPath([...path, key]);
    const suggestion = suggestionFor(path, key, valueAt(options, [...path, key]), options);
    const known = schemaAt(path).flatMap((def) => Object.keys(def.shape ?? {}));
    throw new TypeError(
      `[aiu] createAiu: ${option} is not an option${suggestion ? ` — did you mean ${suggestion}?` : ''}${known.length ? ` (${path.length ? `${formatPath(path)} takes` : 'options are'}: ${known.join(', ')})` : ''}.`,
    );
  }
  const { path, message } = innermost(issue);
  const at = formatPath(path);
  throw new TypeError(`[aiu] createAiu: ${at || 'options'}: ${message}.`);
}

/** A union's own message says only "Invalid input": the branch of the value's type says what is wrong. */
function innermost(issue: z.core.$ZodIssue): { path: Path; message: string } {
  if (issue.code !== 'invalid_union') return { path: issue.path as Path, message: issue.message };
  const branches = issue.errors.map((errors) => errors[0]).filter((first): first is z.core.$ZodIssue => first !== undefined);
  const fitting = branches.find((first) => first.code !== 'invalid_type') ?? branches[0];
  if (!fitting) return { path: issue.path as Path, message: issue.message };
  const inner = innermost(fitting);
  return { path: [...(issue.path as Path), ...inner.path], message: inner.message };
}
