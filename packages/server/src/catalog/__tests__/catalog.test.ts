import { ModelListSchema } from '@aiu/core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createRig, type TestRig } from '../../../test/helpers';
import { ModelCatalog } from '../catalog';
import { PriceBook } from '../priceBook';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { findCatalogPrice, toModelPricing } from '../genaiPrices';
import { PRICE_DATA } from '../priceDataRelease';

const require = createRequire(import.meta.url);
import { findMetadata } from '../metadata';
import { findProvider } from '@pydantic/genai-prices';

describe('prices in force when the call is priced', () => {
  afterEach(() => vi.useRealTimers());

  it('follows a time-of-day price (DeepSeek’s off-peak discount) in a long-running process', async () => {
    const catalog = new ModelCatalog();
    await catalog.load();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-11-30T10:00:00Z'));
    const peak = catalog.price('deepseek', 'deepseek-chat');
    vi.setSystemTime(new Date('2026-11-30T20:00:00Z'));
    const offPeak = catalog.price('deepseek', 'deepseek-chat');
    expect(peak?.input).toBeGreaterThan(0);
    // What genai-prices says for those two moments, not numbers copied here.
    expect(peak).toEqual(findCatalogPrice('deepseek', 'deepseek-chat', new Date('2026-11-30T10:00:00Z'))?.pricing);
    expect(offPeak).toEqual(findCatalogPrice('deepseek', 'deepseek-chat', new Date('2026-11-30T20:00:00Z'))?.pricing);
    expect(offPeak?.input).toBeLessThan(peak?.input ?? 0);
  });

  it('memoises per minute because every price boundary genai-prices knows falls on a whole minute', () => {
    const boundaries: string[] = [];
    for (const providerId of ['openai', 'anthropic', 'google', 'groq', 'mistral', 'deepseek', 'x-ai', 'together', 'openrouter']) {
      for (const model of findProvider({ providerId })?.models ?? []) {
        for (const price of Array.isArray(model.prices) ? model.prices : []) {
          const constraint = price.constraint;
          if (constraint?.type === 'time_of_date') boundaries.push(constraint.start_time, constraint.end_time);
          if (constraint?.type === 'start_date') boundaries.push(constraint.start_date);
        }
      }
    }
    expect(boundaries.length).toBeGreaterThan(0);
    // Times as HH:MM:00Z, dates as YYYY-MM-DD (midnight UTC): nothing between two minutes.
    expect(boundaries.filter((boundary) => !/^(\d{2}:\d{2}:00Z|\d{4}-\d{2}-\d{2})$/.test(boundary))).toEqual([]);
  });
});

