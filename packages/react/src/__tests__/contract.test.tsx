import type { ChatEvent } from '@aiu/core';
import { createAiu, memoryStore, type Aiu } from '@aiu/server';
import { type FakeUpstream, listFixtures, loadFixture, startFakeUpstream } from '@aiu/testing';
import { act, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AiuProvider } from '../AiuProvider';
import type { ToolCallUIPart } from '../core/uiMessages';
import { useChat } from '../useChat';

/**
 * Every recorded chat stream through every layer: the fake upstream replays the recording, the
 * real handler turns it into `/chat` SSE, and `useChat` into parts. What the parts must hold is
 * what the server's own event stream said (the server's contract suite checks that against the
 * recordings, field by field).
 */
const KEY = 'sk-test-fake-key-0123456789abcdef';
/** Every tool a recording calls, offered as a client tool: the reply stops at the call. */
const TOOLS = Object.fromEntries(['weather', 'getWeather', 'json', 'updateIssueList', 'webSearchTool'].map((name) => [name, { inputSchema: { type: 'object' } }]));

function providerOf(name: string): string {
  const [folder, file = ''] = name.split('/');
  if (folder !== 'openai-compatible') return folder ?? '';
  const service = file.split('-')[0] ?? '';
  return service === 'alibaba' ? 'local' : service;
}

let upstream: FakeUpstream;
let aiu: Aiu;
beforeAll(async () => {
  upstream = await startFakeUpstream();
  const baseURL = `${upstream.url}/v1`;
  aiu = createAiu({
    store: memoryStore(),
    env: {},
    logger: { warn() {} },
    retries: { maxAttempts: 1 },
    providers: {
      openai: { baseURL, apiKey: KEY },
      mistral: { baseURL, apiKey: KEY },
      groq: { baseURL, apiKey: KEY },
      deepseek: { baseURL, apiKey: KEY },
      xai: { baseURL, apiKey: KEY },
      anthropic: { baseURL, apiKey: KEY },
      google: { baseURL: `${upstream.url}/v1beta`, apiKey: KEY },
      ollama: { baseURL: upstream.url },
      openrouter: { baseURL: `${upstream.url}/api/v1`, apiKey: KEY },
      local: { type: 'openai-compatible', baseURL },
    },
  });
});
afterAll(async () => {
  await aiu.close();
  await upstream.close();
});

/** `useChat`'s requests go straight to the handler: no MSW, no network but the upstream's loopback. */
const viaHandler: typeof fetch = (input, init) => aiu.handler(new Request(new URL(String(input), 'http://localhost/'), init));
const wrapper = ({ children }: { children: ReactNode }) => (
  <AiuProvider baseUrl="http://localhost/api/aiu" fetch={viaHandler}>
    {children}
  </AiuProvider>
);

const recordings = listFixtures()
  .filter((name) => loadFixture(name).chunks && !/embed|error|429|models|tags/.test(name))
  .sort();

describe('recorded streams through the handler into useChat parts', () => {
  it('has recordings of tool calls from every wire', () => {
    const withTools = recordings.filter((name) => /tool/.test(name));
    expect(withTools.map((name) => name.split('/')[0])).toEqual(expect.arrayContaining(['anthropic', 'google', 'openai-compatible']));
  });

  it.each(recordings)('%s', async (name) => {
    upstream.set({ fixture: name });
    const model = `${providerOf(name)}:recorded-model`;
    const messages = [{ role: 'user' as const, content: 'Hello?' }];
    const events: ChatEvent[] = [];
    for await (const event of await aiu.chat({ model, messages, tools: TOOLS, stream: true })) events.push(event);
    const calls = events.flatMap((event) => (event.type === 'tool-call' ? [{ toolCallId: event.toolCallId, toolName: event.toolName, input: event.input }] : []));
    const text = events.map((event) => (event.type === 'delta' ? event.text : '')).join('');
    const reasoning = events.map((event) => (event.type === 'reasoning' ? event.text : '')).join('');
    const finish = events.find((event) => event.type === 'finish');
    expect(finish).toBeDefined();
    // A recording of a tool call that the server did not read as one would make this test vacuous.
    if (/tool/.test(name)) expect(calls.length).toBeGreaterThan(0);

    const { result } = renderHook(() => useChat({ model, tools: TOOLS }), { wrapper });
    await act(() => result.current.send('Hello?'));
    await waitFor(() => expect(result.current.status).toBe('done'));
    const reply = result.current.messages.at(-1);
    expect(reply?.role).toBe('assistant');
    expect(result.current.text).toBe(text);
    expect(result.current.reasoning).toBe(reasoning);
    expect(reply?.parts.filter((part): part is ToolCallUIPart => part.type === 'tool-call').map(({ toolCallId, toolName, input, state }) => ({ toolCallId, toolName, input, state }))).toEqual(
      calls.map((call) => ({ ...call, state: 'input-available' })),
    );
    if (calls.length) expect(result.current.finishReason).toBe('tool_calls');
    expect(result.current.usage).toEqual(finish?.type === 'finish' ? finish.usage : null);
  });
});

describe('a client tool round trip on recordings', () => {
  it.each([
    ['google/google-tool-call', 'google/google-text', 'google'],
    ['anthropic/anthropic-json-tool.1', 'anthropic/anthropic-text', 'anthropic'],
    ['openai-compatible/groq-tool-call', 'openai/openai-text', 'groq'],
  ])('%s: the result and the call’s provider metadata reach the provider on the next request', async (toolCall, answer, provider) => {
    let served = 0;
    upstream.reset();
    upstream.set({ fixture: () => (served++ === 0 ? toolCall : answer) });
    const outputs: unknown[] = [];
    const { result } = renderHook(
      () =>
        useChat({
          model: `${provider}:recorded-model`,
          tools: TOOLS,
          onToolCall: ({ toolCall: call }) => {
            outputs.push(call.input);
            return { temperature: 21 };
          },
        }),
      { wrapper },
    );
    await act(() => result.current.send('Hello?'));
    await waitFor(() => expect(upstream.requests).toHaveLength(2));
    await waitFor(() => expect(result.current.status).toBe('done'));
    expect(result.current.finishReason).toBe('stop');
    const [call] = result.current.messages[1]?.parts.filter((part): part is ToolCallUIPart => part.type === 'tool-call') ?? [];
    expect(call?.state).toBe('output-available');
    expect(outputs).toEqual([call?.input]);
    const sent = JSON.stringify(upstream.requests[1]?.body);
    // As JSON, or as JSON text inside a string (the OpenAI and Anthropic wires).
    expect(sent).toMatch(/temperature\\*":21/);
    expect(sent).toContain(call?.toolName);
    // Gemini 3 refuses a tool loop whose call comes back without its signature.
    if (provider === 'google') {
      expect(call?.providerMetadata?.google?.thoughtSignature).toEqual(expect.any(String));
      expect(sent).toContain(String(call?.providerMetadata?.google?.thoughtSignature));
    }
    expect(result.current.text.length).toBeGreaterThan(0);
  });
});
