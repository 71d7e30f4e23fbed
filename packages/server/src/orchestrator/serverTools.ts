import type { ChatMessage, JsonSchema } from '@aiu/core';
import * as z from 'zod/mini';
import type { Identity } from '../identity';
import type { ProviderTool } from '../providers/types';
import { Abort } from '../util/abort';

/** What a server tool's `execute` gets besides its input. */
export interface ServerToolContext {
  toolCallId: string;
  requestId: string;
  identity: Identity;
  /** The conversation as the model saw it when it called the tool. */
  messages: ChatMessage[];
  /** Aborts when the caller goes away, the call's deadline passes, or the tool's own timeout does. */
  signal: AbortSignal;
}

/** A Standard Schema (zod 4, valibot…): what aiu validates a tool's input with. zod 4 schemas also give the JSON Schema. */
interface StandardSchema {
  readonly '~standard': {
    validate(value: unknown): { value?: unknown; issues?: ReadonlyArray<{ message: string; path?: ReadonlyArray<unknown> }> } | Promise<{ value?: unknown; issues?: ReadonlyArray<{ message: string }> }>;
  };
}

/**
 * Declared as a method (React's types do the same for event handlers) so it is bivariant in its
 * input: a tool typed for its own input still fits `createAiu({ tools })`, which takes any tool.
 */
type ApprovalCheck<Input> = { check(input: Input, context: Omit<ServerToolContext, 'signal'>): boolean | Promise<boolean> }['check'];

/** A tool aiu runs itself when the model calls it (`createAiu({ tools })`). */
export interface ServerTool<Input = unknown, Output = unknown> {
  description?: string;
  /** A JSON Schema, or a zod 4 schema (its JSON Schema is sent to the model, and the input is validated with it). */
  inputSchema: JsonSchema | StandardSchema;
  execute(input: Input, context: ServerToolContext): Output | Promise<Output>;
  /** Ask the client first: the call stops with `approval: "required"` until a `tool-approval-response` comes back. */
  needsApproval?: boolean | ApprovalCheck<Input>;
  /** How long `execute` may run. Default: `createAiu({ toolTimeoutMs })`, 60 s. */
  timeoutMs?: number;
}

export type ServerToolsOption = Record<string, ServerTool>;

export const DEFAULT_TOOL_TIMEOUT_MS = 60_000;

interface Definition {
  name: string;
  tool: ServerTool;
  provider: ProviderTool;
  validate: ((value: unknown) => Promise<{ ok: true; value: unknown } | { ok: false; message: string }>) | undefined;
}

/** What running a tool came to: its output, or an error the model is told about (`isError`). */
export interface ToolRun {
  output: unknown;
  isError: boolean;
  outcome: 'success' | 'error' | 'aborted';
  durationMs: number;
}

const TOOL_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

/** The server tools of one aiu instance: their definitions for providers, and how they are run. */
export class ServerTools {
  private readonly definitions = new Map<string, Definition>();

  constructor(
    tools: ServerToolsOption | undefined,
    private readonly defaultTimeoutMs: number,
  ) {
    for (const [name, tool] of Object.entries(tools ?? {})) {
      if (!TOOL_NAME.test(name)) throw new TypeError(`Tool name "${name}" must be 1–64 letters, digits, "_", "." or "-".`);
      if (typeof tool?.execute !== 'function') throw new TypeError(`Tool "${name}" needs an execute(input, context) function.`);
      this.definitions.set(name, { name, tool, provider: { name, description: tool.description, inputSchema: jsonSchemaOf(tool.inputSchema, name) }, validate: validatorOf(tool.inputSchema) });
    }
  }

  get size(): number {
    return this.definitions.size;
  }

  has(name: string): boolean {
    return this.definitions.has(name);
  }

  names(): string[] {
    return [...this.definitions.keys()];
  }

  definition(name: string): ProviderTool | undefined {
    return this.definitions.get(name)?.provider;
  }

  /** Whether the client must approve this call first. */
  async needsApproval(name: string, input: unknown, context: Omit<ServerToolContext, 'signal'>): Promise<boolean> {
    const rule = this.definitions.get(name)?.tool.needsApproval;
    if (typeof rule === 'function') return Boolean(await rule(input, context));
    return rule === true;
  }