describe('catalog data', () => {
  it('finds the price in force for dated model ids', () => {
    expect(findCatalogPrice('openai', 'gpt-4.1-nano-2025-04-14')?.pricing).toMatchObject({ input: 0.1, output: 0.4, cacheRead: 0.025 });
    expect(findCatalogPrice('openai', 'no-such-model-xyz')).toBeNull();
    expect(findCatalogPrice('local', 'anything')).toBeNull();
  });

  it('turns per-field tiers into whole-request tiers', () => {
    expect(
      toModelPricing({
        input_mtok: { base: 2, tiers: [{ start: 200_000, price: 4 }] },
        cache_read_mtok: { base: 0.2, tiers: [{ start: 200_000, price: 0.4 }] },
        output_mtok: { base: 12, tiers: [{ start: 200_000, price: 18 }] },
      }),
    ).toEqual({ input: 2, output: 12, cacheRead: 0.2, tiers: [{ aboveInputTokens: 200_000, input: 4, output: 18, cacheRead: 0.4 }] });
  });

  it('reads every billed dimension the data prices: 1-hour cache writes, audio, web searches, long-context tiers of each', () => {
    // claude-sonnet-4-5: 1-hour writes $6 ($12 above 200k), web search $10 per 1,000.
    const sonnet = findCatalogPrice('anthropic', 'claude-sonnet-4-5-20250929')?.pricing;
    expect(sonnet).toMatchObject({ input: 3, cacheWrite: 3.75, cacheWrite1h: 6, serverTools: { webSearch: 10 } });
    expect(sonnet?.tiers?.[0]).toMatchObject({ aboveInputTokens: 200_000, input: 6, cacheWrite1h: 12 });
    // Gemini 2.5 Flash prices audio apart ($1 vs $0.30); Gemini 3 Pro has one input rate for every modality.
    expect(findCatalogPrice('google', 'gemini-2.5-flash')?.pricing).toMatchObject({ input: 0.3, inputAudio: 1 });
    expect(findCatalogPrice('google', 'gemini-3-pro-preview')?.pricing).toMatchObject({ input: 2, inputAudio: 2 });
    // OpenAI prices audio apart always: a model the data gives no audio price keeps none (its audio calls cost null).
    expect(findCatalogPrice('openai', 'gpt-4.1-nano')?.pricing.inputAudio).toBeUndefined();
    expect(findCatalogPrice('openai', 'gpt-5')?.pricing.serverTools).toEqual({ webSearch: 10 });
  });

  it('says which price data release is installed (scripts/stamp-price-data.mjs keeps it in step)', () => {
    const installed = JSON.parse(readFileSync(join(dirname(require.resolve('@pydantic/genai-prices')), '..', 'package.json'), 'utf8')) as { version: string };
    expect(PRICE_DATA).toMatchObject({ source: '@pydantic/genai-prices', version: installed.version });
    expect(PRICE_DATA.releasedAt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
  });

  it('knows metadata: context, max output, capabilities, modalities, release date', () => {
    expect(findMetadata('openai:gpt-4.1-nano-2025-04-14')).toMatchObject({
      maxOutput: 32768,
      capabilities: expect.arrayContaining(['tools', 'vision']),
      releaseDate: '2025-04-14',
    });
    // Undated and `-0` aliases find the dated snapshot.
    expect(findMetadata('anthropic:claude-sonnet-4')?.capabilities).toContain('reasoning');
    expect(findMetadata('anthropic:claude-sonnet-4-0')?.maxOutput).toBe(64000);
  });

  it('loads genai-prices on first need: before ready() a price is unknown (with a warning), never a throw', async () => {
    const warnings: string[] = [];
    const catalog = new ModelCatalog();
    const prices = new PriceBook({}, { warn: (message) => warnings.push(message) }, catalog);
    expect(catalog.loaded).toBe(false);
    expect(prices.lookup('openai:gpt-4.1-nano')).toBeNull();
    expect(warnings.join('\n')).toMatch(/catalog was not loaded/);
    await prices.ready();
    expect(catalog.loaded).toBe(true);
    expect(prices.lookup('openai:gpt-4.1-nano')).toMatchObject({ input: 0.1, output: 0.4 });
  });

  it('prices local models at a real 0 and lists only configured providers', async () => {
    const catalog = new ModelCatalog();
    expect(catalog.price('ollama', 'llama3.2')).toEqual({ input: 0, output: 0 });
    await catalog.load();
    const listed = catalog.list(['anthropic']);
    expect(listed.length).toBeGreaterThan(5);
    expect(new Set(listed.map((m) => m.provider))).toEqual(new Set(['anthropic']));
    expect(listed.every((m) => m.pricing !== null)).toBe(true);
  });
});

describe('GET /models with the catalog', () => {
  let rig: TestRig;
  beforeAll(async () => {
    rig = await createRig();
  });
  afterAll(async () => {
    await rig.close();
  });

  it('merges catalog and discovery; a listed model the catalog lacks appears with pricing null', async () => {
    const body = ModelListSchema.parse(await (await rig.aiu.handler(new Request('http://localhost/models'))).json());
    const byId = new Map(body.models.map((m) => [m.id, m]));
    expect(byId.get('anthropic:claude-sonnet-4-5')).toMatchObject({ kind: 'chat', contextWindow: 200000, pricing: { input: 3, output: 15 } });
    expect(byId.get('openai:text-embedding-3-small')?.kind).toBe('embed');
    expect(byId.get('local:grok-3-mini')).toMatchObject({ provider: 'local', pricing: null });
    expect(body.models.length).toBeGreaterThan(300);
  });

  it('answers with an ETag and 304 when it has not changed', async () => {
    const first = await rig.aiu.handler(new Request('http://localhost/models?provider=anthropic'));
    const etag = first.headers.get('etag');
    expect(etag).toMatch(/^W\/"/);
    expect(first.headers.get('cache-control')).toContain('max-age');
    const again = await rig.aiu.handler(new Request('http://localhost/models?provider=anthropic', { headers: { 'if-none-match': etag ?? '' } }));
    expect(again.status).toBe(304);
    expect(await again.text()).toBe('');
    const other = await rig.aiu.handler(new Request('http://localhost/models?provider=google', { headers: { 'if-none-match': etag ?? '' } }));
    expect(other.status).toBe(200);
  });
});
