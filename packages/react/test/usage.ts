import type { UsageReport } from '@aiu/core';
import { usageStats as stats } from '@aiu/testing/msw';

/** Three days, two models: known numbers for geometry checks. */
export const REPORT: UsageReport = {
  from: '2026-11-01T00:00:00Z',
  to: '2026-11-04T00:00:00Z',
  granularity: 'day',
  groupBy: 'model',
  tz: 'UTC',
  buckets: [
    { start: '2026-11-01T00:00:00Z', end: '2026-11-02T00:00:00Z', groups: { 'openai:gpt-4o-mini': stats({ requests: 10, cost: 1.5, inputTokens: 100, outputTokens: 50, latencyP50Ms: 400, latencyP95Ms: 1400 }), 'anthropic:claude-sonnet-4-5': stats({ requests: 2, cost: 4, inputTokens: 40, outputTokens: 20, latencyP50Ms: 900, latencyP95Ms: 2600 }) } },
    { start: '2026-11-02T00:00:00Z', end: '2026-11-03T00:00:00Z', groups: {} },
    { start: '2026-11-03T00:00:00Z', end: '2026-11-04T00:00:00Z', groups: { 'openai:gpt-4o-mini': stats({ requests: 4, cost: 0.5, inputTokens: 30, outputTokens: 10, latencyP50Ms: 380, latencyP95Ms: 700 }) } },
  ],
  groups: {
    'openai:gpt-4o-mini': stats({ requests: 14, cost: 2, inputTokens: 130, outputTokens: 60 }),
    'anthropic:claude-sonnet-4-5': stats({ requests: 2, cost: 4, inputTokens: 40, outputTokens: 20 }),
  },
  totals: stats({ requests: 16, errors: 1, errorRate: 1 / 16, cost: 6, inputTokens: 170, outputTokens: 80 }),
};
