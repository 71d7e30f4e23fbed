import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadFixture } from '@aiu/testing';
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CreatedClientKey } from '@aiu/core';
import { createRig, fixtureStreamText, fixtureStreamUsage, issueClientKey, type TestRig } from '../../test/helpers';
import { toNodeListener } from '../node';

// The official `openai` SDK, pointed at aiu over a real socket: what an existing app or agent does.
const text = loadFixture('openai/openai-text');
const textJson = text.json as { choices: Array<{ message: { content: string } }>; usage: { prompt_tokens: number; completion_tokens: number; total_tokens: number } };
const embedding = loadFixture('openai/openai-embedding').json as { data: Array<{ embedding: number[] }>; usage: { prompt_tokens: number } };

const WEATHER: OpenAI.Chat.Completions.ChatCompletionTool = { type: 'function', function: { name: 'weather', description: 'Current weather', parameters: { type: 'object', properties: {} } } };

describe('OpenAI-compatible endpoints, driven by the openai SDK', () => {
  let rig: TestRig;
  let server: Server;
  let client: OpenAI;
  let clientKey: CreatedClientKey;
  let baseURL: string;

  beforeAll(async () => {
    rig = await createRig({ maxChatBodyBytes: 4 * 1024 * 1024 });
    server = createServer(toNodeListener(rig.aiu));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    clientKey = await issueClientKey(rig.aiu, { name: 'openai sdk' });
    baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
    client = new OpenAI({ baseURL, apiKey: clientKey.key, maxRetries: 0 });
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rig.close();
  });
  beforeEach(() => rig.upstream.reset());

  async function loggedEntry(requestId: string) {
    await rig.aiu.flush();
    const store = await rig.aiu.store();
    return (await store.listLogs({ limit: 50 })).find((entry) => entry.id === requestId);
  }

  it('answers a chat completion with the recorded text, usage and exact cost, and logs it', async () => {
    const { data: completion, response } = await client.chat.completions.create({ model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content: 'Invent a holiday.' }] }).withResponse();
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('openai:gpt-4.1-nano');
    expect(completion.choices[0]?.message.content).toBe(textJson.choices[0]?.message.content);
    expect(completion.choices[0]?.finish_reason).toBe('stop');
    expect(completion.usage).toMatchObject({ prompt_tokens: textJson.usage.prompt_tokens, completion_tokens: textJson.usage.completion_tokens, total_tokens: textJson.usage.total_tokens });
    const requestId = response.headers.get('x-aiu-request-id') ?? '';
    expect(completion.id).toBe(requestId);
    const entry = await loggedEntry(requestId);
    expect(entry).toMatchObject({ status: 'success', provider: 'openai', inputTokens: textJson.usage.prompt_tokens, clientKeyId: clientKey.id });
    expect(entry?.costTotal).toBeGreaterThan(0);
    expect((completion.usage as unknown as { cost: number }).cost).toBe(entry?.costTotal);
  });

  it('needs a client key: none, a made-up one or a revoked one is the SDK\'s AuthenticationError, and nothing reaches the provider', async () => {
    const ask = (apiKey: string) => new OpenAI({ baseURL, apiKey, maxRetries: 0 }).chat.completions.create({ model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content: 'Hi' }] });
    await expect(ask('sk-not-an-aiu-key')).rejects.toMatchObject({ status: 401, code: 'unauthorized', message: expect.stringContaining('client key') });
    await expect(ask(`aiu_${'A'.repeat(43)}`)).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    const doomed = await issueClientKey(rig.aiu, { name: 'doomed' });
    await ask(doomed.key);
    const revoked = await rig.aiu.handler(new Request(`http://localhost/client-keys/${doomed.id}`, { method: 'DELETE' }), { clientAddress: '127.0.0.1' });
    expect(revoked.status).toBe(200);
    const calls = rig.upstream.requests.length;
    await expect(ask(doomed.key)).rejects.toMatchObject({ status: 401, message: expect.stringContaining('revoked') });
    await expect(new OpenAI({ baseURL, apiKey: doomed.key, maxRetries: 0 }).models.list()).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    expect(rig.upstream.requests.length).toBe(calls);
  });

  it('streams chunks the SDK reads: the recorded text, a finish reason, usage when asked for', async () => {
    const stream = await client.chat.completions.create({ model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content: 'Invent a holiday.' }], stream: true, stream_options: { include_usage: true } });
    let streamed = '';
    const reasons: string[] = [];
    let usage: OpenAI.CompletionUsage | undefined;
    for await (const chunk of stream) {
      expect(chunk.object).toBe('chat.completion.chunk');
      streamed += chunk.choices[0]?.delta.content ?? '';
      if (chunk.choices[0]?.finish_reason) reasons.push(chunk.choices[0].finish_reason);
      if (chunk.usage) usage = chunk.usage;
    }
    expect(streamed).toBe(fixtureStreamText(text.chunks ?? []));
    expect(reasons).toEqual(['stop']);
    const wire = fixtureStreamUsage(text.chunks ?? []) as { prompt_tokens: number; completion_tokens: number };
    expect(usage).toMatchObject({ prompt_tokens: wire.prompt_tokens, completion_tokens: wire.completion_tokens });
    // The SDK's own accumulator agrees.
    const final = await client.chat.completions.stream({ model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content: 'Invent a holiday.' }] }).finalChatCompletion();
    expect(final.choices[0]?.message.content).toBe(streamed);
  });

  it('carries a tool round trip: the recorded call out, the result back to the provider as a tool message', async () => {
    const model = 'groq:llama-3.3-70b-versatile';
    const messages: OpenAI.Chat.Completions.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Weather in Berlin?' }];
    const first = await client.chat.completions.create({ model, messages, tools: [WEATHER], tool_choice: 'auto' });
    const call = first.choices[0]?.message.tool_calls?.[0];
    expect(first.choices[0]?.finish_reason).toBe('tool_calls');
    // Whichever recording of a `weather` call the fake upstream replays: its arguments, as JSON text.
    expect(call).toMatchObject({ type: 'function', function: { name: 'weather' } });
    expect(JSON.parse(call?.type === 'function' ? call.function.arguments : '')).toEqual(expect.any(Object));
    expect(rig.upstream.requests[0]?.body).toMatchObject({ tools: [{ type: 'function', function: { name: 'weather' } }], tool_choice: 'auto' });

    // Streamed, the SDK assembles the same call from the pieces.
    const streamed = await client.chat.completions.stream({ model, messages, tools: [WEATHER] }).finalChatCompletion();
    const pieced = streamed.choices[0]?.message.tool_calls?.[0];
    expect(pieced).toMatchObject({ type: 'function', function: { name: 'weather' } });
    expect(JSON.parse(pieced?.type === 'function' ? pieced.function.arguments : '')).toEqual(expect.any(Object));
    expect(streamed.choices[0]?.finish_reason).toBe('tool_calls');

    rig.upstream.reset();
    const answer = await client.chat.completions.create({
      model,
      messages: [...messages, { role: 'assistant', content: null, tool_calls: [call as OpenAI.Chat.Completions.ChatCompletionMessageToolCall] }, { role: 'tool', tool_call_id: call?.id ?? '', content: '{"temperatureC":21}' }],
      tools: [WEATHER],
    });
    expect(answer.choices[0]?.finish_reason).toBe('stop');
    const sent = rig.upstream.requests[0]?.body as { messages: Array<Record<string, unknown>> };
    expect(sent.messages.at(-2)).toMatchObject({ role: 'assistant', tool_calls: [{ id: call?.id, function: { name: 'weather' } }] });
    expect(sent.messages.at(-1)).toMatchObject({ role: 'tool', tool_call_id: call?.id, content: '{"temperatureC":21}' });
  });

  it('passes image input and a JSON schema on to the provider', async () => {
    const image = `data:image/png;base64,${Buffer.from('not really a png').toString('base64')}`;
    await client.chat.completions.create({
      model: 'openai:gpt-4.1-nano',
      messages: [{ role: 'user', content: [{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: image } }] }],
      response_format: { type: 'json_schema', json_schema: { name: 'answer', schema: { type: 'object', properties: { thing: { type: 'string' } }, required: ['thing'] } } },
    });
    const sent = rig.upstream.requests[0]?.body as { messages: Array<{ content: unknown }>; response_format: unknown };
    expect(sent.messages[0]?.content).toEqual([{ type: 'text', text: 'What is this?' }, { type: 'image_url', image_url: { url: image } }]);
    expect(sent.response_format).toMatchObject({ type: 'json_schema', json_schema: { name: 'answer', schema: { required: ['thing'] } } });
  });

  it('resolves a bare model id to the one configured provider that offers it', async () => {
    const completion = await client.chat.completions.create({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.model).toBe('openai:gpt-4.1-nano');
    await expect(client.chat.completions.create({ model: 'no-such-model-anywhere', messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 400, code: 'invalid_model', param: 'model' });
  });

  it('refuses what it cannot honour in OpenAI’s error shape, logs it, and never calls the provider', async () => {
    const refused = client.chat.completions.create({ model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }], n: 2 });
    await expect(refused).rejects.toBeInstanceOf(OpenAI.BadRequestError);
    await expect(refused).rejects.toMatchObject({ status: 400, code: 'unsupported', param: 'n', type: 'invalid_request_error' });
    await expect(client.chat.completions.create({ model: 'openai:gpt-4.1-nano', messages: [{ role: 'wizard', content: 'hi' } as never] })).rejects.toMatchObject({ status: 400, code: 'invalid_request' });
    await expect(
      client.chat.completions.create({ model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }, { role: 'tool', tool_call_id: 'call_x', content: 'orphan' }] }),
    ).rejects.toMatchObject({ status: 400, param: 'messages[1].tool_call_id' });
    expect(rig.upstream.requests).toHaveLength(0);
    await rig.aiu.flush();
    const store = await rig.aiu.store();
    expect((await store.listLogs({ limit: 5 }))[0]).toMatchObject({ status: 'error', errorCode: 'invalid_request' });
  });

  it('turns a provider failure into the SDK’s typed error with the provider’s status', async () => {
    rig.upstream.set({ error: { status: 429, body: { error: { message: 'Rate limit reached', type: 'requests', code: 'rate_limit_exceeded' } } } });
    await expect(client.chat.completions.create({ model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }] })).rejects.toBeInstanceOf(OpenAI.RateLimitError);
    rig.upstream.reset();
  });

  it('answers embeddings in float and in base64 (the SDK’s default), as the recording holds them', async () => {
    const decoded = await client.embeddings.create({ model: 'openai:text-embedding-3-small', input: ['one', 'two'] });
    expect(decoded.data).toHaveLength(embedding.data.length);
    decoded.data.forEach((item, index) => item.embedding.forEach((value, i) => expect(value).toBeCloseTo(embedding.data[index]?.embedding[i] ?? NaN, 6)));
    expect(decoded.usage.prompt_tokens).toBe(embedding.usage.prompt_tokens);
    const floats = await client.embeddings.create({ model: 'openai:text-embedding-3-small', input: ['one', 'two'], encoding_format: 'float' });
    expect(floats.data.map((item) => item.embedding)).toEqual(embedding.data.map((item) => item.embedding));
    await expect(client.embeddings.create({ model: 'openai:text-embedding-3-small', input: 'x', dimensions: 64 })).rejects.toMatchObject({ status: 400, param: 'dimensions' });
  });

  it('runs server tools inside the call: the client sees the answer, not the calls', async () => {
    // No client key here: `identify` says who is calling, which the /v1 routes accept in place of one.
    const tooled = await createRig({ identify: () => ({ userId: 'agent-1' }), tools: { weather: { description: 'Current weather', inputSchema: { type: 'object', properties: {} }, execute: () => ({ temperatureC: 21 }) } } });
    const local = createServer(toNodeListener(tooled.aiu));
    await new Promise<void>((resolve) => local.listen(0, '127.0.0.1', resolve));
    try {
      const sdk = new OpenAI({ baseURL: `http://127.0.0.1:${(local.address() as AddressInfo).port}/v1`, apiKey: 'unused', maxRetries: 0 });
      for (const stream of [false, true]) {
        tooled.upstream.reset();
        const completion = stream
          ? await sdk.chat.completions.stream({ model: 'groq:llama-3.3-70b-versatile', messages: [{ role: 'user', content: 'Weather?' }] }).finalChatCompletion()
          : await sdk.chat.completions.create({ model: 'groq:llama-3.3-70b-versatile', messages: [{ role: 'user', content: 'Weather?' }] });
        expect(completion.choices[0]?.message.tool_calls ?? []).toEqual([]);
        expect(completion.choices[0]?.finish_reason).toBe('stop');
        expect(completion.choices[0]?.message.content?.length).toBeGreaterThan(0);
        // Two model steps: the call, then the answer with the tool's result.
        expect(tooled.upstream.requests).toHaveLength(2);
        await tooled.aiu.flush();
        expect((await (await tooled.aiu.store()).listLogs({ limit: 1 }))[0]).toMatchObject({ userId: 'agent-1', clientKeyId: null });
        expect((tooled.upstream.requests[1]?.body as { messages: Array<{ role: string; content?: unknown }> }).messages.at(-1)).toMatchObject({ role: 'tool', content: '{"temperatureC":21}' });
      }
    } finally {
      await new Promise((resolve) => local.close(resolve));
      await tooled.close();
    }
  });

  it('lists models in OpenAI’s shape and finds one by id', async () => {
    const models = [];
    for await (const model of client.models.list()) models.push(model);
    expect(models.length).toBeGreaterThan(10);
    expect(models.every((model) => model.object === 'model' && model.id.startsWith(`${model.owned_by}:`))).toBe(true);
    expect(models.map((model) => model.id)).toContain('openai:gpt-4.1-nano');
    expect(await client.models.retrieve('openai:gpt-4.1-nano')).toMatchObject({ id: 'openai:gpt-4.1-nano', owned_by: 'openai' });
    await expect(client.models.retrieve('openai:nope')).rejects.toBeInstanceOf(OpenAI.NotFoundError);
  });
});
