import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRig, TEST_KEY, type TestRig } from '../../../test/helpers';
import { mergeAnthropicUsage, normalizeAnthropicUsage } from '../anthropic/usage';
import { normalizeGeminiUsage } from '../google/usage';
import { normalizeOpenAIUsage } from '../openai/usage';
import { toModelPricing } from '../openrouter';

const messages = [
  { role: 'system' as const, content: 'Be brief.' },
  { role: 'user' as const, content: 'Hello?' },
  { role: 'assistant' as const, content: 'Hi.' },
  { role: 'user' as const, content: 'Again?' },
];
const options = { temperature: 0.3, maxTokens: 64, topP: 0.8, stop: ['END'], seed: 5 };

let rig: TestRig;
beforeAll(async () => {
  rig = await createRig();
});
afterAll(async () => {
  await rig.close();
});
beforeEach(() => rig.upstream.reset());

async function sent(model: string, stream = true) {
  const result = await rig.aiu.chat({ model, messages, options, stream });
  if (Symbol.asyncIterator in Object(result)) for await (const _ of result as AsyncIterable<unknown>) void _;
  const request = rig.upstream.requests[0];
  if (!request) throw new Error('nothing reached the upstream');
  return request;
}

describe('outgoing requests match each provider’s documented shape; keys never in URLs', () => {
  it('anthropic: /v1/messages, x-api-key + anthropic-version, system apart, max_tokens, seed dropped with a warning', async () => {
    const events: unknown[] = [];
    for await (const event of await rig.aiu.chat({ model: 'anthropic:claude-sonnet-4-5', messages, options })) events.push(event);
    const request = rig.upstream.requests[0];
    expect(request?.url).toBe('/v1/messages');
    expect(request?.headers['x-api-key']).toBe(TEST_KEY);
    expect(request?.headers['anthropic-version']).toBe('2023-06-01');
    expect(request?.headers.authorization).toBeUndefined();
    expect(request?.body).toEqual({
      model: 'claude-sonnet-4-5',
      system: 'Be brief.',
      messages: messages.slice(1),
      max_tokens: 64,
      stream: true,
      temperature: 0.3,
      top_p: 0.8,
      stop_sequences: ['END'],
    });
    expect(events[0]).toMatchObject({ type: 'start', warnings: ['anthropic does not support the option "seed"; it was dropped.'] });
  });

  it('anthropic: always sends max_tokens, with a per-model default', async () => {
    await rig.aiu.chat({ model: 'anthropic:claude-3-5-haiku-latest', messages: [{ role: 'user', content: 'x' }], stream: false });
    expect((rig.upstream.requests[0]?.body as { max_tokens: number }).max_tokens).toBe(8192);
  });

  it('google: streamGenerateContent?alt=sse, key in x-goog-api-key only, systemInstruction, assistant → model', async () => {
    const request = await sent('google:gemini-2.5-flash');
    expect(request.url).toBe('/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse');
    expect(request.url).not.toContain(TEST_KEY);
    expect(request.url).not.toContain('key=');
    expect(request.headers['x-goog-api-key']).toBe(TEST_KEY);
    expect(request.body).toEqual({
      systemInstruction: { parts: [{ text: 'Be brief.' }] },
      contents: [
        { role: 'user', parts: [{ text: 'Hello?' }] },
        { role: 'model', parts: [{ text: 'Hi.' }] },
        { role: 'user', parts: [{ text: 'Again?' }] },
      ],
      generationConfig: { temperature: 0.3, topP: 0.8, maxOutputTokens: 64, stopSequences: ['END'], seed: 5 },
    });
  });

  it('google: generateContent without streaming', async () => {
    const request = await sent('google:gemini-2.5-flash', false);
    expect(request.url).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
  });

  it('ollama: /api/chat with options and num_predict, no key', async () => {
    const request = await sent('ollama:llama3.2');
    expect(request.url).toBe('/api/chat');
    expect(request.headers.authorization).toBeUndefined();
    expect(request.body).toEqual({
      model: 'llama3.2',
      messages,
      stream: true,
      options: { temperature: 0.3, top_p: 0.8, seed: 5, num_predict: 64, stop: ['END'] },
    });
  });

  it('openrouter: OpenAI wire at /api/v1 with attribution headers', async () => {
    const request = await sent('openrouter:meta-llama/llama-3.1-8b-instruct');
    expect(request.url).toBe('/api/v1/chat/completions');
    expect(request.headers.authorization).toBe(`Bearer ${TEST_KEY}`);
    expect(request.headers['http-referer']).toBe('https://example.test');
    expect(request.headers['x-title']).toBe('aiu tests');
    expect(request.body).toMatchObject({ model: 'meta-llama/llama-3.1-8b-instruct', stream: true, max_tokens: 64, seed: 5 });
  });

  it('custom openai-compatible ids work with only a baseURL', async () => {
    const request = await sent('local:qwen2.5');
    expect(request.url).toBe('/v1/chat/completions');
    expect((request.body as { model: string }).model).toBe('qwen2.5');
  });
});

