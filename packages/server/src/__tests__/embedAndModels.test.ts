import { EmbedResultSchema, ErrorBodySchema, ModelListSchema } from '@aiu/core';
import { loadFixture } from '@aiu/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chatRequest, createRig, type TestRig } from '../../test/helpers';

let rig: TestRig;
beforeAll(async () => {
  rig = await createRig();
});
afterAll(async () => {
  await rig.close();
});
beforeEach(() => rig.upstream.reset());

const embedRequest = (body: unknown) => chatRequest(body, {}, 'http://localhost/api/aiu/embed');

describe('POST /embed', () => {
  it.each([
    ['openai:text-embedding-3-small', 'openai/openai-embedding', (j: any) => j.data.map((d: any) => d.embedding), 12], // eslint-disable-line @typescript-eslint/no-explicit-any
    ['mistral:mistral-embed', 'openai/openai-embedding', (j: any) => j.data.map((d: any) => d.embedding), 12], // eslint-disable-line @typescript-eslint/no-explicit-any
    ['ollama:all-minilm', 'ollama/ollama-embed', (j: any) => j.embeddings, 8], // eslint-disable-line @typescript-eslint/no-explicit-any
    ['google:text-embedding-004', 'google/google-embedding', (j: any) => j.embeddings.map((e: any) => e.values), 0], // eslint-disable-line @typescript-eslint/no-explicit-any
  ] as const)('%s returns one vector per input, in order, with usage, and logs it', async (model, fixture, vectors, inputTokens) => {
    const response = await rig.aiu.handler(embedRequest({ model, input: ['first text', 'second text'] }));
    expect(response.status).toBe(200);
    const body = EmbedResultSchema.parse(await response.json());
    expect(body.embeddings).toEqual(vectors(loadFixture(fixture).json));
    expect(body.usage.inputTokens).toBe(inputTokens);
    expect(body.usage.outputTokens).toBe(0);
    await rig.aiu.flush();
    const entries = await (await rig.aiu.store()).listLogs({ limit: 1 });
    expect(entries[0]).toMatchObject({ model, status: 'success', inputTokens });
  });

  it('sends the documented request bodies', async () => {
    await rig.aiu.embed({ model: 'openai:text-embedding-3-small', input: ['a', 'b'] });
    expect(rig.upstream.requests[0]).toMatchObject({ url: '/v1/embeddings', body: { model: 'text-embedding-3-small', input: ['a', 'b'] } });
    await rig.aiu.embed({ model: 'google:text-embedding-004', input: ['a', 'b'] });
    expect(rig.upstream.requests[1]).toMatchObject({
      url: '/v1beta/models/text-embedding-004:batchEmbedContents',
      body: { requests: [{ model: 'models/text-embedding-004', content: { parts: [{ text: 'a' }] } }, { model: 'models/text-embedding-004', content: { parts: [{ text: 'b' }] } }] },
    });
    await rig.aiu.embed({ model: 'ollama:all-minilm', input: ['a', 'b'] });
    expect(rig.upstream.requests[2]).toMatchObject({ url: '/api/embed', body: { model: 'all-minilm', input: ['a', 'b'] } });
  });

  it('rejects a count mismatch as a typed upstream error', async () => {
    const failure = await rig.aiu.embed({ model: 'openai:text-embedding-3-small', input: ['only one'] }).catch((e: unknown) => e);
    expect(failure).toMatchObject({ code: 'upstream_error' });
  });

  it.each([
    [{ model: 'openai:x', input: [] }, 'invalid_request'],
    [{ model: 'openai:x' }, 'invalid_request'],
    [{ model: 'openai:x', input: [1, 2] }, 'invalid_request'],
    [{ model: 'nocolon', input: ['a'] }, 'invalid_model'],
    [{ model: 'anthropic:claude', input: ['a'] }, 'upstream_error'],
  ])('answers bad input %j with %s', async (body, code) => {
    const response = await rig.aiu.handler(embedRequest(body));
    expect(response.status).toBeGreaterThanOrEqual(400);
    expect(response.status).toBeLessThan(503);
    expect(ErrorBodySchema.parse(await response.json()).error.code).toBe(code);
  });
});