  /** Whether `needsApproval` is a function, so the answer is known only once the input is. */
  decidesApprovalLater(name: string): boolean {
    return typeof this.definitions.get(name)?.tool.needsApproval === 'function';
  }

  approvalIsStatic(name: string): boolean | undefined {
    const rule = this.definitions.get(name)?.tool.needsApproval;
    return typeof rule === 'function' ? undefined : rule === true;
  }

  /**
   * Runs a tool: its input validated (when its schema can validate), under its deadline and the
   * call's abort. A throw, an invalid input or a deadline becomes an error result the model sees;
   * only the caller's departure ends the run as `aborted`.
   */
  async run(name: string, input: unknown, context: Omit<ServerToolContext, 'signal'>, cancel: Abort): Promise<ToolRun> {
    const definition = this.definitions.get(name);
    const started = performance.now();
    const took = () => Math.round((performance.now() - started) * 100) / 100;
    if (!definition) return { output: { error: `There is no tool named "${name}".` }, isError: true, outcome: 'error', durationMs: 0 };
    let value = input;
    if (definition.validate) {
      const checked = await definition.validate(input);
      if (!checked.ok) return { output: { error: `Invalid input for ${name}: ${checked.message}` }, isError: true, outcome: 'error', durationMs: took() };
      value = checked.value;
    }
    const abort = new Abort();
    const stopFollowing = abort.follow(cancel);
    const timeoutMs = definition.tool.timeoutMs ?? this.defaultTimeoutMs;
    const stopTimer = abort.after(timeoutMs, () => new ToolTimeoutError(name, timeoutMs));
    try {
      // The signal is made only if the tool reads it: most never do, and making one costs more than the rest of a step's bookkeeping.
      const toolContext: ServerToolContext = {
        ...context,
        get signal() {
          return abort.signal;
        },
      };
      const output = await raceAbort(Promise.resolve().then(() => definition.tool.execute(value, toolContext)), abort);
      return { output: output === undefined ? null : output, isError: false, outcome: 'success', durationMs: took() };
    } catch (error) {
      if (cancel.aborted) return { output: { error: 'The call was stopped.' }, isError: true, outcome: 'aborted', durationMs: took() };
      // What a tool throws is for the model to see, and to recover from: its message, not a stack.
      const message = error instanceof ToolTimeoutError ? error.message : error instanceof Error ? error.message : String(error);
      return { output: { error: message.slice(0, 2000) }, isError: true, outcome: 'error', durationMs: took() };
    } finally {
      stopTimer();
      stopFollowing();
    }
  }
}

class ToolTimeoutError extends Error {
  constructor(name: string, ms: number) {
    super(`The tool ${name} did not finish within ${ms} ms.`);
    this.name = 'ToolTimeoutError';
  }
}

/** A tool that ignores its signal still loses the race: the loop goes on without it. */
function raceAbort<T>(work: Promise<T>, abort: Abort): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const stop = abort.onAbort(() => reject(abort.reason));
    work.then(
      (value) => {
        stop();
        resolve(value);
      },
      (error: unknown) => {
        stop();
        reject(error);
      },
    );
  });
}

function isStandard(schema: unknown): schema is StandardSchema {
  return typeof schema === 'object' && schema !== null && '~standard' in schema;
}

/** The JSON Schema sent to providers: a zod 4 schema's own, or the JSON Schema given (without its `$schema` line). */
function jsonSchemaOf(schema: ServerTool['inputSchema'], name: string): JsonSchema {
  let json: unknown = schema;
  if (isStandard(schema)) {
    if (!('_zod' in schema)) throw new TypeError(`Tool "${name}": inputSchema must be a JSON Schema or a zod 4 schema.`);
    json = z.toJSONSchema(schema as unknown as z.ZodMiniType);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) throw new TypeError(`Tool "${name}": inputSchema must be a JSON Schema object.`);
  const { $schema: _schema, ...rest } = json as Record<string, unknown>;
  return rest;
}

function validatorOf(schema: ServerTool['inputSchema']): Definition['validate'] {
  if (!isStandard(schema)) return undefined;
  return async (value) => {
    const result = await schema['~standard'].validate(value);
    if (!result.issues?.length) return { ok: true, value: result.value };
    return { ok: false, message: result.issues.map((issue) => issue.message).slice(0, 3).join('; ') };
  };
}
