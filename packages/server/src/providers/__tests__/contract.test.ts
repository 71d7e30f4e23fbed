import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AiuError, type ChatEvent, type ChatResult } from '@aiu/core';
import { listFixtures, loadFixture, startFakeUpstream } from '@aiu/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRig, TEST_KEY, type TestRig } from '../../../test/helpers';
import { type Aiu, createAiu, memoryStore } from '../../index';

/**
 * What each provider's recording says the reply was, read straight from its wire format
 * (independently of the adapters under test).
 */
interface Expected {
  text: string;
  reasoning: string;
  /** Tool calls as the recording has them: name and parsed input, in order. */
  toolCalls: Array<{ toolName: string; input: unknown }>;
  usage: { inputTokens: number; outputTokens: number; cachedInputTokens: number; cacheWriteTokens: number; reasoningTokens: number; totalTokens: number; serviceTier?: string };
  finishReason: string;
}

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- fixture wire data

const BASE_PATH = { openai: '/v1', anthropic: '/v1', google: '/v1beta' } as const;

/**
 * Replays a fixture derived from a recording (one event added or changed) through a real
 * fake upstream and a fresh handler; `files` are named `<fixture>.<ext>` under the provider.
 */
async function withDerivedFixture(provider: keyof typeof BASE_PATH, files: Record<string, string>, run: (aiu: Aiu) => Promise<void>): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'aiu-fixtures-'));
  mkdirSync(join(dir, provider));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, provider, name), text);
  const fixture = `${provider}/${Object.keys(files)[0]?.split('.')[0]}`;
  const upstream = await startFakeUpstream({ fixturesDir: dir, fixture });
  const aiu = createAiu({ store: memoryStore(), env: {}, logger: { warn() {} }, providers: { [provider]: { baseURL: `${upstream.url}${BASE_PATH[provider]}`, apiKey: TEST_KEY } } });
  try {
    await run(aiu);
  } finally {
    await aiu.close();
    await upstream.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

function anthropicExpected(events: Json[]): Expected {
  const usage: Json = {};
  let stop = '';
  for (const e of events) {
    for (const source of [e.message?.usage, e.usage]) {
      for (const [k, v] of Object.entries(source ?? {})) if (typeof v === 'number' || k === 'service_tier') usage[k] = v;
    }
    if (e.delta?.stop_reason) stop = e.delta.stop_reason;
  }
  const read = usage.cache_read_input_tokens ?? 0;
  const write = usage.cache_creation_input_tokens ?? 0;
  const input = usage.input_tokens + read + write;
  // A tool_use block's input is its input_json_delta pieces joined (empty means no arguments).
  const toolCalls = events
    .filter((e) => e.content_block?.type === 'tool_use')
    .map((start) => {
      const json = events.filter((e) => e.index === start.index && e.delta?.type === 'input_json_delta').map((e) => e.delta.partial_json).join('');
      return { toolName: start.content_block.name as string, input: json ? JSON.parse(json) : {} };
    });
  return {
    text: events.filter((e) => e.delta?.type === 'text_delta').map((e) => e.delta.text).join(''),
    reasoning: events.filter((e) => e.delta?.type === 'thinking_delta').map((e) => e.delta.thinking).join(''),
    toolCalls,
    usage: {
      inputTokens: input, outputTokens: usage.output_tokens, cachedInputTokens: read, cacheWriteTokens: write, reasoningTokens: 0, totalTokens: input + usage.output_tokens,
      // The tier the recording was served at (every Anthropic answer says it).
      ...(usage.service_tier ? { serviceTier: usage.service_tier } : {}),
    },
    finishReason: { end_turn: 'stop', refusal: 'content_filter', max_tokens: 'length', tool_use: 'tool_calls' }[stop] ?? 'other',
  };
}

/** Gemini 3's streamed arguments: values set by JSON path, strings continued while `willContinue`. */
function googleStreamedCalls(parts: Json[]): Array<{ toolName: string; input: Json }> {
  const calls: Array<{ toolName: string; input: Json }> = [];
  for (const part of parts) {
    const call = part.functionCall;
    if (!call) continue;
    if (call.args && !call.willContinue) calls.push({ toolName: call.name, input: call.args });
    else if (call.name) calls.push({ toolName: call.name, input: {} });
    for (const arg of call.partialArgs ?? []) {
      const key = String(arg.jsonPath).replace(/^\$\./, '');
      const current = calls.at(-1);
      if (current) current.input[key] = `${current.input[key] ?? ''}${arg.stringValue ?? ''}`;
    }
  }
  return calls;
}

function googleExpected(chunks: Json[]): Expected {
  const parts = chunks.flatMap((c) => c.candidates?.[0]?.content?.parts ?? []);
  const meta = chunks.at(-1)?.usageMetadata ?? {};
  const output = (meta.candidatesTokenCount ?? 0) + (meta.thoughtsTokenCount ?? 0);
  const toolCalls = googleStreamedCalls(parts);
  return {
    text: parts.filter((p: Json) => !p.thought).map((p: Json) => p.text ?? '').join(''),
    reasoning: parts.filter((p: Json) => p.thought).map((p: Json) => p.text ?? '').join(''),
    toolCalls,
    usage: { inputTokens: meta.promptTokenCount, outputTokens: output, cachedInputTokens: meta.cachedContentTokenCount ?? 0, cacheWriteTokens: 0, reasoningTokens: meta.thoughtsTokenCount ?? 0, totalTokens: meta.totalTokenCount },
    // Gemini ends a turn that called functions with STOP: that turn is tool_calls.
    finishReason: chunks.some((c) => c.candidates?.[0]?.finishReason === 'STOP') ? (toolCalls.length ? 'tool_calls' : 'stop') : 'other',
  };
}

function ollamaExpected(lines: Json[]): Expected {
  const last = lines.at(-1) ?? {};
  return {
    text: lines.map((l) => l.message?.content ?? '').join(''),
    reasoning: lines.map((l) => l.message?.thinking ?? '').join(''),
    toolCalls: lines.flatMap((l) => (l.message?.tool_calls ?? []).map((c: Json) => ({ toolName: c.function.name, input: c.function.arguments }))),
    usage: { inputTokens: last.prompt_eval_count, outputTokens: last.eval_count, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, totalTokens: last.prompt_eval_count + last.eval_count },
    finishReason: 'stop',
  };
}

function openaiExpected(chunks: Json[]): Expected {
  const usage = chunks.map((c) => c.usage).filter(Boolean).at(-1);
  const tier = chunks.map((c) => c.service_tier).filter(Boolean).at(-1);
  return {
    text: chunks.map((c) => c.choices?.[0]?.delta?.content ?? '').join(''),
    reasoning: chunks.map((c) => c.choices?.[0]?.delta?.reasoning_content ?? '').join(''),
    toolCalls: [],
    usage: {
      inputTokens: usage.prompt_tokens,
      outputTokens: usage.completion_tokens,
      cachedInputTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
      cacheWriteTokens: usage.prompt_tokens_details?.cache_write_tokens ?? 0,
      reasoningTokens: usage.completion_tokens_details?.reasoning_tokens ?? 0,
      totalTokens: usage.total_tokens,
      ...(tier ? { serviceTier: tier } : {}),
    },
    finishReason: 'stop',
  };
}

interface Adapter {
  provider: string;
  folder: string;
  expected: (lines: Json[]) => Expected;
  /** The same from the non-streamed body. */
  expectedJson: (body: Json) => Pick<Expected, 'text' | 'usage'> & Partial<Pick<Expected, 'toolCalls'>>;
}

const adapters: Adapter[] = [
  {
    provider: 'anthropic',
    folder: 'anthropic',
    expected: anthropicExpected,
    expectedJson: (b) => ({
      text: (b.content ?? []).filter((c: Json) => c.type === 'text').map((c: Json) => c.text).join(''),
      usage: anthropicExpected([{ message: { usage: b.usage } }]).usage,
      toolCalls: (b.content ?? []).filter((c: Json) => c.type === 'tool_use').map((c: Json) => ({ toolName: c.name, input: c.input })),
    }),
  },
  {
    provider: 'google',
    folder: 'google',
    expected: googleExpected,
    expectedJson: (b) => ({ text: googleExpected([b]).text, usage: googleExpected([b]).usage, toolCalls: googleExpected([b]).toolCalls }),
  },
  {
    provider: 'ollama',
    folder: 'ollama',
    expected: ollamaExpected,
    expectedJson: (b) => ({ text: b.message.content, usage: ollamaExpected([b]).usage }),
  },
  {
    provider: 'openrouter',
    folder: 'openrouter',
    expected: openaiExpected,
    expectedJson: (b) => ({ text: b.choices[0].message.content, usage: openaiExpected([{ usage: b.usage, service_tier: b.service_tier }]).usage }),
  },
];

async function collect(stream: AsyncIterable<ChatEvent>): Promise<ChatEvent[]> {
  const events: ChatEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

const messages = [
  { role: 'system' as const, content: 'Be brief.' },
  { role: 'user' as const, content: 'Hello?' },
];

let rig: TestRig;
beforeAll(async () => {
  rig = await createRig();
});
afterAll(async () => {
  await rig.close();
});
beforeEach(() => {
  rig.upstream.reset();
});

describe.each(adapters)('$provider adapter contract', ({ provider, folder, expected, expectedJson }) => {
  const names = listFixtures(folder).filter((name) => loadFixture(name).chunks);

  it.each(names)('streams %s: text, reasoning, usage field by field, finish reason', async (name) => {
    const lines = (loadFixture(name).chunks ?? []).map((line) => JSON.parse(line) as Json);
    const want = expected(lines);
    rig.upstream.set({ fixture: name });
    const events = await collect(await rig.aiu.chat({ model: `${provider}:recorded`, messages }));
    expect(events[0]).toMatchObject({ type: 'start', provider, model: `${provider}:recorded` });
    const text = events.flatMap((e) => (e.type === 'delta' ? [e.text] : [])).join('');
    const reasoning = events.flatMap((e) => (e.type === 'reasoning' ? [e.text] : [])).join('');
    expect(text).toBe(want.text);
    expect(reasoning).toBe(want.reasoning);
    // Each tool call: announced as its input starts, then once, whole, with the input parsed.
    const calls = events.flatMap((e) => (e.type === 'tool-call' ? [{ toolName: e.toolName, input: e.input }] : []));
    expect(calls).toEqual(want.toolCalls);
    const starts = events.flatMap((e) => (e.type === 'tool-input-start' ? [e.toolCallId] : []));
    const ids = events.flatMap((e) => (e.type === 'tool-call' ? [e.toolCallId] : []));
    expect(starts).toEqual(ids);
    if (name.includes('tool')) expect(want.toolCalls.length).toBeGreaterThan(0);
    const finish = events.at(-1);
    expect(finish?.type).toBe('finish');
    if (finish?.type !== 'finish') return;
    expect(finish.usage).toEqual(want.usage);
    expect(finish.usage.totalTokens).toBe(finish.usage.inputTokens + finish.usage.outputTokens);
    expect(finish.finishReason).toBe(want.finishReason);
  });

  const jsonNames = listFixtures(folder).filter((name) => {
    const json = loadFixture(name).json as Json | null;
    return json && !json.error && (json.candidates || json.content || json.message || json.choices);
  });

  it.each(jsonNames)('answers %s without streaming', async (name) => {
    const want = expectedJson(loadFixture(name).json as Json);
    rig.upstream.set({ fixture: name });
    const result: ChatResult = await rig.aiu.chat({ model: `${provider}:recorded`, messages, stream: false });
    expect(result.text).toBe(want.text);
    expect(result.usage).toEqual(want.usage);
    expect((result.toolCalls ?? []).map(({ toolName, input }) => ({ toolName, input }))).toEqual(want.toolCalls ?? []);
  });

  it('turns a cut stream into stream_truncated, never a finish', async () => {
    const name = names[0] as string;
    rig.upstream.set({ fixture: name, cutAfterChunks: 2 });
    const events = await collect(await rig.aiu.chat({ model: `${provider}:recorded`, messages }));
    expect(events.at(-1)).toMatchObject({ type: 'error', code: 'stream_truncated' });
    expect(events.some((e) => e.type === 'finish')).toBe(false);
  });

  it.each([
    [401, { error: { message: `invalid x-api-key ${TEST_KEY}` } }, 'invalid_api_key', false],
    [403, { error: { message: 'forbidden' } }, 'invalid_api_key', false],
    [400, { error: { message: `bad things about ${TEST_KEY}` } }, 'bad_request', false],
    [500, { error: { message: 'boom' } }, 'upstream_error', true],
    [503, 'Service Unavailable', 'upstream_error', true],
  ] as const)('maps an upstream %i to %s', async (status, body, code, retryable) => {
    rig.upstream.set({ error: { status, body } });
    const failure = await rig.aiu.chat({ model: `${provider}:recorded`, messages }).catch((error: unknown) => error);
    expect(AiuError.isInstance(failure)).toBe(true);
    expect(failure).toMatchObject({ code, retryable, upstreamStatus: status });
    expect((failure as Error).message).not.toContain(TEST_KEY);
  });

  it('maps 429 to rate_limited with retryAfterMs from Retry-After', async () => {
    rig.upstream.set({ error: { status: 429, body: { error: { message: 'slow down' } }, headers: { 'retry-after': '12' } } });
    const failure = await rig.aiu.chat({ model: `${provider}:recorded`, messages }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'rate_limited', retryAfterMs: 12_000, retryable: true });
  });
});

describe('errors shared by every adapter', () => {
  it('reads Gemini RetryInfo.retryDelay from the recorded 429 body', async () => {
    rig.upstream.set({ error: { status: 429, fixture: 'google/google-429-retry-info' } });
    const failure = await rig.aiu.chat({ model: 'google:gemini-2.5-flash', messages }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'rate_limited', retryAfterMs: 34_400 });
    expect((failure as Error).message).toContain('You exceeded your current quota');
  });

  it('passes the recorded OpenAI parameter error on as bad_request with its message', async () => {
    rig.upstream.set({ error: { status: 400, fixture: 'openai/reasoning-model-legacy-parameter-error' } });
    const failure = await rig.aiu.chat({ model: 'openai:o3-mini', messages }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'bad_request' });
    expect((failure as Error).message).toContain("Unsupported parameter: 'max_tokens'");
  });

  it.each(['openai', 'anthropic', 'google', 'openrouter', 'ollama'])('%s: connection refused → upstream_unreachable', async (provider) => {
    const aiu = createAiu({
      store: memoryStore(),
      env: {},
      logger: { warn() {} },
      providers: { [provider]: { baseURL: 'http://127.0.0.1:9/v1', apiKey: TEST_KEY } },
    });
    const failure = await aiu.chat({ model: `${provider}:m`, messages }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'upstream_unreachable', retryable: true });
    if (provider === 'ollama') expect((failure as Error).message).toContain('ollama serve');
    await aiu.close();
  });

  it('ignores Anthropic event types it does not know', async () => {
    const lines = [...(loadFixture('anthropic/anthropic-text').chunks ?? [])];
    lines.splice(2, 0, '{"type":"brand_new_event","detail":{"x":1}}');
    await withDerivedFixture('anthropic', { 'future.chunks.txt': lines.join('\n') }, async (aiu) => {
      const events = await collect(await aiu.chat({ model: 'anthropic:claude-sonnet-4-5', messages }));
      expect(events.at(-1)?.type).toBe('finish');
      expect(events.flatMap((e) => (e.type === 'delta' ? [e.text] : [])).join('')).toBe(anthropicExpected(lines.map((l) => JSON.parse(l) as Json)).text);
    });
  });

  it('reports an Anthropic error event mid-stream as a typed error event, after the text before it', async () => {
    const lines = (loadFixture('anthropic/anthropic-text').chunks ?? []).slice(0, 6);
    lines.push('{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}');
    await withDerivedFixture('anthropic', { 'overloaded.chunks.txt': lines.join('\n') }, async (aiu) => {
      const events = await collect(await aiu.chat({ model: 'anthropic:claude-sonnet-4-5', messages }));
      expect(events.at(-1)).toMatchObject({ type: 'error', code: 'upstream_error', retryable: true });
      // The error arrived in the same network chunk as the text: the text still reaches the client.
      const text = anthropicExpected(lines.slice(0, -1).map((line) => JSON.parse(line) as Json)).text;
      expect(text.length).toBeGreaterThan(0);
      expect(events.flatMap((e) => (e.type === 'delta' ? [e.text] : [])).join('')).toBe(text);
    });
  });

  it('reports an OpenAI error chunk mid-stream as a typed error event, after the text before it', async () => {
    const lines = (loadFixture('openai/openai-text').chunks ?? []).slice(0, 10);
    // The recorded error body, as the data of a stream chunk (how OpenAI reports a failure mid-stream).
    lines.push(JSON.stringify({ error: { ...(loadFixture('openai/reasoning-model-legacy-parameter-error').json as Json).error, type: 'server_error', code: null } }));
    await withDerivedFixture('openai', { 'midstream.chunks.txt': lines.join('\n') }, async (aiu) => {
      const events = await collect(await aiu.chat({ model: 'openai:gpt-4.1-nano', messages }));
      expect(events.at(-1)).toMatchObject({ type: 'error', code: 'upstream_error' });
      const text = lines.slice(0, -1).map((line) => (JSON.parse(line) as Json).choices?.[0]?.delta?.content ?? '').join('');
      expect(text.length).toBeGreaterThan(0);
      expect(events.flatMap((e) => (e.type === 'delta' ? [e.text] : [])).join('')).toBe(text);
    });
  });

  it('turns a Gemini prompt block into a typed content_filtered error', async () => {
    // The recorded chunk shape, with the documented promptFeedback a blocked prompt gets instead of candidates.
    const blocked = JSON.stringify({ promptFeedback: { blockReason: 'SAFETY' }, usageMetadata: { promptTokenCount: 9, totalTokenCount: 9 }, modelVersion: 'gemini-3-pro-preview' });
    await withDerivedFixture('google', { 'blocked.chunks.txt': blocked, 'blocked.json': blocked }, async (aiu) => {
      const events = await collect(await aiu.chat({ model: 'google:gemini-3-pro-preview', messages }));
      expect(events.at(-1)).toMatchObject({ type: 'error', code: 'content_filtered', retryable: false });
      const failure = await aiu.chat({ model: 'google:gemini-3-pro-preview', messages, stream: false }).catch((e: unknown) => e);
      expect(failure).toMatchObject({ code: 'content_filtered' });
    });
  });

  it('uses the cost OpenRouter reports as the call cost', async () => {
    rig.upstream.set({ fixture: 'openrouter/openrouter-text' });
    const events = await collect(await rig.aiu.chat({ model: 'openrouter:openai/gpt-4o-mini', messages }));
    const finish = events.at(-1);
    expect(finish?.type === 'finish' && finish.cost?.total).toBe(0.0000075);
    expect(rig.warnings.some((w) => w.includes('openrouter:openai/gpt-4o-mini'))).toBe(false);
  });
});

