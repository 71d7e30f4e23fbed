import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type ChatResult, type LogEntry, LogPageSchema, ModelListSchema, type ModelPricing, UsageReportSchema } from '@aiu/core';
import { FIXTURES_DIR, loadFixture } from '@aiu/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { chatRequest, createRig, issueClientKey, type TestRig } from '../../test/helpers';
import { PRICE_DATA } from '../catalog/priceDataRelease';

/**
 * Every dimension providers bill, priced from the recordings. Where no recording has a non-zero
 * value, a copy of one is served with its usage numbers (or its service tier) alone changed.
 * Expected figures are worked out by hand from the published rates below, per 1M tokens (USD),
 * and checked to 1e-9 USD.
 */
const RATES = {
  // anthropic.com/pricing — Claude Sonnet 4.5: input $3, 5-minute cache write $3.75, 1-hour
  // cache write $6, cache read $0.30, output $15; web search $10 per 1,000 searches.
  sonnet45: { input: 3, write5m: 3.75, write1h: 6, read: 0.3, output: 15, webSearchPer1k: 10 },
  // ai.google.dev/gemini-api/docs/pricing — Gemini 3 Pro Preview up to 200k prompt tokens:
  // $2 input (text, image, video and audio alike), $12 output (thinking included).
  gemini3Pro: { input: 2, output: 12 },
  // openai.com/api/pricing — GPT-4.1 nano: standard $0.10 / $0.025 cached / $0.40; Priority
  // processing $0.20 / $0.05 cached / $0.80. GPT-4o audio: $40 audio in, $80 audio out.
  gpt41nano: { input: 0.1, read: 0.025, output: 0.4, priority: { input: 0.2, read: 0.05, output: 0.8 }, audioIn: 40, audioOut: 80 },
  // openrouter.ai/openai/gpt-4o-mini: $0.15 / $0.60.
  gpt4oMini: { input: 0.15, output: 0.6 },
  // docs.x.ai — grok-3-mini: $0.30 / $0.075 cached / $0.50 (reasoning billed as output).
  grok3mini: { input: 0.3, read: 0.075, output: 0.5 },
};

const perMillion = (tokens: number, rate: number) => (tokens * rate) / 1e6;
const messages = [{ role: 'user' as const, content: 'Hello' }];

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- recorded wire data, changed in place

let rig: TestRig | undefined;
let dir: string | undefined;
afterEach(async () => {
  await rig?.close();
  rig = undefined;
  if (dir) rmSync(dir, { recursive: true, force: true });
  dir = undefined;
});

/**
 * Serves `fixture` (`anthropic/anthropic-text`) with `change` applied to its JSON body and to
 * every streamed payload, from a temporary copy of the fixtures.
 */
async function serve(fixture: string, change: (payload: Json) => void, pricing: Record<string, ModelPricing> = {}): Promise<TestRig> {
  const recorded = loadFixture(fixture, FIXTURES_DIR);
  dir = mkdtempSync(join(tmpdir(), 'aiu-billing-'));
  const [folder, name] = fixture.split('/') as [string, string];
  mkdirSync(join(dir, folder));
  if (recorded.json) {
    const body = structuredClone(recorded.json) as Json;
    change(body);
    writeFileSync(join(dir, folder, `${name}.json`), JSON.stringify(body));
  }
  if (recorded.chunks) {
    const lines = recorded.chunks.map((line) => {
      const payload = JSON.parse(line) as Json;
      change(payload);
      return JSON.stringify(payload);
    });
    writeFileSync(join(dir, folder, `${name}.chunks.txt`), `${lines.join('\n')}\n`);
  }
  rig = await createRig({ pricing }, { fixturesDir: dir, fixture });
  return rig;
}

async function complete(target: TestRig, model: string): Promise<ChatResult> {
  const response = await target.aiu.handler(chatRequest({ model, messages, stream: false }));
  expect(response.status).toBe(200);
  return (await response.json()) as ChatResult;
}