describe('GET /models (discovery)', () => {
  const models = () => rig.aiu.handler(new Request('http://localhost/api/aiu/models'));

  it('merges what each configured provider lists, with OpenRouter’s live prices', async () => {
    const body = ModelListSchema.parse(await (await models()).json());
    const ids = body.models.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['openai:gpt-4.1-nano-2025-04-14', 'ollama:llama3.2:latest', 'ollama:all-minilm:latest', 'openrouter:anthropic/claude-sonnet-4']));
    expect(body.models.find((m) => m.id === 'ollama:all-minilm:latest')?.kind).toBe('embed');
    expect(body.models.find((m) => m.id === 'openrouter:anthropic/claude-sonnet-4')).toMatchObject({
      contextWindow: 200000,
      maxOutput: 64000,
      pricing: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 },
    });
  });

  it('caches each provider’s list, and refresh=1 asks again', async () => {
    await models();
    const afterFirst = rig.upstream.requests.length;
    await models();
    expect(rig.upstream.requests.length).toBe(afterFirst);
    await rig.aiu.handler(new Request('http://localhost/api/aiu/models?refresh=1'));
    expect(rig.upstream.requests.length).toBeGreaterThan(afterFirst);
  });

  it('filters by kind and provider', async () => {
    const embed = ModelListSchema.parse(await (await rig.aiu.handler(new Request('http://localhost/api/aiu/models?kind=embed'))).json());
    expect(embed.models.every((m) => m.kind === 'embed')).toBe(true);
    expect(embed.models.length).toBeGreaterThan(0);
    const ollama = ModelListSchema.parse(await (await rig.aiu.handler(new Request('http://localhost/api/aiu/models?provider=ollama'))).json());
    expect(new Set(ollama.models.map((m) => m.provider))).toEqual(new Set(['ollama']));
    const bad = await rig.aiu.handler(new Request('http://localhost/api/aiu/models?kind=image'));
    expect(bad.status).toBe(400);
  });

  it('lists only models a chat or embed call can use, named one way, retired snapshots as deprecated', async () => {
    const body = ModelListSchema.parse(await (await rig.aiu.handler(new Request('http://localhost/api/aiu/models?kind=chat&provider=openai'))).json());
    const ids = body.models.map((m) => m.id.slice('openai:'.length));
    expect(ids).toEqual(expect.arrayContaining(['gpt-4.1-nano', 'gpt-4o-mini', 'o3']));
    // The provider's own list and the price data both hold these; none of them answers a chat call.
    for (const other of ['tts-1', 'gpt-4o-mini-tts', 'whisper-1', 'gpt-4o-transcribe', 'gpt-4o-realtime-preview', 'gpt-4o-audio-preview', 'gpt-audio', 'gpt-image-1', 'dall-e-3', 'babbage-002', 'davinci', 'omni-moderation-latest', 'computer-use']) {
      expect(ids).not.toContain(other);
    }
    expect(ids.filter((id) => /(^ft:|[.:-]ft-)/.test(id))).toEqual([]);
    expect(body.models.find((m) => m.id === 'openai:gpt-3.5-turbo-0613')?.deprecated).toBe(true);
    // models.dev's names where it has them, so "GPT-4o mini" sits next to "GPT-4.1 nano", not "gpt 4o mini".
    expect(body.models.find((m) => m.id === 'openai:gpt-4o-mini')?.name).toBe('GPT-4o mini');
    expect(body.models.find((m) => m.id === 'openai:gpt-4.1-nano')?.name).toBe('GPT-4.1 nano');
    expect(body.models.find((m) => m.id === 'openai:gpt-4.1-nano-2025-04-14')?.name).toBe('GPT-4.1 nano (2025-04-14)');
  });

  it('prices an openrouter call from the live catalog once discovered', async () => {
    await models();
    rig.upstream.set({ fixture: 'openrouter/openrouter-text' });
    // The recording reports its own cost; the live price still gives the input/output split.
    const response = await rig.aiu.chat({ model: 'openrouter:openai/gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }], stream: false });
    expect(response.cost).toEqual({ input: 0.0000021, output: 0.0000054, total: 0.0000075, currency: 'USD' });
  });
});
