import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Anthropic from '@anthropic-ai/sdk';
import { loadFixture } from '@aiu/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { CreatedClientKey } from '@aiu/core';
import { createRig, issueClientKey, type TestRig } from '../../test/helpers';
import { toNodeListener } from '../node';

// The official Anthropic SDK, pointed at aiu over a real socket: what Claude-based agents do.
interface MessageJson {
  content: Array<{ type: string; text?: string; name?: string; input?: unknown }>;
  usage: { input_tokens: number; output_tokens: number; cache_read_input_tokens?: number | null; cache_creation_input_tokens?: number | null };
  stop_reason: string;
}
const text = loadFixture('anthropic/anthropic-text');
const textJson = text.json as MessageJson;
const toolJson = loadFixture('anthropic/anthropic-tool-no-args').json as MessageJson;
const streamedText = (text.chunks ?? [])
  .map((line) => JSON.parse(line) as { type: string; delta?: { type?: string; text?: string } })
  .filter((event) => event.type === 'content_block_delta' && event.delta?.type === 'text_delta')
  .map((event) => event.delta?.text ?? '')
  .join('');

const UPDATE_ISSUES: Anthropic.Tool = { name: 'updateIssueList', description: 'Updates the issue list', input_schema: { type: 'object', properties: {} } };

