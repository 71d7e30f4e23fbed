import { ErrorBodySchema, FinishEventSchema, StartEventSchema } from '@aiu/core';
import { loadFixture } from '@aiu/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { chatRequest, createRig, deltaText, fixtureStreamText, fixtureStreamUsage, parseSse, TEST_KEY, type TestRig } from '../../test/helpers';

const openaiText = loadFixture('openai/openai-text');
const messages = [{ role: 'user', content: 'Invent a holiday.' }];

describe('POST /chat', () => {
  let rig: TestRig;
  beforeEach(async () => {
    rig = await createRig();
  });
  afterEach(async () => {
    await rig.close();
  });

  it('hands a Web stream chunks that own exactly their bytes (no view into a shared or larger buffer)', async () => {
    const response = await rig.aiu.handler(chatRequest({ model: 'openai:gpt-4.1-nano', messages }));
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let text = '';
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      // A consumer that reads `chunk.buffer` must not see other streams' bytes or unwritten memory.
      expect({ offset: next.value.byteOffset, size: next.value.buffer.byteLength }).toEqual({ offset: 0, size: next.value.byteLength });
      text += new TextDecoder().decode(next.value, { stream: true });
    }
    expect(deltaText(parseSse(text))).toBe(fixtureStreamText(openaiText.chunks ?? []));
  });

  it('streams the recorded reply as start, deltas and finish with normalised usage', async () => {
    const response = await rig.aiu.handler(chatRequest({ model: 'openai:gpt-4.1-nano', messages }));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/event-stream/);
    expect(response.headers.get('cache-control')).toBe('no-cache, no-transform');
    expect(response.headers.get('x-accel-buffering')).toBe('no');

    const parsed = parseSse(await response.text());
    const types = parsed.events.map((e) => e.event);
    expect(types[0]).toBe('start');
    expect(types.at(-1)).toBe('finish');
    expect(types.filter((t) => t !== 'delta')).toEqual(['start', 'finish']);

    const start = StartEventSchema.parse(parsed.events[0]?.data);
    expect(start).toMatchObject({ model: 'openai:gpt-4.1-nano', provider: 'openai' });
    expect(start.requestId).toMatch(/^req_/);

    const chunks = openaiText.chunks ?? [];
    expect(deltaText(parsed)).toBe(fixtureStreamText(chunks));
    const finish = FinishEventSchema.parse(parsed.events.at(-1)?.data);
    const wire = fixtureStreamUsage(chunks) as { prompt_tokens: number; completion_tokens: number };
    expect(finish.usage).toEqual({
      inputTokens: wire.prompt_tokens,
      outputTokens: wire.completion_tokens,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
      totalTokens: wire.prompt_tokens + wire.completion_tokens,
      // The recording was served at OpenAI's standard tier.
      serviceTier: 'default',
    });
    expect(finish.finishReason).toBe('stop');
    // The catalog's price for gpt-4.1-nano: $0.10 in, $0.40 out per 1M tokens.
    expect(finish.cost?.total).toBeCloseTo((16 * 0.1 + 300 * 0.4) / 1e6, 12);
    expect(finish.ttftMs).not.toBeNull();
    expect(finish.latencyMs).toBeGreaterThanOrEqual(finish.ttftMs ?? 0);
  });

  it('sends the documented Chat Completions request upstream, key in the header only', async () => {
    await (await rig.aiu.handler(
      chatRequest({ model: 'openai:gpt-4.1-nano', messages, options: { temperature: 0.2, maxTokens: 50, topP: 0.9, stop: ['\n\n'], seed: 7 } }),
    )).text();
    const sent = rig.upstream.requests[0];
    expect(sent?.url).toBe('/v1/chat/completions');
    expect(sent?.url).not.toContain(TEST_KEY);
    expect(sent?.headers.authorization).toBe(`Bearer ${TEST_KEY}`);
    expect(sent?.body).toEqual({
      model: 'gpt-4.1-nano',
      messages,
      stream: true,
      stream_options: { include_usage: true },
      temperature: 0.2,
      max_completion_tokens: 50,
      top_p: 0.9,
      stop: ['\n\n'],
      seed: 7,
    });
  });

  it('answers stream:false with one JSON result from the non-streamed recording', async () => {
    const response = await rig.aiu.handler(chatRequest({ model: 'openai:gpt-4.1-nano', messages, stream: false }));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { text: string; usage: { inputTokens: number; outputTokens: number; totalTokens: number } };
    const recorded = openaiText.json as { choices: Array<{ message: { content: string } }>; usage: { prompt_tokens: number; completion_tokens: number } };
    expect(body.text).toBe(recorded.choices[0]?.message.content);
    expect(body.usage).toMatchObject({
      inputTokens: recorded.usage.prompt_tokens,
      outputTokens: recorded.usage.completion_tokens,
      totalTokens: recorded.usage.prompt_tokens + recorded.usage.completion_tokens,
    });
    expect((rig.upstream.requests[0]?.body as { stream: boolean }).stream).toBe(false);
  });

  it('writes exactly one log entry per call, with the usage of the stream', async () => {
    await (await rig.aiu.handler(chatRequest({ model: 'openai:gpt-4.1-nano', messages, metadata: { feature: 'test' } }))).text();
    const page = (await (await rig.aiu.handler(new Request('http://localhost/api/aiu/logs'), { clientAddress: '127.0.0.1' })).json()) as {
      entries: Array<Record<string, unknown>>;
    };
    expect(page.entries).toHaveLength(1);
    expect(page.entries[0]).toMatchObject({
      provider: 'openai',
      model: 'openai:gpt-4.1-nano',
      status: 'success',
      errorCode: null,
      inputTokens: 16,
      outputTokens: 300,
      totalTokens: 316,
      estimated: false,
      metadata: { feature: 'test' },
    });
  });

  it('logs an unpriced model’s cost as null with one warning, never 0', async () => {
    for (let i = 0; i < 2; i++) {
      const parsed = parseSse(await (await rig.aiu.handler(chatRequest({ model: 'local:my-finetune', messages }))).text());
      expect(FinishEventSchema.parse(parsed.events.at(-1)?.data).cost).toBeNull();
    }
    expect(rig.warnings.filter((w) => w.includes('No price known for local:my-finetune'))).toHaveLength(1);
  });

  it('prices the call with a configured price over the catalog', async () => {
    await rig.close();
    rig = await createRig({ pricing: { 'openai:gpt-4.1-nano': { input: 1, output: 2 } } });
    const parsed = parseSse(await (await rig.aiu.handler(chatRequest({ model: 'openai:gpt-4.1-nano', messages }))).text());
    const finish = FinishEventSchema.parse(parsed.events.at(-1)?.data);
    // 16 input tokens at $1/1M and 300 output tokens at $2/1M.
    expect(finish.cost).toEqual({ input: 0.000016, output: 0.0006, total: 0.000616, currency: 'USD' });
  });

  it('turns an upstream 401 into invalid_api_key with the status, no key in the body, and logs it', async () => {
    rig.upstream.set({ error: { status: 401, body: { error: { message: `Incorrect API key provided: ${TEST_KEY}` } } } });
    const response = await rig.aiu.handler(chatRequest({ model: 'openai:gpt-4.1-nano', messages }));
    expect(response.status).toBe(401);
    const text = await response.text();
    expect(text).not.toContain(TEST_KEY);
    expect(ErrorBodySchema.parse(JSON.parse(text)).error.code).toBe('invalid_api_key');
    await rig.aiu.flush();
    const [entry] = await (await rig.aiu.store()).listLogs({ limit: 10 });
    expect(entry).toMatchObject({ status: 'error', errorCode: 'invalid_api_key' });
  });

  it('maps an upstream 429 to rate_limited with Retry-After', async () => {
    rig.upstream.set({ error: { status: 429, body: { error: { message: 'slow down' } }, headers: { 'retry-after': '7' } } });
    const response = await rig.aiu.handler(chatRequest({ model: 'openai:gpt-4.1-nano', messages }));
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('rate_limited');
  });

  it('ends a stream cut upstream with an error event, never a quiet finish, and logs the error', async () => {
    rig.upstream.set({ cutAfterChunks: 20 });
    const parsed = parseSse(await (await rig.aiu.handler(chatRequest({ model: 'openai:gpt-4.1-nano', messages }))).text());
    const last = parsed.events.at(-1);
    expect(last?.event).toBe('error');
    expect(last?.data).toMatchObject({ code: 'stream_truncated', retryable: false });
    expect(parsed.events.some((e) => e.event === 'finish')).toBe(false);
    await rig.aiu.flush();
    const [entry] = await (await rig.aiu.store()).listLogs({ limit: 10 });
    expect(entry).toMatchObject({ status: 'error', errorCode: 'stream_truncated', estimated: true });
    expect(entry?.outputTokens).toBeGreaterThan(0);
  });

  it('also treats a clean close without [DONE] or usage as truncated', async () => {
    rig.upstream.set({ cutAfterChunks: 5, cutMode: 'end' });
    const parsed = parseSse(await (await rig.aiu.handler(chatRequest({ model: 'openai:gpt-4.1-nano', messages }))).text());
    expect(parsed.events.at(-1)).toMatchObject({ event: 'error', data: { code: 'stream_truncated' } });
  });

  it('reports an unreachable provider as upstream_unreachable (502)', async () => {
    await rig.close();
    rig = await createRig({ providers: { openai: { baseURL: 'http://127.0.0.1:9/v1', apiKey: TEST_KEY } } });
    const response = await rig.aiu.handler(chatRequest({ model: 'openai:gpt-4.1-nano', messages }));
    expect(response.status).toBe(502);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('upstream_unreachable');
  });

  it('names the ways to add a key when none is configured', async () => {
    await rig.close();
    rig = await createRig({ providers: { openai: { baseURL: 'http://127.0.0.1:9/v1' } } });
    const response = await rig.aiu.handler(chatRequest({ model: 'openai:gpt-4o-mini', messages }));
    expect(response.status).toBe(400);
    const body = (await response.json()) as { error: { code: string; message: string } };
    expect(body.error.code).toBe('missing_api_key');
    expect(body.error.message).toContain('OPENAI_API_KEY');
  });

  it('reads the key from OPENAI_API_KEY when none is configured', async () => {
    const baseURL = `${rig.upstream.url}/v1`;
    const { createAiu, memoryStore } = await import('../index');
    const aiu = createAiu({ store: memoryStore(), env: { OPENAI_API_KEY: 'sk-from-env-000000000000' }, providers: { openai: { baseURL } } });
    await (await aiu.handler(chatRequest({ model: 'openai:gpt-4.1-nano', messages }))).text();
    expect(rig.upstream.requests[0]?.headers.authorization).toBe('Bearer sk-from-env-000000000000');
    await aiu.close();
  });
});