describe('usage normalisation', () => {
  it('anthropic: cache reads and writes count inside inputTokens; the latest value of each field wins', () => {
    const start = { input_tokens: 20, cache_read_input_tokens: 1000, cache_creation_input_tokens: 300, output_tokens: 1 };
    const merged = mergeAnthropicUsage(mergeAnthropicUsage({}, start), { output_tokens: 87 });
    expect(normalizeAnthropicUsage(merged)).toEqual({
      inputTokens: 1320,
      outputTokens: 87,
      cachedInputTokens: 1000,
      cacheWriteTokens: 300,
      reasoningTokens: 0,
      totalTokens: 1407,
    });
    // A later report of a field replaces it; fields it leaves out keep their value.
    expect(mergeAnthropicUsage(merged, { input_tokens: 25, cache_read_input_tokens: null })).toMatchObject({
      input_tokens: 25,
      cache_read_input_tokens: 1000,
      output_tokens: 87,
    });
  });

  it('gemini: thoughts count as output and reasoning, cached content inside input', () => {
    expect(
      normalizeGeminiUsage({ promptTokenCount: 900, cachedContentTokenCount: 600, candidatesTokenCount: 40, thoughtsTokenCount: 200, totalTokenCount: 1140 }),
    ).toEqual({ inputTokens: 900, outputTokens: 240, cachedInputTokens: 600, cacheWriteTokens: 0, reasoningTokens: 200, totalTokens: 1140 });
  });

  it('openai: reasoning is inside completion_tokens; xAI reports it outside, which the total reveals', () => {
    expect(normalizeOpenAIUsage({ prompt_tokens: 10, completion_tokens: 500, total_tokens: 510, completion_tokens_details: { reasoning_tokens: 448 } })).toMatchObject({
      outputTokens: 500,
      reasoningTokens: 448,
      totalTokens: 510,
    });
    expect(normalizeOpenAIUsage({ prompt_tokens: 12, completion_tokens: 2, total_tokens: 354, completion_tokens_details: { reasoning_tokens: 340 } })).toMatchObject({
      outputTokens: 342,
      totalTokens: 354,
    });
    expect(normalizeOpenAIUsage({ prompt_tokens: 13, completion_tokens: 4, total_tokens: 17, prompt_cache_hit_tokens: 9 })).toMatchObject({ cachedInputTokens: 9 });
  });

  it('openrouter: per-token price strings become per-1M prices', () => {
    expect(toModelPricing({ prompt: '0.000003', completion: '0.000015', input_cache_read: '0.0000003', input_cache_write: '0.00000375' })).toEqual({
      input: 3,
      output: 15,
      cacheRead: 0.3,
      cacheWrite: 3.75,
    });
    expect(toModelPricing({ prompt: '-1', completion: '0' })).toBeNull();
  });
});

describe('upstream connections', () => {
  it('reuse kept-alive connections for calls in sequence, streamed or not, for every wire format', async () => {
    for (const model of ['openai:gpt-4.1-nano', 'anthropic:claude-sonnet-4-5', 'google:gemini-2.5-flash']) {
      rig.upstream.reset();
      const calls = [true, true, false, true, false, false, true, true];
      for (const stream of calls) await sent(model, stream);
      const connections = new Set(rig.upstream.requests.map((request) => request.connection));
      expect(rig.upstream.requests).toHaveLength(calls.length);
      // The pool hands a connection back a microtask after its answer ends, so a call sent at once
      // after the last may open a second; never one per call.
      expect({ model, reused: connections.size <= 2 }).toEqual({ model, reused: true });
    }
  });

  it('send a call again, on a new connection, when a kept-alive one turns out to be closed — without using an attempt', async () => {
    for (const stream of [true, false]) {
      rig.upstream.reset();
      await sent('openai:gpt-4.1-nano', stream);
      // The connection sits idle in the pool; the server's idle timeout closes it just as the next call reuses it.
      await new Promise((resolve) => setTimeout(resolve, 20));
      rig.upstream.set({ dropReusedConnections: 1 });
      const retries: unknown[] = [];
      const off = rig.aiu.on('request:retry', (event) => retries.push(event));
      let text = '';
      if (stream) {
        for await (const event of await rig.aiu.chat({ model: 'openai:gpt-4.1-nano', messages })) if (event.type === 'delta') text += event.text;
      } else text = (await rig.aiu.chat({ model: 'openai:gpt-4.1-nano', messages, stream: false })).text;
      off();
      expect(text.length).toBeGreaterThan(0);
      expect(retries).toEqual([]);
      const [first, dropped, resent] = rig.upstream.requests;
      expect({ stream, requests: rig.upstream.requests.length }).toEqual({ stream, requests: 3 });
      // The fake drops only a request that arrives on a connection that already carried one.
      expect(first?.completed).toBe(true);
      expect(dropped?.completed).toBe(false);
      expect(resent?.connection).not.toBe(dropped?.connection);
      expect(resent?.completed).toBe(true);
      await rig.aiu.flush();
      const [entry] = await (await rig.aiu.store()).listLogs({ limit: 1 });
      expect(entry).toMatchObject({ status: 'success', attempts: 1 });
    }
  });

  it('do not send again when a new connection fails: that is an unreachable upstream', async () => {
    const dead = await createRig((url) => ({ providers: { openai: { baseURL: `${url.replace(/:\d+$/, ':1')}/v1`, apiKey: TEST_KEY } } }));
    try {
      await expect(dead.aiu.chat({ model: 'openai:gpt-4.1-nano', messages, stream: false })).rejects.toMatchObject({ code: 'upstream_unreachable' });
    } finally {
      await dead.close();
    }
  });
});