async function streamed(target: TestRig, model: string): Promise<Json> {
  const response = await target.aiu.handler(chatRequest({ model, messages }));
  const text = await response.text();
  const finish = text.split('\n\n').find((block) => block.startsWith('event: finish'));
  return JSON.parse(finish?.split('\ndata: ')[1] ?? 'null') as Json;
}

async function lastEntry(target: TestRig): Promise<LogEntry> {
  const page = LogPageSchema.parse(await (await target.aiu.handler(new Request('http://localhost/api/aiu/logs'), { clientAddress: '127.0.0.1' })).json());
  const entry = page.entries[0];
  if (!entry) throw new Error('no log entry');
  return entry;
}

/** `/usage` over its default range (today's calls included). */
async function usageReport(target: TestRig) {
  const response = await target.aiu.handler(new Request('http://localhost/api/aiu/usage'), { clientAddress: '127.0.0.1' });
  expect(response.status).toBe(200);
  return UsageReportSchema.parse(await response.json());
}

/** Anthropic's usage: in the JSON body, and in `message_start` and `message_delta` of the stream. */
function anthropicUsage(payload: Json): Json | undefined {
  return payload.usage ?? payload.message?.usage;
}

describe('cache writes by duration (Anthropic)', () => {
  const usage = { input_tokens: 12, cache_creation_input_tokens: 3000, cache_read_input_tokens: 500, cache_creation: { ephemeral_5m_input_tokens: 1000, ephemeral_1h_input_tokens: 2000 } };
  const r = RATES.sonnet45;
  const input = perMillion(12, r.input) + perMillion(1000, r.write5m) + perMillion(2000, r.write1h) + perMillion(500, r.read);

  it('prices 1-hour writes at their own rate, not as 5-minute ones, streamed and not', async () => {
    const target = await serve('anthropic/anthropic-text', (payload) => {
      const wire = anthropicUsage(payload);
      if (wire) Object.assign(wire, usage);
    });
    const result = await complete(target, 'anthropic:claude-sonnet-4-5');
    expect(result.usage).toMatchObject({ inputTokens: 3512, cacheWriteTokens: 3000, cacheWrite5mTokens: 1000, cacheWrite1hTokens: 2000, cachedInputTokens: 500 });
    expect(result.cost?.input).toBeCloseTo(input, 9);
    expect(result.cost?.total).toBeCloseTo(input + perMillion(29, r.output), 9);
    // All 3,000 written tokens at the 5-minute rate would be 37.5% short on the 1-hour part.
    expect(result.cost?.input).not.toBeCloseTo(perMillion(12, r.input) + perMillion(3000, r.write5m) + perMillion(500, r.read), 6);

    const finish = await streamed(target, 'anthropic:claude-sonnet-4-5');
    expect(finish.usage).toMatchObject({ cacheWrite5mTokens: 1000, cacheWrite1hTokens: 2000 });
    expect(finish.cost.total).toBeCloseTo(input + perMillion(30, r.output), 9);

    const entry = await lastEntry(target);
    expect(entry).toMatchObject({ cacheWrite5mTokens: 1000, cacheWrite1hTokens: 2000, costSource: 'catalog', serviceTier: 'standard' });
    const report = await usageReport(target);
    expect(report.totals.cacheWrite1hTokens).toBe(4000);
  });

  it('a model whose price has no 1-hour rate costs null with one warning naming it, never the 5-minute rate', async () => {
    const target = await serve(
      'anthropic/anthropic-text',
      (payload) => {
        const wire = anthropicUsage(payload);
        if (wire) Object.assign(wire, usage);
      },
      { 'anthropic:claude-sonnet-4-5': { input: 3, cacheWrite: 3.75, cacheRead: 0.3, output: 15 } },
    );
    const result = await complete(target, 'anthropic:claude-sonnet-4-5');
    expect(result.cost).toBeNull();
    await complete(target, 'anthropic:claude-sonnet-4-5');
    expect(target.warnings.filter((w) => w.includes('cache writes kept 1 hour'))).toHaveLength(1);
    expect((await lastEntry(target)).cost).toBeNull();
  });
});

