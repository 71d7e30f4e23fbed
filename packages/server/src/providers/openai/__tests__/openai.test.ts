import { listFixtures, loadFixture } from '@aiu/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatRequest, createRig, deltaText, fixtureStreamText, fixtureStreamUsage, parseSse, type TestRig } from '../../../../test/helpers';

interface WireUsage {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details?: { cached_tokens?: number };
  completion_tokens_details?: { reasoning_tokens?: number };
}

/** Which configured provider replays which recording (Qwen's, through a custom OpenAI-compatible provider). */
function providerFor(name: string): string {
  const file = name.split('/')[1] ?? '';
  if (name.startsWith('openai/')) return 'openai';
  const service = file.split('-')[0] ?? 'local';
  return service === 'alibaba' ? 'local' : service;
}

type ToolDelta = { index?: number; id?: string; function?: { name?: string; arguments?: string } };

/**
 * The tool calls a recording holds, read from its chunks as the wire defines them: a call starts
 * with a name (by index, or by id where Mistral sends no index) and its argument pieces join up.
 */
function recordedToolCalls(chunks: string[]): Array<{ toolName: string; input: unknown }> {
  const calls: Array<{ key: unknown; toolName: string; args: string }> = [];
  for (const line of chunks) {
    for (const delta of ((JSON.parse(line) as { choices?: Array<{ delta?: { tool_calls?: ToolDelta[] } }> }).choices?.[0]?.delta?.tool_calls ?? [])) {
      const key = delta.index ?? delta.id;
      const existing = calls.find((call) => call.key === key) ?? (delta.index === undefined ? calls.at(-1) : undefined);
      if (delta.function?.name && (!existing || delta.index === undefined && delta.id !== undefined && existing.key !== delta.id)) calls.push({ key, toolName: delta.function.name, args: delta.function.arguments ?? '' });
      else if (existing) existing.args += delta.function?.arguments ?? '';
    }
  }
  return calls.map((call) => ({ toolName: call.toolName, input: call.args ? JSON.parse(call.args) : {} }));
}

const fixtures = [...listFixtures('openai'), ...listFixtures('openai-compatible')].filter((name) => {
  const fixture = loadFixture(name);
  return fixture.chunks !== null;
});

