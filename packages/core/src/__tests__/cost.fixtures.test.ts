import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeCost, createUsage, type ModelPricing } from '../index';

/**
 * Prices typed in by hand from each provider's published price page (USD per 1M tokens),
 * not read from any catalog, so the catalog and the math are checked independently.
 */
const PRICES: Record<string, ModelPricing> = {
  // openai.com/api/pricing: GPT-4.1 nano $0.10 in, $0.025 cached in, $0.40 out.
  'gpt-4.1-nano': { input: 0.1, cacheRead: 0.025, output: 0.4 },
  // text-embedding-3-small $0.02 per 1M.
  'text-embedding-3-small': { input: 0.02, output: 0 },
  // anthropic.com/pricing: Claude Sonnet 4.5 $3 in, $3.75 cache write (5 min), $0.30 cache read, $15 out.
  'claude-sonnet-4-5': { input: 3, cacheWrite: 3.75, cacheRead: 0.3, output: 15 },
  // ai.google.dev/gemini-api/docs/pricing: Gemini 3 Pro Preview $2 / $12 up to 200k prompt tokens,
  // $4 / $18 above; cached input $0.20 / $0.40; thinking tokens are billed as output.
  'gemini-3-pro-preview': {
    input: 2,
    cacheRead: 0.2,
    output: 12,
    tiers: [{ aboveInputTokens: 200_000, input: 4, cacheRead: 0.4, output: 18 }],
  },
  // mistral.ai/pricing: Mistral Small $0.10 in, $0.30 out.
  'mistral-small-latest': { input: 0.1, output: 0.3 },
  // api-docs.deepseek.com/quick_start/pricing (V3.2): $0.028 cache hit, $0.28 cache miss, $0.42 out.
  'deepseek-chat': { input: 0.28, cacheRead: 0.028, output: 0.42 },
  // docs.x.ai/docs/models: grok-3-mini $0.30 in, $0.075 cached in, $0.50 out (reasoning billed as output).
  'grok-3-mini': { input: 0.3, cacheRead: 0.075, output: 0.5 },
  // anthropic.com/pricing: Claude Haiku 4.5 $1 in, $5 out; Claude 3 Opus $15 in, $75 out.
  'claude-haiku-4-5': { input: 1, cacheWrite: 1.25, cacheRead: 0.1, output: 5 },
  'claude-3-opus': { input: 15, cacheWrite: 18.75, cacheRead: 1.5, output: 75 },
  // ai.google.dev pricing: Gemini 3.1 Pro Preview, as Gemini 3 Pro: $2 / $12 up to 200k prompt tokens.
  'gemini-3.1-pro-preview': { input: 2, cacheRead: 0.2, output: 12 },
  // alibabacloud.com Model Studio: Qwen3-Max $1.20 in, $6 out (0–32k input).
  'qwen3-max': { input: 1.2, output: 6 },
  // groq.com/pricing: Llama 3.3 70B Versatile $0.59 in, $0.79 out.
  'llama-3.3-70b-versatile': { input: 0.59, output: 0.79 },
  // DeepSeek V3.2 reasoner, priced as deepseek-chat (one price for both): $0.028 hit, $0.28 miss, $0.42 out.
  'deepseek-reasoner': { input: 0.28, cacheRead: 0.028, output: 0.42 },
};

interface Case {
  price: keyof typeof PRICES;
  /** The fixture's usage, normalised by hand (input includes cached; output includes reasoning). */
  usage: { input: number; output: number; cached?: number; cacheWrite?: number; reasoning?: number };
  /** The bill, worked out by hand. */
  expected: { input: number; output: number; total: number };
}