describe('thinking tokens (Anthropic)', () => {
  it('reports them as reasoning, billed inside output', async () => {
    const target = await serve('anthropic/anthropic-text', (payload) => {
      const wire = anthropicUsage(payload);
      if (wire && typeof wire.output_tokens === 'number') wire.output_tokens_details = { thinking_tokens: 20 };
    });
    const result = await complete(target, 'anthropic:claude-sonnet-4-5');
    expect(result.usage).toMatchObject({ outputTokens: 29, reasoningTokens: 20 });
    expect(result.cost?.output).toBeCloseTo(perMillion(29, RATES.sonnet45.output), 9);
    expect((await lastEntry(target)).reasoningTokens).toBe(20);
  });
});

describe('server-side tools (Anthropic web search)', () => {
  it('bills each search at the per-1,000 price beside the tokens', async () => {
    const target = await serve('anthropic/anthropic-text', (payload) => {
      const wire = anthropicUsage(payload);
      if (wire && typeof wire.output_tokens === 'number') wire.server_tool_use = { web_search_requests: 2, web_fetch_requests: 0 };
    });
    const result = await complete(target, 'anthropic:claude-sonnet-4-5');
    const r = RATES.sonnet45;
    const search = (2 * r.webSearchPer1k) / 1000;
    expect(result.usage.serverToolRequests).toEqual({ webSearch: 2 });
    expect(result.cost?.serverTools).toBeCloseTo(search, 9);
    expect(result.cost?.total).toBeCloseTo(perMillion(12, r.input) + perMillion(29, r.output) + search, 9);
    const entry = await lastEntry(target);
    expect(entry.serverToolRequests).toEqual({ webSearch: 2 });
    expect(entry.cost?.serverTools).toBeCloseTo(search, 9);
  });

  it('a tool kind the price data does not price (web fetch) makes the cost null, with a warning', async () => {
    const target = await serve('anthropic/anthropic-text', (payload) => {
      const wire = anthropicUsage(payload);
      if (wire && typeof wire.output_tokens === 'number') wire.server_tool_use = { web_search_requests: 0, web_fetch_requests: 1 };
    });
    expect((await complete(target, 'anthropic:claude-sonnet-4-5')).cost).toBeNull();
    expect(target.warnings.join('\n')).toMatch(/anthropic:claude-sonnet-4-5 has no price for web fetch requests/);
  });
});

describe('service tiers (OpenAI)', () => {
  const asTier = (tier: string) => (payload: Json) => {
    if ('service_tier' in payload || payload.object === 'chat.completion') payload.service_tier = tier;
  };
  const r = RATES.gpt41nano;

  it('priority has no price in the data: cost null and a warning naming the tier', async () => {
    const target = await serve('openai/openai-text', asTier('priority'));
    const result = await complete(target, 'openai:gpt-4.1-nano');
    expect(result.usage.serviceTier).toBe('priority');
    expect(result.cost).toBeNull();
    expect(target.warnings.join('\n')).toMatch(/no price for the "priority" service tier/);
    expect(await lastEntry(target)).toMatchObject({ serviceTier: 'priority', cost: null, costSource: null });
  });

  it('priority at the published rates given as an override; flex, which the override lacks, stays null', async () => {
    const pricing = { 'openai:gpt-4.1-nano': { input: r.input, cacheRead: r.read, output: r.output, serviceTiers: { priority: { input: r.priority.input, cacheRead: r.priority.read, output: r.priority.output } } } };
    const target = await serve('openai/openai-text', asTier('priority'), pricing);
    const result = await complete(target, 'openai:gpt-4.1-nano');
    expect(result.cost?.total).toBeCloseTo(perMillion(16, r.priority.input) + perMillion(363, r.priority.output), 9);
    const finish = await streamed(target, 'openai:gpt-4.1-nano');
    expect(finish.usage.serviceTier).toBe('priority');
    expect(finish.cost.total).toBeCloseTo(perMillion(16, r.priority.input) + perMillion(300, r.priority.output), 9);
    const entry = await lastEntry(target);
    expect(entry.costSource).toBe('override');
    const report = await usageReport(target);
    expect(report.totals.tierRequests).toBe(2);
    expect(report.totals.tierCost).toBeCloseTo(report.totals.cost, 9);
    await target.close();
    rig = undefined;

    const flex = await serve('openai/openai-text', asTier('flex'), pricing);
    expect((await complete(flex, 'openai:gpt-4.1-nano')).cost).toBeNull();
    expect(flex.warnings.join('\n')).toMatch(/"flex" service tier/);
  });

  it('a multiplier prices a tier from the base rates (Gemini-style flex at 0.5×)', async () => {
    const pricing = { 'openai:gpt-4.1-nano': { input: r.input, cacheRead: r.read, output: r.output, serviceTiers: { flex: { multiplier: 0.5 } } } };
    const target = await serve('openai/openai-text', asTier('flex'), pricing);
    const result = await complete(target, 'openai:gpt-4.1-nano');
    expect(result.cost?.total).toBeCloseTo((perMillion(16, r.input) + perMillion(363, r.output)) * 0.5, 9);
  });
});