describe('openai-wire provider contract (every recorded Chat Completions response)', () => {
  let rig: TestRig;
  beforeAll(async () => {
    rig = await createRig();
  });
  afterAll(async () => {
    await rig.close();
  });

  it('covers the recordings', () => {
    expect(fixtures).toEqual(expect.arrayContaining(['openai/openai-text', 'openai-compatible/mistral-text', 'openai-compatible/deepseek-text', 'openai-compatible/xai-text']));
  });

  describe.each(fixtures)('%s', (name) => {
    const fixture = loadFixture(name);
    const chunks = fixture.chunks ?? [];
    const provider = providerFor(name);

    it('streams the recorded text and reasoning, and usage field by field', async () => {
      rig.upstream.set({ fixture: name });
      const response = await rig.aiu.handler(chatRequest({ model: `${provider}:recorded-model`, messages: [{ role: 'user', content: 'hi' }] }));
      expect(response.status).toBe(200);
      const parsed = parseSse(await response.text());
      expect(deltaText(parsed)).toBe(fixtureStreamText(chunks));
      expect(deltaText(parsed, 'reasoning')).toBe(fixtureStreamText(chunks, 'reasoning_content'));
      const calls = parsed.events.filter((e) => e.event === 'tool-call').map((e) => e.data as { toolName: string; input: unknown; toolCallId: string });
      expect(calls.map(({ toolName, input }) => ({ toolName, input }))).toEqual(recordedToolCalls(chunks));
      // Argument pieces stream before the whole call: their concatenation is the parsed input's text.
      for (const call of calls) {
        const pieces = parsed.events.filter((e) => e.event === 'tool-input-delta' && (e.data as { toolCallId: string }).toolCallId === call.toolCallId);
        const text = pieces.map((e) => (e.data as { delta: string }).delta).join('');
        expect(text ? JSON.parse(text) : {}).toEqual(call.input);
      }

      const wire = fixtureStreamUsage(chunks) as unknown as WireUsage;
      const finish = parsed.events.at(-1);
      expect(finish?.event).toBe('finish');
      const usage = (finish?.data as { usage: Record<string, number> }).usage;
      expect(usage.inputTokens).toBe(wire.prompt_tokens);
      expect(usage.cachedInputTokens).toBe(wire.prompt_tokens_details?.cached_tokens ?? 0);
      expect(usage.reasoningTokens).toBe(wire.completion_tokens_details?.reasoning_tokens ?? 0);
      // Whatever the provider's own convention, the provider's total is input + output.
      expect(usage.totalTokens).toBe(wire.total_tokens);
      expect(usage.totalTokens).toBe((usage.inputTokens ?? 0) + (usage.outputTokens ?? 0));
      expect(usage.outputTokens).toBeGreaterThanOrEqual(usage.reasoningTokens ?? 0);

      const lastReason = chunks
        .map((line) => (JSON.parse(line) as { choices?: Array<{ finish_reason?: string | null }> }).choices?.[0]?.finish_reason)
        .filter(Boolean)
        .at(-1);
      expect((finish?.data as { finishReason: string }).finishReason).toBe(lastReason);
    });

    it.runIf(fixture.json !== null)('returns the non-streamed recording with its usage', async () => {
      rig.upstream.set({ fixture: name });
      const response = await rig.aiu.handler(
        chatRequest({ model: `${provider}:recorded-model`, messages: [{ role: 'user', content: 'hi' }], stream: false }),
      );
      const body = (await response.json()) as { text: string; reasoning?: string; usage: Record<string, number>; toolCalls?: Array<{ toolName: string; input: unknown }> };
      const json = fixture.json as {
        choices: Array<{ message: { content?: string | null; reasoning_content?: string; tool_calls?: Array<{ function: { name: string; arguments: string } }> } }>;
        usage: WireUsage;
      };
      expect(body.text).toBe(json.choices[0]?.message.content ?? '');
      expect((body.toolCalls ?? []).map(({ toolName, input }) => ({ toolName, input }))).toEqual(
        (json.choices[0]?.message.tool_calls ?? []).map((call) => ({ toolName: call.function.name, input: JSON.parse(call.function.arguments) })),
      );
      expect(body.reasoning ?? '').toBe(json.choices[0]?.message.reasoning_content ?? '');
      expect(body.usage.inputTokens).toBe(json.usage.prompt_tokens);
      expect(body.usage.totalTokens).toBe(json.usage.total_tokens);
      expect(body.usage.cachedInputTokens).toBe(json.usage.prompt_tokens_details?.cached_tokens ?? 0);
    });
  });

  it('does not send stream_options to Mistral, which rejects unknown fields', async () => {
    rig.upstream.reset();
    rig.upstream.set({ fixture: 'openai-compatible/mistral-text' });
    await (await rig.aiu.handler(chatRequest({ model: 'mistral:mistral-small-latest', messages: [{ role: 'user', content: 'hi' }], options: { maxTokens: 5 } }))).text();
    const sent = rig.upstream.requests[0]?.body as Record<string, unknown>;
    expect(sent.stream_options).toBeUndefined();
    expect(sent.max_tokens).toBe(5);
  });

  it("streams a long tool call in OpenAI's layout piece by piece, and parses it whole", async () => {
    // OpenAI's 300-chunk text recording as one call's arguments (most pieces take the fast path).
    const { mkdtempSync, mkdirSync, rmSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { startFakeUpstream, textStreamAsToolCall } = await import('@aiu/testing');
    const dir = mkdtempSync(join(tmpdir(), 'aiu-fixtures-'));
    mkdirSync(join(dir, 'openai'));
    const recorded = loadFixture('openai/openai-text').chunks ?? [];
    writeFileSync(join(dir, 'openai', 'long-call.chunks.txt'), textStreamAsToolCall(recorded, { id: 'call_long', name: 'record' }).join('\n'));
    const upstream = await startFakeUpstream({ fixturesDir: dir, fixture: 'openai/long-call' });
    const { createAiu, memoryStore } = await import('../../../index');
    const aiu = createAiu({ store: memoryStore(), env: {}, logger: { warn() {} }, providers: { openai: { baseURL: `${upstream.url}/v1`, apiKey: 'sk-test' } } });
    try {
      const tools = { record: { inputSchema: { type: 'object', properties: { text: { type: 'string' } } } } };
      const parsed = parseSse(await (await aiu.handler(chatRequest({ model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }], tools }))).text());
      const pieces = parsed.events.filter((e) => e.event === 'tool-input-delta').map((e) => e.data as { toolCallId: string; delta: string });
      expect(pieces.length).toBeGreaterThan(250);
      expect(pieces.every((piece) => piece.toolCallId === 'call_long')).toBe(true);
      const text = fixtureStreamText(recorded);
      expect(JSON.parse(pieces.map((piece) => piece.delta).join(''))).toEqual({ text });
      expect(parsed.events.filter((e) => e.event === 'tool-call').map((e) => e.data)).toEqual([{ toolCallId: 'call_long', toolName: 'record', input: { text } }]);
      expect(parsed.events.at(-1)).toMatchObject({ event: 'finish', data: { finishReason: 'tool_calls' } });
      expect(deltaText(parsed)).toBe('');
    } finally {
      await aiu.close();
      await upstream.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('turns a malformed chunk into a typed error event', async () => {
    rig.upstream.reset();
    // A recording with one line corrupted: the provider's wire, broken the way proxies break it.
    const { mkdtempSync, mkdirSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'aiu-fixtures-'));
    mkdirSync(join(dir, 'openai'));
    const lines = [...(loadFixture('openai/openai-text').chunks ?? [])];
    lines.splice(3, 0, '{"choices": [ this is not json');
    writeFileSync(join(dir, 'openai', 'broken.chunks.txt'), lines.join('\n'));
    const { startFakeUpstream } = await import('@aiu/testing');
    const broken = await startFakeUpstream({ fixturesDir: dir, fixture: 'openai/broken' });
    const { createAiu, memoryStore } = await import('../../../index');
    const aiu = createAiu({ store: memoryStore(), env: {}, logger: { warn() {} }, providers: { openai: { baseURL: `${broken.url}/v1`, apiKey: 'sk-test' } } });
    const parsed = parseSse(await (await aiu.handler(chatRequest({ model: 'openai:x', messages: [{ role: 'user', content: 'hi' }] }))).text());
    expect(parsed.events.at(-1)).toMatchObject({ event: 'error', data: { code: 'upstream_error' } });
    await aiu.close();
    await broken.close();
  });
});