describe('Anthropic-compatible /v1/messages, driven by the Anthropic SDK', () => {
  let rig: TestRig;
  let server: Server;
  let client: Anthropic;
  let clientKey: CreatedClientKey;
  let baseURL: string;

  beforeAll(async () => {
    rig = await createRig();
    server = createServer(toNodeListener(rig.aiu));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    clientKey = await issueClientKey(rig.aiu, { name: 'anthropic sdk', models: ['anthropic:*'] });
    baseURL = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // The SDK sends its key as x-api-key: aiu reads a client key there too.
    client = new Anthropic({ baseURL, apiKey: clientKey.key, maxRetries: 0 });
  });
  afterAll(async () => {
    await new Promise((resolve) => server.close(resolve));
    await rig.close();
  });
  beforeEach(() => rig.upstream.reset());

  it('answers a message with the recorded text and usage, and logs it with its cost', async () => {
    const { data: message, response } = await client.messages.create({ model: 'anthropic:claude-sonnet-4-5', max_tokens: 512, messages: [{ role: 'user', content: 'Hello' }] }).withResponse();
    expect(message.type).toBe('message');
    expect(message.content).toEqual([{ type: 'text', text: textJson.content.find((block) => block.type === 'text')?.text }]);
    expect(message.stop_reason).toBe(textJson.stop_reason);
    expect(message.usage.input_tokens).toBe(textJson.usage.input_tokens);
    expect(message.usage.output_tokens).toBe(textJson.usage.output_tokens);
    const requestId = response.headers.get('x-aiu-request-id') ?? '';
    await rig.aiu.flush();
    const entry = (await (await rig.aiu.store()).listLogs({ limit: 20 })).find((row) => row.id === requestId);
    expect(entry).toMatchObject({ status: 'success', provider: 'anthropic', outputTokens: textJson.usage.output_tokens, clientKeyId: clientKey.id });
    expect(entry?.costTotal).toBeGreaterThan(0);
    // What the provider got: Anthropic's own wire, max_tokens carried.
    expect(rig.upstream.requests[0]?.body).toMatchObject({ max_tokens: 512, messages: [{ role: 'user' }] });
  });

  it('answers a missing key and a model outside the key\'s list in Anthropic\'s error shape (401, 403 naming the model)', async () => {
    const anonymous = new Anthropic({ baseURL, apiKey: 'sk-ant-not-ours', maxRetries: 0 });
    await expect(anonymous.messages.create({ model: 'anthropic:claude-sonnet-4-5', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] })).rejects.toBeInstanceOf(Anthropic.AuthenticationError);
    const refused = client.messages.create({ model: 'openai:gpt-4.1-nano', max_tokens: 16, messages: [{ role: 'user', content: 'Hi' }] });
    await expect(refused).rejects.toBeInstanceOf(Anthropic.PermissionDeniedError);
    await expect(refused).rejects.toMatchObject({ status: 403, error: { type: 'error', error: { type: 'permission_error', message: expect.stringContaining('openai:gpt-4.1-nano') } } });
    expect(rig.upstream.requests).toHaveLength(0);
    // The refusal is in the log, under the key.
    await rig.aiu.flush();
    expect((await (await rig.aiu.store()).listLogs({ limit: 1 }))[0]).toMatchObject({ status: 'error', errorCode: 'forbidden', clientKeyId: clientKey.id, model: 'openai:gpt-4.1-nano' });
  });

  it('streams the event sequence the SDK assembles: text deltas, stop reason and usage', async () => {
    const stream = client.messages.stream({ model: 'anthropic:claude-sonnet-4-5', max_tokens: 512, messages: [{ role: 'user', content: 'Hello' }] });
    const types: string[] = [];
    let deltas = '';
    stream.on('streamEvent', (event) => types.push(event.type));
    stream.on('text', (piece) => (deltas += piece));
    const final = await stream.finalMessage();
    expect(deltas).toBe(streamedText);
    expect(final.content).toEqual([expect.objectContaining({ type: 'text', text: streamedText })]);
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage.output_tokens).toBeGreaterThan(0);
    expect(types[0]).toBe('message_start');
    expect(types.slice(-2)).toEqual(['message_delta', 'message_stop']);
    expect(types.filter((type) => type === 'content_block_start')).toHaveLength(1);
  });

  it('carries a tool round trip, streamed and not: the recorded tool_use out, the tool_result back', async () => {
    const model = 'anthropic:claude-sonnet-4-5';
    const ask: Anthropic.MessageParam = { role: 'user', content: 'Update the issues.' };
    const first = await client.messages.create({ model, max_tokens: 512, messages: [ask], tools: [UPDATE_ISSUES], tool_choice: { type: 'auto' } });
    expect(first.stop_reason).toBe('tool_use');
    const use = first.content.find((block): block is Anthropic.ToolUseBlock => block.type === 'tool_use');
    expect(use).toMatchObject({ name: 'updateIssueList', input: toolJson.content.find((block) => block.type === 'tool_use')?.input });
    expect(rig.upstream.requests[0]?.body).toMatchObject({ tools: [{ name: 'updateIssueList', input_schema: { type: 'object' } }], tool_choice: { type: 'auto' } });

    const streamed = await client.messages.stream({ model, max_tokens: 512, messages: [ask], tools: [UPDATE_ISSUES] }).finalMessage();
    expect(streamed.stop_reason).toBe('tool_use');
    expect(streamed.content.find((block) => block.type === 'tool_use')).toMatchObject({ type: 'tool_use', name: 'updateIssueList' });

    rig.upstream.reset();
    const answer = await client.messages.create({
      model,
      max_tokens: 512,
      tools: [UPDATE_ISSUES],
      messages: [ask, { role: 'assistant', content: first.content }, { role: 'user', content: [{ type: 'tool_result', tool_use_id: use?.id ?? '', content: 'done' }] }],
    });
    expect(answer.stop_reason).toBe('end_turn');
    const sent = rig.upstream.requests[0]?.body as { messages: Array<{ role: string; content: unknown }> };
    expect(sent.messages.at(-2)).toMatchObject({ role: 'assistant', content: expect.arrayContaining([expect.objectContaining({ type: 'tool_use', id: use?.id, name: 'updateIssueList' })]) });
    expect(sent.messages.at(-1)).toMatchObject({ role: 'user', content: [expect.objectContaining({ type: 'tool_result', tool_use_id: use?.id })] });
  });

  it('passes images on, and refuses what it cannot carry in Anthropic’s error shape', async () => {
    const png = Buffer.from('not really a png').toString('base64');
    await client.messages.create({ model: 'anthropic:claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } }, { type: 'text', text: 'What is it?' }] }] });
    const sent = rig.upstream.requests[0]?.body as { messages: Array<{ content: Array<Record<string, unknown>> }> };
    expect(sent.messages[0]?.content[0]).toMatchObject({ type: 'image', source: { type: 'base64', media_type: 'image/png', data: png } });

    rig.upstream.reset();
    // top_k, as older clients send it (the SDK's current types no longer have it).
    const refused = client.messages.create({ model: 'anthropic:claude-sonnet-4-5', max_tokens: 64, top_k: 5, messages: [{ role: 'user', content: 'hi' }] } as Anthropic.MessageCreateParamsNonStreaming);
    await expect(refused).rejects.toBeInstanceOf(Anthropic.BadRequestError);
    await expect(refused).rejects.toMatchObject({ status: 400, error: { type: 'error', error: { type: 'invalid_request_error', message: 'top_k is not supported.' } } });
    await expect(client.messages.create({ model: 'anthropic:claude-sonnet-4-5', messages: [{ role: 'user', content: 'hi' }] } as never)).rejects.toMatchObject({ status: 400 });
    expect(rig.upstream.requests).toHaveLength(0);
  });

  it('turns a provider failure into the SDK’s typed error', async () => {
    rig.upstream.set({ error: { status: 429, body: { type: 'error', error: { type: 'rate_limit_error', message: 'Slow down' } } } });
    await expect(client.messages.create({ model: 'anthropic:claude-sonnet-4-5', max_tokens: 64, messages: [{ role: 'user', content: 'hi' }] })).rejects.toBeInstanceOf(Anthropic.RateLimitError);
  });
});
