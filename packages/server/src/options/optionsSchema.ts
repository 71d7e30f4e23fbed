import * as z from 'zod/mini';

const fn = z.custom<(...args: never[]) => unknown>((value) => typeof value === 'function', { message: 'Expected a function' });
/** Instances (a store, a state backend, a tracer) are checked by what they must do, not by shape. */
const withMethods = (name: string, ...methods: string[]) =>
  z.custom<object>(
    (value) => typeof value === 'object' && value !== null && methods.every((method) => typeof (value as Record<string, unknown>)[method] === 'function'),
    { message: `Expected ${name} (an object with ${methods.join(', ')})` },
  );
const count = z.optional(z.number().check(z.int(), z.positive()));
const ms = z.optional(z.number().check(z.nonnegative()));
const action = z.enum(['block', 'redact', 'flag', 'off']);

const limit = z.strictObject({ rpm: count, tpm: count, maxConcurrency: count });
const quota = z.strictObject({ costUsd: z.optional(z.number().check(z.nonnegative())), tokens: count });
const ruleSet = z.optional(z.union([action, z.strictObject({ action: z.optional(action), rules: z.optional(z.record(z.string(), action)) })]));

const provider = z.strictObject({
  baseURL: z.optional(z.string()),
  apiKey: z.optional(z.string()),
  headers: z.optional(z.record(z.string(), z.string())),
  timeoutMs: ms,
  // openai-compatible
  type: z.optional(z.literal('openai-compatible')),
  envKey: z.optional(z.string()),
  // openrouter
  appUrl: z.optional(z.string()),
  appName: z.optional(z.string()),
});

const tool = z.strictObject({
  description: z.optional(z.string()),
  inputSchema: z.custom<object>((value) => typeof value === 'object' && value !== null, { message: 'Expected a JSON Schema or a zod schema' }),
  execute: fn,
  needsApproval: z.optional(z.union([z.boolean(), fn])),
  timeoutMs: ms,
});

/**
 * Every `createAiu` option, strict at each level: a misspelled or misplaced option would
 * otherwise be dropped without a word (`limits.perProvider.openai.maxConcurrency` limits nothing).
 * Prices are checked field by field by `validatePricing`.
 */
export const AiuOptionsSchema = z.strictObject({
  store: z.optional(withMethods('a store', 'init', 'insertLogs', 'listLogs')),
  providers: z.optional(z.record(z.string(), provider)),
  pricing: z.optional(z.record(z.string(), z.custom<object>((value) => typeof value === 'object' && value !== null, { message: 'Expected a price object' }))),
  identify: z.optional(fn),
  authorize: z.optional(fn),
  masterKey: z.optional(z.string()),
  masterKeyPath: z.optional(z.string()),
  keyring: z.optional(z.boolean()),
  env: z.optional(z.record(z.string(), z.optional(z.string()))),
  logger: z.optional(withMethods('a logger', 'warn')),
  maxBodyBytes: count,
  maxChatBodyBytes: count,
  tools: z.optional(z.record(z.string(), tool)),
  toolTimeoutMs: ms,
  basePath: z.optional(z.string()),
  log: z.optional(z.strictObject({ flushIntervalMs: ms, maxBatch: count })),
  pingIntervalMs: ms,
  discoveryTtlMs: ms,
  limits: z.optional(
    z.strictObject({
      perProvider: z.optional(limit),
      providers: z.optional(z.record(z.string(), limit)),
      perKey: z.optional(z.strictObject({ rpm: count, tpm: count })),
      queueTimeoutMs: ms,
    }),
  ),
  retries: z.optional(z.strictObject({ maxAttempts: count, baseDelayMs: ms, maxDelayMs: ms, maxTotalMs: ms })),
  breaker: z.optional(
    z.strictObject({
      failureThreshold: count,
      failureRate: z.optional(z.number().check(z.gt(0), z.lte(1))),
      minimumRequests: count,
      windowMs: ms,
      cooldownMs: ms,
    }),
  ),
  quotas: z.optional(z.strictObject({ daily: z.optional(quota), monthly: z.optional(quota) })),
  timeouts: z.optional(z.strictObject({ connectMs: ms, firstTokenMs: ms, totalMs: ms })),
  routes: z.optional(z.record(z.string(), z.array(z.string()))),
  state: z.optional(withMethods('a state backend', 'windowTake', 'windowAdjust')),
  tracer: z.optional(withMethods('a tracer', 'startSpan')),
  logBodies: z.optional(z.union([z.boolean(), z.strictObject({ redact: z.optional(fn), maxChars: count })])),
  guardrails: z.optional(
    z.strictObject({
      secrets: ruleSet,
      pii: ruleSet,
      custom: z.optional(z.array(fn)),
      answers: z.optional(z.enum(['flag', 'off'])),
    }),
  ),
  metrics: z.optional(z.union([z.boolean(), z.strictObject({ process: z.optional(z.boolean()) })])),
});