describe('audio and image tokens', () => {
  const r = RATES.gpt41nano;
  const withAudio = (payload: Json) => {
    const usage = payload.usage;
    if (!usage) return;
    usage.prompt_tokens_details = { cached_tokens: 0, audio_tokens: 10 };
    usage.completion_tokens_details = { reasoning_tokens: 0, audio_tokens: 100 };
  };

  it('an OpenAI audio call on a model the data gives no audio price: null and a warning, never the text rate', async () => {
    const target = await serve('openai/openai-text', withAudio);
    const result = await complete(target, 'openai:gpt-4.1-nano');
    expect(result.usage).toMatchObject({ audioInputTokens: 10, audioOutputTokens: 100 });
    expect(result.cost).toBeNull();
    expect(target.warnings.join('\n')).toMatch(/no price for audio input tokens/);
    expect(target.warnings.join('\n')).toMatch(/no price for audio output tokens/);
  });

  it('an OpenAI audio call with audio prices: each modality at its own rate, the audio part reported', async () => {
    const target = await serve('openai/openai-text', withAudio, { 'openai:gpt-4.1-nano': { input: r.input, output: r.output, inputAudio: r.audioIn, outputAudio: r.audioOut } });
    const result = await complete(target, 'openai:gpt-4.1-nano');
    const audio = perMillion(10, r.audioIn) + perMillion(100, r.audioOut);
    expect(result.cost?.input).toBeCloseTo(perMillion(6, r.input) + perMillion(10, r.audioIn), 9);
    expect(result.cost?.output).toBeCloseTo(perMillion(263, r.output) + perMillion(100, r.audioOut), 9);
    expect(result.cost?.audio).toBeCloseTo(audio, 9);
    const report = await usageReport(target);
    expect(report.totals).toMatchObject({ audioInputTokens: 10, audioOutputTokens: 100 });
    expect(report.totals.audioCost).toBeCloseTo(audio, 9);
  });

  it('a Gemini image prompt and an audio prompt: counted by modality, at Gemini 3 Pro’s one input rate', async () => {
    const target = await serve('google/google-text', (payload) => {
      const meta = payload.usageMetadata;
      if (!meta) return;
      meta.promptTokenCount = 1800;
      meta.promptTokensDetails = [
        { modality: 'TEXT', tokenCount: 10 },
        { modality: 'IMAGE', tokenCount: 1290 },
        { modality: 'AUDIO', tokenCount: 500 },
      ];
    });
    const result = await complete(target, 'google:gemini-3-pro-preview');
    const g = RATES.gemini3Pro;
    expect(result.usage).toMatchObject({ inputTokens: 1800, imageInputTokens: 1290, audioInputTokens: 500, outputTokens: 272, reasoningTokens: 244 });
    expect(result.cost?.input).toBeCloseTo(perMillion(1800, g.input), 9);
    expect(result.cost?.output).toBeCloseTo(perMillion(272, g.output), 9);
    expect(result.cost?.audio).toBeCloseTo(perMillion(500, g.input), 9);
    expect(target.warnings).toEqual([]);
  });

  it('Gemini tool-use prompt tokens count as input, at the input rate', async () => {
    const target = await serve('google/google-text', (payload) => {
      if (payload.usageMetadata) payload.usageMetadata.toolUsePromptTokenCount = 91;
    });
    const result = await complete(target, 'google:gemini-3-pro-preview');
    expect(result.usage).toMatchObject({ inputTokens: 100, toolUsePromptTokens: 91 });
    expect(result.cost?.input).toBeCloseTo(perMillion(100, RATES.gemini3Pro.input), 9);
  });
});

