import type { ModelInfo, UsageReport, UsageStats } from '@aiu/core';
import { usageStats as stats } from '@aiu/testing/msw';

export const MODELS: ModelInfo[] = [
  { id: 'openai:gpt-4o-mini', provider: 'openai', name: 'GPT-4o mini', kind: 'chat', contextWindow: 128000, maxOutput: 16384, pricing: { input: 0.15, output: 0.6, cacheRead: 0.075 }, capabilities: ['tools', 'vision'], deprecated: false },
  { id: 'openai:gpt-4.1-nano', provider: 'openai', name: 'GPT-4.1 nano', kind: 'chat', contextWindow: 1047576, maxOutput: 32768, pricing: { input: 0.1, output: 0.4 }, capabilities: ['tools'], deprecated: false },
  { id: 'anthropic:claude-sonnet-4-5', provider: 'anthropic', name: 'Claude Sonnet 4.5', kind: 'chat', contextWindow: 200000, maxOutput: 64000, pricing: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 }, capabilities: ['tools', 'reasoning', 'vision'], deprecated: false },
  { id: 'google:gemini-2.5-flash', provider: 'google', name: 'Gemini 2.5 Flash', kind: 'chat', contextWindow: 1048576, maxOutput: 65536, pricing: { input: 0.3, output: 2.5 }, capabilities: ['tools', 'reasoning', 'vision'], deprecated: false },
  { id: 'anthropic:claude-3-haiku', provider: 'anthropic', name: 'Claude 3 Haiku', kind: 'chat', contextWindow: 200000, maxOutput: 4096, pricing: { input: 0.25, output: 1.25 }, capabilities: ['tools'], deprecated: true },
  { id: 'ollama:llama3.2', provider: 'ollama', name: 'llama3.2', kind: 'chat', contextWindow: null, maxOutput: null, pricing: { input: 0, output: 0 }, capabilities: [], deprecated: false },
];


/** A week of usage by model, with known numbers. */
export const REPORT: UsageReport = {
  from: '2026-11-16T00:00:00Z',
  to: '2026-11-23T00:00:00Z',
  granularity: 'day',
  groupBy: 'model',
  tz: 'UTC',
  buckets: [3, 5, 0, 8, 6, 9, 4].map((n, i) => ({
    start: new Date(Date.UTC(2026, 10, 16 + i)).toISOString().replace('.000', ''),
    end: new Date(Date.UTC(2026, 10, 17 + i)).toISOString().replace('.000', ''),
    groups: (n
      ? {
          'openai:gpt-4o-mini': stats({ requests: n * 3, cost: n * 0.012, inputTokens: n * 900, outputTokens: n * 400, latencyP50Ms: 420, latencyP95Ms: 1300 }),
          'anthropic:claude-sonnet-4-5': stats({ requests: n, cost: n * 0.05, inputTokens: n * 600, outputTokens: n * 350, latencyP50Ms: 980, latencyP95Ms: 2400 }),
        }
      : {}) as Record<string, UsageStats>,
  })),
  groups: {
    'openai:gpt-4o-mini': stats({ requests: 105, cost: 0.42, inputTokens: 31500, outputTokens: 14000 }),
    'anthropic:claude-sonnet-4-5': stats({ requests: 35, cost: 1.75, inputTokens: 21000, outputTokens: 12250 }),
  },
  totals: stats({ requests: 140, errors: 3, errorRate: 3 / 140, cost: 2.17, inputTokens: 52500, outputTokens: 26250 }),
};