const CASES: Record<string, Case> = {
  'openai/openai-text.chunks.txt': { price: 'gpt-4.1-nano', usage: { input: 16, output: 300 }, expected: { input: 0.0000016, output: 0.00012, total: 0.0001216 } },
  'openai/openai-text.json': { price: 'gpt-4.1-nano', usage: { input: 16, output: 363 }, expected: { input: 0.0000016, output: 0.0001452, total: 0.0001468 } },
  'openai/openai-embedding.json': { price: 'text-embedding-3-small', usage: { input: 12, output: 0 }, expected: { input: 0.00000024, output: 0, total: 0.00000024 } },
  'anthropic/anthropic-text.chunks.txt': { price: 'claude-sonnet-4-5', usage: { input: 12, output: 30 }, expected: { input: 0.000036, output: 0.00045, total: 0.000486 } },
  'anthropic/anthropic-text.json': { price: 'claude-sonnet-4-5', usage: { input: 12, output: 29 }, expected: { input: 0.000036, output: 0.000435, total: 0.000471 } },
  // claude-fable-5 is on no price page; priced as Sonnet 4.5 to exercise the arithmetic.
  'anthropic/anthropic-refusal.chunks.txt': { price: 'claude-sonnet-4-5', usage: { input: 18, output: 5 }, expected: { input: 0.000054, output: 0.000075, total: 0.000129 } },
  'anthropic/anthropic-refusal.json': { price: 'claude-sonnet-4-5', usage: { input: 18, output: 5 }, expected: { input: 0.000054, output: 0.000075, total: 0.000129 } },
  // Reasoning case: 185 thought tokens billed as output.
  'google/google-text.chunks.txt': { price: 'gemini-3-pro-preview', usage: { input: 9, output: 208, reasoning: 185 }, expected: { input: 0.000018, output: 0.002496, total: 0.002514 } },
  'google/google-text.json': { price: 'gemini-3-pro-preview', usage: { input: 9, output: 272, reasoning: 244 }, expected: { input: 0.000018, output: 0.003264, total: 0.003282 } },
  'google/google-reasoning.chunks.txt': { price: 'gemini-3-pro-preview', usage: { input: 9, output: 285, reasoning: 256 }, expected: { input: 0.000018, output: 0.00342, total: 0.003438 } },
  'google/google-reasoning.json': { price: 'gemini-3-pro-preview', usage: { input: 9, output: 311, reasoning: 282 }, expected: { input: 0.000018, output: 0.003732, total: 0.00375 } },
  'openai-compatible/mistral-text.chunks.txt': { price: 'mistral-small-latest', usage: { input: 13, output: 8 }, expected: { input: 0.0000013, output: 0.0000024, total: 0.0000037 } },
  'openai-compatible/mistral-text.json': { price: 'mistral-small-latest', usage: { input: 13, output: 434 }, expected: { input: 0.0000013, output: 0.0001302, total: 0.0001315 } },
  'openai-compatible/deepseek-text.chunks.txt': { price: 'deepseek-chat', usage: { input: 13, output: 400 }, expected: { input: 0.00000364, output: 0.000168, total: 0.00017164 } },
  'openai-compatible/deepseek-text.json': { price: 'deepseek-chat', usage: { input: 13, output: 300 }, expected: { input: 0.00000364, output: 0.000126, total: 0.00012964 } },
  // Cached + reasoning case; xAI reports its own bill as cost_in_usd_ticks (1e-10 USD): 1721250.
  'openai-compatible/xai-text.chunks.txt': { price: 'grok-3-mini', usage: { input: 12, cached: 11, output: 342, reasoning: 340 }, expected: { input: 0.000001125, output: 0.000171, total: 0.000172125 } },
  // Tool calls and JSON output: the same arithmetic on the recorded usage.
  'anthropic/anthropic-json-output-format.1.chunks.txt': { price: 'claude-sonnet-4-5', usage: { input: 313, output: 305 }, expected: { input: 0.000939, output: 0.004575, total: 0.005514 } },
  'anthropic/anthropic-json-output-format.1.json': { price: 'claude-sonnet-4-5', usage: { input: 371, output: 629 }, expected: { input: 0.001113, output: 0.009435, total: 0.010548 } },
  'anthropic/anthropic-json-tool.1.chunks.txt': { price: 'claude-haiku-4-5', usage: { input: 849, output: 47 }, expected: { input: 0.000849, output: 0.000235, total: 0.001084 } },
  'anthropic/anthropic-json-tool.1.json': { price: 'claude-haiku-4-5', usage: { input: 1151, output: 87 }, expected: { input: 0.001151, output: 0.000435, total: 0.001586 } },
  'anthropic/anthropic-tool-no-args.chunks.txt': { price: 'claude-sonnet-4-5', usage: { input: 565, output: 48 }, expected: { input: 0.001695, output: 0.00072, total: 0.002415 } },
  'anthropic/anthropic-tool-no-args.json': { price: 'claude-3-opus', usage: { input: 602, output: 93 }, expected: { input: 0.00903, output: 0.006975, total: 0.016005 } },
  // Thoughts (45, 893, 132) billed as output.
  'google/google-tool-call.chunks.txt': { price: 'gemini-3-pro-preview', usage: { input: 29, output: 60, reasoning: 45 }, expected: { input: 0.000058, output: 0.00072, total: 0.000778 } },
  'google/google-tool-call.json': { price: 'gemini-3-pro-preview', usage: { input: 29, output: 908, reasoning: 893 }, expected: { input: 0.000058, output: 0.010896, total: 0.010954 } },
  'google/google-stream-tool-call-arguments.chunks.txt': { price: 'gemini-3.1-pro-preview', usage: { input: 26, output: 155, reasoning: 132 }, expected: { input: 0.000052, output: 0.00186, total: 0.001912 } },
  'openai-compatible/alibaba-tool-call.chunks.txt': { price: 'qwen3-max', usage: { input: 295, output: 22 }, expected: { input: 0.000354, output: 0.000132, total: 0.000486 } },
  'openai-compatible/alibaba-tool-call.json': { price: 'qwen3-max', usage: { input: 295, output: 22 }, expected: { input: 0.000354, output: 0.000132, total: 0.000486 } },
  'openai-compatible/groq-tool-call.chunks.txt': { price: 'llama-3.3-70b-versatile', usage: { input: 210, output: 15 }, expected: { input: 0.0001239, output: 0.00001185, total: 0.00013575 } },
  'openai-compatible/groq-tool-call.json': { price: 'llama-3.3-70b-versatile', usage: { input: 218, output: 15 }, expected: { input: 0.00012862, output: 0.00001185, total: 0.00014047 } },
  'openai-compatible/mistral-tool-call.chunks.txt': { price: 'mistral-small-latest', usage: { input: 124, output: 22 }, expected: { input: 0.0000124, output: 0.0000066, total: 0.000019 } },
  'openai-compatible/mistral-tool-call.json': { price: 'mistral-small-latest', usage: { input: 124, output: 22 }, expected: { input: 0.0000124, output: 0.0000066, total: 0.000019 } },
  // zai-glm-5-2 is on no price page we can cite; priced as Mistral Small (no cache price: cached at the input price).
  'openai-compatible/mistral-incremental-tool-call.chunks.txt': { price: 'mistral-small-latest', usage: { input: 171, cached: 128, output: 14 }, expected: { input: 0.0000171, output: 0.0000042, total: 0.0000213 } },
  // 320 of 495 prompt tokens from cache: 175 × $0.28 + 320 × $0.028; 144 out (118 reasoning) × $0.42.
  'openai-compatible/deepseek-json.json': { price: 'deepseek-reasoner', usage: { input: 495, cached: 320, output: 144, reasoning: 118 }, expected: { input: 0.00005796, output: 0.00006048, total: 0.00011844 } },
  // xAI's reported bill: 1641500 ticks.
  'openai-compatible/xai-text.json': { price: 'grok-3-mini', usage: { input: 12, cached: 2, output: 322, reasoning: 320 }, expected: { input: 0.00000315, output: 0.000161, total: 0.00016415 } },
};