describe('a cost the provider reports itself', () => {
  it('OpenRouter disagreeing with the price data: its figure is the cost, the data’s is logged beside it, with a warning', async () => {
    const target = await serve('openrouter/openrouter-text', (payload) => {
      if (payload.usage?.cost !== undefined) payload.usage.cost = 0.000009;
    });
    const result = await complete(target, 'openrouter:openai/gpt-4o-mini');
    expect(result.cost?.total).toBe(0.000009);
    const catalog = perMillion(14, RATES.gpt4oMini.input) + perMillion(9, RATES.gpt4oMini.output);
    const entry = await lastEntry(target);
    expect(entry.costSource).toBe('provider');
    expect(entry.catalogCost).toBeCloseTo(catalog, 9);
    expect(target.warnings.filter((w) => w.includes('the provider charged'))).toHaveLength(1);
    expect(target.warnings.join('\n')).toMatch(/\$0\.000009 where the price data gives \$0\.0000075 \(20\.00%\)/);
  });

  it('OpenRouter agreeing (the recording as it is): no warning', async () => {
    const target = await serve('openrouter/openrouter-text', () => {});
    await complete(target, 'openrouter:openai/gpt-4o-mini');
    expect((await lastEntry(target)).costSource).toBe('provider');
    expect(target.warnings.filter((w) => w.includes('the provider charged'))).toEqual([]);
  });

  it('xAI’s cost_in_usd_ticks (the recording as it is) is the cost, and matches the price data', async () => {
    const target = await serve('openai-compatible/xai-text', () => {});
    const result = await complete(target, 'xai:grok-3-mini');
    const g = RATES.grok3mini;
    const catalog = perMillion(10, g.input) + perMillion(2, g.read) + perMillion(322, g.output);
    // 1,641,500 ticks of 1e-10 USD.
    expect(result.cost?.total).toBeCloseTo(0.00016415, 12);
    expect(result.cost?.total).toBeCloseTo(catalog, 9);
    const entry = await lastEntry(target);
    expect(entry).toMatchObject({ costSource: 'provider' });
    expect(entry.catalogCost).toBeCloseTo(catalog, 9);
    expect(target.warnings.filter((w) => w.includes('the provider charged'))).toEqual([]);
  });
});

