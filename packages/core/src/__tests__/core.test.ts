import { describe, expect, it, vi } from 'vitest';
import {
  AiuError,
  ChatRequestSchema,
  computeCost,
  createUsage,
  priceUsage,
  sumUsage,
  InvalidModelError,
  parseModelId,
  RateLimitedError,
  statusForCode,
  toAiuError,
  UpstreamError,
} from '../index';

describe('parseModelId', () => {
  it('splits on the first colon only', () => {
    expect(parseModelId('openai:gpt-4o-mini')).toEqual({ provider: 'openai', model: 'gpt-4o-mini' });
    expect(parseModelId('openrouter:meta-llama/llama-3.1-8b-instruct:free')).toEqual({
      provider: 'openrouter',
      model: 'meta-llama/llama-3.1-8b-instruct:free',
    });
    expect(parseModelId('ollama:llama3.2:1b')).toEqual({ provider: 'ollama', model: 'llama3.2:1b' });
  });

  it.each(['gpt-4o-mini', ':gpt-4o', 'openai:', '', ':'])('rejects %j with invalid_model', (id) => {
    expect(() => parseModelId(id)).toThrow(InvalidModelError);
    try {
      parseModelId(id);
    } catch (error) {
      expect(AiuError.isInstance(error) && error.code).toBe('invalid_model');
    }
  });
});

describe('errors', () => {
  it('carry a stable code, a status from the one table and retryability', () => {
    const error = new RateLimitedError('slow down', { retryAfterMs: 1500 });
    expect(error).toMatchObject({ code: 'rate_limited', status: 429, retryable: true, retryAfterMs: 1500 });
    expect(new UpstreamError('x').status).toBe(502);
    expect(statusForCode('quota_exceeded')).toBe(429);
    expect(statusForCode('something-new')).toBe(500);
    expect(error.toJSON()).toEqual({ code: 'rate_limited', message: 'slow down' });
  });

  it('are recognised across duplicate copies of the package, where instanceof fails', async () => {
    vi.resetModules();
    const specifier = '../errors?copy';
    const copy = (await import(/* @vite-ignore */ specifier)) as typeof import('../errors');
    const foreign = new copy.RateLimitedError('from another copy');
    expect(foreign instanceof AiuError).toBe(false);
    expect(AiuError.isInstance(foreign)).toBe(true);
    expect(RateLimitedError.isInstance(foreign)).toBe(true);
    expect(UpstreamError.isInstance(foreign)).toBe(false);
    expect(AiuError.isInstance(new Error('plain'))).toBe(false);
    expect(AiuError.isInstance({ code: 'rate_limited' })).toBe(false);
  });

  it('wrap unknown throws without leaking their message', () => {
    const wrapped = toAiuError(new Error('sk-secret-in-message'));
    expect(wrapped.code).toBe('internal_error');
    expect(wrapped.message).not.toContain('sk-secret');
    expect(toAiuError(Object.assign(new Error('x'), { name: 'AbortError' })).code).toBe('aborted');
  });
});

describe('createUsage', () => {
  it('derives the total from input and output, whatever the provider reported', () => {
    expect(createUsage({ inputTokens: 12, outputTokens: 342, cachedInputTokens: 11, reasoningTokens: 340 })).toEqual({
      inputTokens: 12,
      outputTokens: 342,
      cachedInputTokens: 11,
      cacheWriteTokens: 0,
      reasoningTokens: 340,
      totalTokens: 354,
    });
  });
});

describe('computeCost', () => {
  const usage = createUsage({ inputTokens: 1000, outputTokens: 500, cachedInputTokens: 200, cacheWriteTokens: 100 });

  it('bills uncached input, cache reads and cache writes at their own prices', () => {
    const cost = computeCost(usage, { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 });
    // 700 × $3 + 200 × $0.30 + 100 × $3.75 = $0.002535 input; 500 × $15 = $0.0075 output (per 1M).
    expect(cost).toEqual({ input: 0.002535, output: 0.0075, total: 0.010035, currency: 'USD' });
  });

  it('is null when the price is unknown, never 0', () => {
    expect(computeCost(usage, null)).toBeNull();
    expect(computeCost(usage, undefined)).toBeNull();
  });

  it('sums without floating-point drift', () => {
    const cost = computeCost(createUsage({ inputTokens: 3, outputTokens: 3 }), { input: 0.1, output: 0.2 });
    expect(cost?.total).toBe(0.0000009);
    expect(0.1 * 3 / 1e6 + 0.2 * 3 / 1e6).not.toBe(0.0000009);
  });

  it('chooses the tier by the input size', () => {
    const pricing = { input: 1.25, output: 10, tiers: [{ aboveInputTokens: 200_000, input: 2.5, output: 15 }] };
    expect(computeCost(createUsage({ inputTokens: 199_999, outputTokens: 0 }), pricing)?.input).toBe(0.24999875);
    expect(computeCost(createUsage({ inputTokens: 200_001, outputTokens: 0 }), pricing)?.input).toBe(0.5000025);
  });
});