const SHARED_FIXTURES = join(__dirname, '../../../testing/fixtures/providers');
const RECORDED = new Set(['openai', 'anthropic', 'google', 'openai-compatible']);

describe('computeCost against every recorded response, at published prices', () => {
  it('has a hand-worked case for every recorded response that carries usage', () => {
    const files = [...RECORDED].flatMap((folder) =>
      readdirSync(join(SHARED_FIXTURES, folder))
        // Error bodies carry no usage; Gemini's batch embeddings report none (and that file is docs-derived).
        .filter((file) => !/error|retry-info|google-embedding/.test(file))
        .map((file) => `${folder}/${file}`),
    );
    expect(Object.keys(CASES).sort()).toEqual(files.sort());
  });

  it.each(Object.entries(CASES))('%s', (_file, { price, usage, expected }) => {
    const cost = computeCost(
      createUsage({
        inputTokens: usage.input,
        outputTokens: usage.output,
        cachedInputTokens: usage.cached ?? 0,
        cacheWriteTokens: usage.cacheWrite ?? 0,
        reasoningTokens: usage.reasoning ?? 0,
      }),
      PRICES[price],
    );
    expect(cost).not.toBeNull();
    expect(Math.abs((cost?.input ?? NaN) - expected.input)).toBeLessThan(1e-9);
    expect(Math.abs((cost?.output ?? NaN) - expected.output)).toBeLessThan(1e-9);
    expect(Math.abs((cost?.total ?? NaN) - expected.total)).toBeLessThan(1e-9);
  });

  it('agrees with the bill xAI reports for its recordings', () => {
    expect((CASES['openai-compatible/xai-text.chunks.txt']?.expected.total ?? 0) * 1e10).toBeCloseTo(1721250, 3);
    expect((CASES['openai-compatible/xai-text.json']?.expected.total ?? 0) * 1e10).toBeCloseTo(1641500, 3);
  });
});

describe('computeCost edge cases', () => {
  it('tier boundary: 199,999 input tokens at the base price, 200,001 at the tier price', () => {
    const gemini = PRICES['gemini-3-pro-preview'];
    const below = computeCost(createUsage({ inputTokens: 199_999, outputTokens: 1000 }), gemini);
    const above = computeCost(createUsage({ inputTokens: 200_001, outputTokens: 1000 }), gemini);
    expect(below).toEqual({ input: 0.399998, output: 0.012, total: 0.411998, currency: 'USD' });
    expect(above).toEqual({ input: 0.800004, output: 0.018, total: 0.818004, currency: 'USD' });
  });

  it('cache writes at their own price, once, and cache reads at theirs', () => {
    // 10,000 prompt tokens: 6,000 read from cache, 3,000 written to it, 1,000 plain.
    const cost = computeCost(
      createUsage({ inputTokens: 10_000, outputTokens: 500, cachedInputTokens: 6_000, cacheWriteTokens: 3_000 }),
      PRICES['claude-sonnet-4-5'],
    );
    // 1,000 × $3 + 6,000 × $0.30 + 3,000 × $3.75 = $0.003 + $0.0018 + $0.01125; 500 × $15 = $0.0075.
    expect(cost).toEqual({ input: 0.01605, output: 0.0075, total: 0.02355, currency: 'USD' });
  });

  it('never bills cached tokens at the full input price', () => {
    const cached = computeCost(createUsage({ inputTokens: 1000, outputTokens: 0, cachedInputTokens: 1000 }), PRICES['gpt-4.1-nano']);
    expect(cached?.input).toBe(0.000025);
  });
});
