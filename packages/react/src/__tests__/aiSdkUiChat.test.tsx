import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { useChat } from '@ai-sdk/react';
import { createAiu, memoryStore, type Aiu } from '@aiu/server';
import { toNodeListener } from '@aiu/server/node';
import { type FakeUpstream, loadFixture, startFakeUpstream } from '@aiu/testing';
import { act, render, screen, waitFor } from '@testing-library/react';
import { DefaultChatTransport, type UIMessage } from 'ai';
import { http, passthrough } from 'msw';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { server as msw } from '../../test/setup';

/**
 * The AI SDK's own `useChat`, unchanged, against aiu's `/ui/chat` over a real socket: what an app
 * already on the AI SDK (or assistant-ui) does when it swaps its route for aiu.
 */
const KEY = 'sk-test-fake-key-0123456789abcdef';
let upstream: FakeUpstream;
let aiu: Aiu;
let server: Server;
let base: string;
let clientKey: { id: string; key: string };

beforeAll(async () => {
  upstream = await startFakeUpstream();
  const baseURL = `${upstream.url}/v1`;
  aiu = createAiu({
    store: memoryStore(),
    env: {},
    logger: { warn() {} },
    retries: { maxAttempts: 1 },
    providers: { openai: { baseURL, apiKey: KEY }, xai: { baseURL, apiKey: KEY }, groq: { baseURL, apiKey: KEY } },
    tools: { weather: { description: 'Current weather', inputSchema: { type: 'object', properties: {} }, execute: () => ({ temperatureC: 21 }) } },
  });
  server = createServer(toNodeListener(aiu));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/aiu`;
  const created = await aiu.handler(new Request(`${base}/client-keys`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'ui' }) }), { clientAddress: '127.0.0.1' });
  clientKey = (await created.json()) as { id: string; key: string };
});
// MSW guards the other React tests against stray requests: these go to the real server.
beforeEach(() => msw.use(http.all(`${base}/*`, () => passthrough())));
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await aiu.close();
  await upstream.close();
});

function streamedField(name: string, field: 'content' | 'reasoning_content'): string {
  return (loadFixture(name).chunks ?? [])
    .map((line) => (JSON.parse(line) as { choices?: Array<{ delta?: Record<string, unknown> }> }).choices?.[0]?.delta?.[field])
    .filter((piece): piece is string => typeof piece === 'string')
    .join('');
}

let latest: UIMessage[] = [];
function Chat({ model, body }: { model: string; body?: Record<string, unknown> }) {
  const { messages, sendMessage, status, error } = useChat({ transport: new DefaultChatTransport({ api: `${base}/ui/chat`, headers: { authorization: `Bearer ${clientKey.key}` }, body: { model, ...body }, fetch: globalThis.fetch }) });
  latest = messages;
  return (
    <div>
      <button onClick={() => void sendMessage({ text: 'Hello' })}>send</button>
      <p data-testid="status">{status}</p>
      {error ? <p role="alert">{error.message}</p> : null}
      {messages.map((message) => (
        <div key={message.id} data-role={message.role}>
          {message.parts.map((part, index) => {
            if (part.type === 'text') return <p key={index} data-testid="text">{part.text}</p>;
            if (part.type === 'reasoning') return <p key={index} data-testid="reasoning">{part.text}</p>;
            if (part.type.startsWith('tool-')) return <p key={index} data-testid="tool">{`${part.type} ${(part as { state: string }).state} ${JSON.stringify((part as { output?: unknown }).output)}`}</p>;
            return null;
          })}
        </div>
      ))}
    </div>
  );
}

/** The assistant's parts as rendered, by test id. */
function answerText(testId: string): string {
  return [...document.querySelectorAll(`[data-role="assistant"] [data-testid="${testId}"]`)].map((node) => node.textContent).join('');
}

async function send(model: string, body?: Record<string, unknown>): Promise<void> {
  render(<Chat model={model} {...(body ? { body } : {})} />);
  await act(async () => screen.getByText('send').click());
  await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('ready'), { timeout: 10_000 });
  expect(screen.queryByRole('alert')).toBeNull();
}

describe("@ai-sdk/react's useChat against /ui/chat", () => {
  it('renders the streamed text, with usage and cost as message metadata', async () => {
    // No server tools this time (the extra body takes aiu's own fields): one step, the text recording.
    await send('openai:gpt-4.1-nano', { activeTools: [] });
    expect(answerText('text')).toBe(streamedField('openai/openai-text', 'content'));
    const answer = latest.at(-1) as UIMessage<{ usage: { outputTokens: number }; cost: { total: number }; model: string }>;
    expect(answer.role).toBe('assistant');
    expect(answer.metadata?.model).toBe('openai:gpt-4.1-nano');
    expect(answer.metadata?.usage.outputTokens).toBeGreaterThan(0);
    expect(answer.metadata?.cost.total).toBeGreaterThan(0);
    // Logged under the client key the transport sent, at the cost the metadata showed.
    await aiu.flush();
    const [entry] = await (await aiu.store()).listLogs({ limit: 1 });
    expect(entry).toMatchObject({ clientKeyId: clientKey.id, costTotal: answer.metadata?.cost.total });
    // The user's message reached the provider as aiu's wire carries it.
    expect((upstream.requests.at(-1)?.body as { messages: unknown[] }).messages).toEqual([{ role: 'user', content: 'Hello' }]);
  });

  it('renders reasoning apart from the answer', async () => {
    await send('xai:grok-3-mini', { activeTools: [] });
    expect(answerText('reasoning')).toBe(streamedField('openai-compatible/xai-text', 'reasoning_content'));
    expect(answerText('text')).toBe(streamedField('openai-compatible/xai-text', 'content'));
  });

  it('renders a server tool call with its output, then the answer that used it', async () => {
    upstream.reset();
    await send('groq:llama-3.3-70b-versatile');
    expect(answerText('tool')).toBe('tool-weather output-available {"temperatureC":21}');
    expect(answerText('text').length).toBeGreaterThan(0);
    const parts = latest.at(-1)?.parts.map((part) => part.type) ?? [];
    expect(parts.filter((type) => type === 'step-start')).toHaveLength(2);
    // Step two went back to the provider with the tool's result.
    expect((upstream.requests.at(-1)?.body as { messages: Array<{ role: string }> }).messages.at(-1)).toMatchObject({ role: 'tool' });
  });
});