describe('priceUsage: every billed dimension', () => {
  it('names each used dimension its price lacks, and then gives no figure at all', () => {
    const usage = createUsage({ inputTokens: 100, outputTokens: 10, cacheWriteTokens: 40, cacheWrite1hTokens: 30, audioInputTokens: 5, serverToolRequests: { webFetch: 1 }, serviceTier: 'priority' });
    expect(priceUsage(usage, { input: 1, output: 2 })).toEqual({ cost: null, missing: ['serviceTier:priority', 'inputAudio', 'serverTools.webFetch', 'cacheWrite1h'] });
  });

  it('keeps the standard tier names at base prices and the long-context tier under a service tier', () => {
    const pricing = { input: 1, output: 2, tiers: [{ aboveInputTokens: 100, input: 3, output: 4 }], serviceTiers: { priority: { multiplier: 2 } } };
    for (const tier of ['default', 'standard', 'on_demand', 'auto']) expect(computeCost(createUsage({ inputTokens: 10, outputTokens: 0, serviceTier: tier }), pricing)?.total).toBe(0.00001);
    // 200 input tokens cross the tier ($3); priority doubles it: 200 × $6 per 1M.
    expect(computeCost(createUsage({ inputTokens: 200, outputTokens: 0, serviceTier: 'priority' }), pricing)?.total).toBe(0.0012);
  });

  it('bills images at the input rate unless priced apart, audio and 1-hour writes only at their own', () => {
    const usage = createUsage({ inputTokens: 1000, outputTokens: 100, imageInputTokens: 400, audioInputTokens: 100, audioOutputTokens: 50, cacheWriteTokens: 200, cacheWrite1hTokens: 200 });
    const cost = computeCost(usage, { input: 1, output: 2, cacheWrite1h: 2, inputAudio: 10, outputAudio: 20 });
    // Input: 300 text + 400 image at $1, 100 audio at $10, 200 1-hour writes at $2 = 2100; output: 50 × $2 + 50 × $20 = 1100.
    expect(cost).toEqual({ input: 0.0021, output: 0.0011, total: 0.0032, currency: 'USD', audio: 0.002 });
  });

  it('sums steps: every count, the 1-hour split where any step had one, the tier only when they share it', () => {
    const a = createUsage({ inputTokens: 10, outputTokens: 1, cacheWriteTokens: 4, cacheWrite1hTokens: 4, serverToolRequests: { webSearch: 1 }, serviceTier: 'priority' });
    const b = createUsage({ inputTokens: 20, outputTokens: 2, audioInputTokens: 3, serverToolRequests: { webSearch: 2 }, serviceTier: 'default' });
    expect(sumUsage([a, b])).toMatchObject({ inputTokens: 30, cacheWriteTokens: 4, cacheWrite1hTokens: 4, cacheWrite5mTokens: 0, audioInputTokens: 3, serverToolRequests: { webSearch: 3 } });
    expect(sumUsage([a, b]).serviceTier).toBeUndefined();
    expect(sumUsage([a, a]).serviceTier).toBe('priority');
  });
});

describe('ChatRequestSchema', () => {
  it('accepts the documented request and trims the model', () => {
    const parsed = ChatRequestSchema.parse({
      model: ' openai:gpt-4o-mini ',
      messages: [{ role: 'system', content: 'Be brief.' }, { role: 'user', content: 'Hi' }],
      options: { temperature: 0.5, maxTokens: 100, stop: 'END', seed: 1 },
      keyAlias: 'team',
      metadata: { feature: 'chat' },
      stream: false,
    });
    expect(parsed.model).toBe('openai:gpt-4o-mini');
  });
});