describe('price data freshness and export', () => {
  it('/models says which price data release priced the list', async () => {
    const target = await serve('openai/openai-text', () => {});
    const list = ModelListSchema.parse(await (await target.aiu.handler(new Request('http://localhost/api/aiu/models?kind=chat'))).json());
    expect(list.priceData).toEqual(PRICE_DATA);
    expect(list.priceData?.releasedAt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('the export carries every billing column', async () => {
    const target = await serve('anthropic/anthropic-text', (payload) => {
      const wire = anthropicUsage(payload);
      if (wire) Object.assign(wire, { cache_creation_input_tokens: 30, cache_creation: { ephemeral_5m_input_tokens: 10, ephemeral_1h_input_tokens: 20 }, server_tool_use: { web_search_requests: 1 } });
    });
    await complete(target, 'anthropic:claude-sonnet-4-5');
    const csv = await (await target.aiu.handler(new Request('http://localhost/api/aiu/logs/export?format=csv'), { clientAddress: '127.0.0.1' })).text();
    const [header, row] = csv.trim().split('\r\n') as [string, string];
    const columns = header.split(',');
    const cell = (name: string) => row.split(',')[columns.indexOf(name)];
    expect(cell('cacheWrite5mTokens')).toBe('10');
    expect(cell('cacheWrite1hTokens')).toBe('20');
    expect(cell('serviceTier')).toBe('standard');
    expect(cell('costSource')).toBe('catalog');
    expect(Number(cell('costServerTools'))).toBeCloseTo(0.01, 9);
  });
});

describe('the compatible endpoints’ usage blocks', () => {
  async function post(target: TestRig, path: string, body: unknown): Promise<Json> {
    const { key } = await issueClientKey(target.aiu);
    const response = await target.aiu.handler(
      new Request(`http://localhost/api/aiu${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${key}` }, body: JSON.stringify(body) }),
    );
    expect(response.status).toBe(200);
    return (await response.json()) as Json;
  }

  it('/v1/messages reports writes by duration, searches and the tier as Anthropic does', async () => {
    const target = await serve('anthropic/anthropic-text', (payload) => {
      const wire = anthropicUsage(payload);
      if (wire) Object.assign(wire, { cache_creation_input_tokens: 30, cache_creation: { ephemeral_5m_input_tokens: 10, ephemeral_1h_input_tokens: 20 }, server_tool_use: { web_search_requests: 1 } });
    });
    const body = await post(target, '/v1/messages', { model: 'anthropic:claude-sonnet-4-5', max_tokens: 100, messages });
    expect(body.usage).toMatchObject({
      input_tokens: 12,
      cache_creation_input_tokens: 30,
      cache_creation: { ephemeral_5m_input_tokens: 10, ephemeral_1h_input_tokens: 20 },
      server_tool_use: { web_search_requests: 1, web_fetch_requests: 0 },
      service_tier: 'standard',
    });
    const r = RATES.sonnet45;
    expect(body.usage.cost).toBeCloseTo(perMillion(12, r.input) + perMillion(10, r.write5m) + perMillion(20, r.write1h) + perMillion(29, r.output) + r.webSearchPer1k / 1000, 9);
  });

  it('/v1/chat/completions reports audio tokens and the service tier as OpenAI does', async () => {
    const target = await serve('openai/openai-text', (payload) => {
      if (!payload.usage) return;
      payload.usage.prompt_tokens_details = { cached_tokens: 0, audio_tokens: 10 };
      payload.usage.completion_tokens_details = { reasoning_tokens: 0, audio_tokens: 100 };
    });
    const body = await post(target, '/v1/chat/completions', { model: 'openai:gpt-4.1-nano', messages });
    expect(body.service_tier).toBe('default');
    expect(body.usage).toMatchObject({ prompt_tokens_details: { audio_tokens: 10 }, completion_tokens_details: { audio_tokens: 100 }, cost: null });
  });
});

describe('createAiu({ pricing })', () => {
  it('refuses a misspelled price field at startup, naming the path and the field it meant', async () => {
    await expect(createRig({ pricing: { 'openai:gpt-4.1-nano': { input: 0.1, output: 0.4, cacheWrite1H: 1 } as ModelPricing } })).rejects.toThrow(
      /pricing\["openai:gpt-4\.1-nano"\]\.cacheWrite1H is not a price field — did you mean cacheWrite1h\?/,
    );
    await expect(createRig({ pricing: { m: { input: 1, output: 1, serviceTiers: { flex: { multipler: 0.5 } } } as unknown as ModelPricing } })).rejects.toThrow(/serviceTiers\.flex\.multipler .*did you mean multiplier/);
  });
});
