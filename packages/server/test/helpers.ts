import { createAiu, memoryStore, type Aiu, type AiuOptions } from '../src/index';
import type { CreatedClientKey } from '@aiu/core';
import { startFakeUpstream, type FakeUpstream } from '@aiu/testing';

export const TEST_KEY = 'sk-test-fake-key-0123456789abcdef';

export interface TestRig {
  aiu: Aiu;
  upstream: FakeUpstream;
  warnings: string[];
  close(): Promise<void>;
}

/** An aiu on a memory store whose openai-wire providers all point at one fake upstream. */
export async function createRig(
  options: Partial<AiuOptions> | ((upstreamUrl: string) => Partial<AiuOptions>) = {},
  behaviour: Parameters<typeof startFakeUpstream>[0] = {},
): Promise<TestRig> {
  const upstream = await startFakeUpstream(behaviour);
  const overrides = typeof options === 'function' ? options(upstream.url) : options;
  const warnings: string[] = [];
  const baseURL = `${upstream.url}/v1`;
  const aiu = createAiu({
    store: memoryStore(),
    env: {},
    logger: { warn: (message) => warnings.push(message) },
    // Adapter and route tests look at one attempt; the orchestrator's tests turn retries on.
    retries: { maxAttempts: 1 },
    providers: {
      openai: { baseURL, apiKey: TEST_KEY },
      mistral: { baseURL, apiKey: TEST_KEY },
      groq: { baseURL, apiKey: TEST_KEY },
      deepseek: { baseURL, apiKey: TEST_KEY },
      xai: { baseURL, apiKey: TEST_KEY },
      anthropic: { baseURL, apiKey: TEST_KEY },
      google: { baseURL: `${upstream.url}/v1beta`, apiKey: TEST_KEY },
      ollama: { baseURL: upstream.url },
      openrouter: { baseURL: `${upstream.url}/api/v1`, apiKey: TEST_KEY, appUrl: 'https://example.test', appName: 'aiu tests' },
      local: { type: 'openai-compatible', baseURL },
    },
    ...overrides,
  });
  return {
    aiu,
    upstream,
    warnings,
    async close() {
      await aiu.close();
      await upstream.close();
    },
  };
}

export function chatRequest(body: unknown, init: RequestInit = {}, url = 'http://localhost/api/aiu/chat'): Request {
  return new Request(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
    ...init,
  });
}

export interface ParsedSse {
  events: Array<{ event: string; data: unknown }>;
  comments: string[];
}

/** A deliberately small SSE parser, independent of the one under test. */
export function parseSse(text: string): ParsedSse {
  const events: ParsedSse['events'] = [];
  const comments: string[] = [];
  for (const block of text.split('\n\n')) {
    if (!block.trim()) continue;
    let event = 'message';
    const data: string[] = [];
    for (const line of block.split('\n')) {
      if (line.startsWith(':')) comments.push(line.slice(1).trim());
      else if (line.startsWith('event: ')) event = line.slice(7);
      else if (line.startsWith('data: ')) data.push(line.slice(6));
    }
    if (data.length) events.push({ event, data: JSON.parse(data.join('\n')) });
  }
  return { events, comments };
}

export function deltaText(parsed: ParsedSse, type = 'delta'): string {
  return parsed.events
    .filter((e) => e.event === type)
    .map((e) => (e.data as { text: string }).text)
    .join('');
}

/** The content of a recorded Chat Completions stream: what the client must receive. */
export function fixtureStreamText(chunks: string[], field: 'content' | 'reasoning_content' = 'content'): string {
  return chunks
    .map((line) => JSON.parse(line) as { choices?: Array<{ delta?: Record<string, unknown> }> })
    .map((chunk) => chunk.choices?.[0]?.delta?.[field])
    .filter((text): text is string => typeof text === 'string')
    .join('');
}

/** The last usage object of a recorded Chat Completions stream. */
export function fixtureStreamUsage(chunks: string[]): Record<string, unknown> {
  const usages = chunks.map((line) => (JSON.parse(line) as { usage?: Record<string, unknown> | null }).usage).filter(Boolean);
  return usages[usages.length - 1] as Record<string, unknown>;
}

/** Issues a client key through the route itself, as a local admin would (loopback, no `authorize`). */
export async function issueClientKey(aiu: Aiu, body: Record<string, unknown> = { name: 'test client' }, init: RequestInit = {}): Promise<CreatedClientKey> {
  const response = await aiu.handler(
    new Request('http://localhost/api/aiu/client-keys', { method: 'POST', ...init, headers: { 'content-type': 'application/json', ...init.headers }, body: JSON.stringify(body) }),
    { clientAddress: '127.0.0.1' },
  );
  if (response.status !== 201) throw new Error(`POST /client-keys answered ${response.status}: ${await response.text()}`);
  return (await response.json()) as CreatedClientKey;
}