describe('reasoning in the other forms providers send it', () => {
  it('Mistral’s reasoning models: content as typed parts, `thinking` parts reasoning and `text` parts the answer', async () => {
    // The mistral-text recording with its content in the form Magistral streams it (docs.mistral.ai, "Reasoning").
    const lines = (loadFixture('openai-compatible/mistral-text').chunks ?? []).map((line) => JSON.parse(line) as Json);
    const derived = lines.map((chunk, index) => {
      const delta = chunk.choices?.[0]?.delta;
      if (!delta || typeof delta.content !== 'string' || !delta.content) return chunk;
      const content = index === 1 ? [{ type: 'thinking', thinking: [{ type: 'text', text: 'Short greeting. ' }] }, { type: 'text', text: delta.content }] : [{ type: 'text', text: delta.content }];
      return { ...chunk, choices: [{ ...chunk.choices[0], delta: { ...delta, content } }] };
    });
    const text = lines.map((chunk) => chunk.choices?.[0]?.delta?.content ?? '').join('');
    await withDerivedFixture('openai', { 'magistral.chunks.txt': derived.map((chunk) => JSON.stringify(chunk)).join('\n') }, async (aiu) => {
      const events = await collect(await aiu.chat({ model: 'openai:magistral-small', messages }));
      expect(events.flatMap((e) => (e.type === 'delta' ? [e.text] : [])).join('')).toBe(text);
      expect(events.flatMap((e) => (e.type === 'reasoning' ? [e.text] : [])).join('')).toBe('Short greeting. ');
    });
  });

  it('Anthropic’s signed thinking: the signature comes with the end of its block, as reasoning metadata to hand back', async () => {
    // The anthropic-text recording with a thinking block before its text, as extended thinking streams it.
    const lines = loadFixture('anthropic/anthropic-text').chunks ?? [];
    const thinking = [
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'A greeting.' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'EqQBCgIYAhIM1gbcDa' } },
      { type: 'content_block_stop', index: 0 },
    ].map((event) => JSON.stringify(event));
    const shifted = lines.slice(1).map((line) => {
      const event = JSON.parse(line) as Json;
      return JSON.stringify(typeof event.index === 'number' ? { ...event, index: event.index + 1 } : event);
    });
    await withDerivedFixture('anthropic', { 'thinking.chunks.txt': [lines[0], ...thinking, ...shifted].join('\n') }, async (aiu) => {
      const events = await collect(await aiu.chat({ model: 'anthropic:claude-sonnet-4-5', messages }));
      const reasoning = events.filter((e) => e.type === 'reasoning');
      expect(reasoning.map((e) => e.text).join('')).toBe('A greeting.');
      expect(reasoning.at(-1)).toMatchObject({ providerMetadata: { anthropic: { signature: 'EqQBCgIYAhIM1gbcDa' } } });
      expect(events.at(-1)?.type).toBe('finish');
    });
  });
});
