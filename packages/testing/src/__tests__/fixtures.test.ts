import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FIXTURES_DIR, listFixtures, loadFixture, startFakeUpstream } from '../index';

const SHARED = resolve(__dirname, '../../../../../shared/fixtures/providers');

describe('shipped fixtures', () => {
  it.runIf(existsSync(SHARED))('are byte-identical to the shared recordings (run `pnpm sync-fixtures` if not)', () => {
    for (const folder of readdirSync(SHARED, { withFileTypes: true }).filter((e) => e.isDirectory())) {
      for (const file of readdirSync(join(SHARED, folder.name))) {
        const shipped = join(FIXTURES_DIR, folder.name, file);
        expect(existsSync(shipped), shipped).toBe(true);
        expect(readFileSync(shipped).equals(readFileSync(join(SHARED, folder.name, file))), shipped).toBe(true);
      }
    }
  });

  it('lists and loads recordings by name', () => {
    expect(listFixtures('openai')).toContain('openai/openai-text');
    const fixture = loadFixture('anthropic/anthropic-text');
    expect(fixture.chunks?.length).toBe(12);
    expect(fixture.json).toMatchObject({ type: 'message' });
  });
});

describe('startFakeUpstream', () => {
  it('serves Anthropic streams with event names and OpenAI streams ending in [DONE]', async () => {
    const upstream = await startFakeUpstream();
    const anthropic = await (await fetch(`${upstream.url}/v1/messages`, { method: 'POST', body: JSON.stringify({ stream: true }) })).text();
    expect(anthropic.startsWith('event: message_start\ndata: {"type":"message_start"')).toBe(true);
    const openai = await (await fetch(`${upstream.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ stream: true }) })).text();
    expect(openai.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(openai.split('\n\n').filter(Boolean)).toHaveLength(304); // 303 recorded events + [DONE]
    const gemini = await (await fetch(`${upstream.url}/v1beta/models/gemini-3-pro:streamGenerateContent?alt=sse`, { method: 'POST', body: '{}' })).text();
    expect(gemini.split('\n\n').filter(Boolean)).toHaveLength(3);
    expect(upstream.requests.map((r) => r.format)).toEqual(['anthropic', 'openai', 'google']);
    await upstream.close();
  });

  it('sends the same bytes, each event its own HTTP chunk, whether its events are paced or sent at once', async () => {
    const upstream = await startFakeUpstream();
    const { port } = new URL(upstream.url);
    // The raw response, framing included: what a client's HTTP parser meets.
    const raw = () =>
      new Promise<string>((resolve, reject) => {
        const body = JSON.stringify({ stream: true });
        const socket = connect(Number(port), '127.0.0.1', () => {
          socket.write(`POST /v1/messages HTTP/1.1\r\nHost: x\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
        });
        let text = '';
        socket.on('data', (chunk) => (text += chunk.toString()));
        socket.on('end', () => resolve(text.slice(text.indexOf('\r\n\r\n') + 4)));
        socket.on('error', reject);
      });
    const atOnce = await raw();
    upstream.set({ chunkDelayMs: 1 });
    const paced = await raw();
    expect(atOnce).toBe(paced);
    // 12 recorded events, 12 chunks, then the last (empty) chunk.
    expect(atOnce.match(/^[0-9a-f]+\r\nevent: /gm)).toHaveLength(12);
    expect(atOnce.endsWith('\r\n0\r\n\r\n')).toBe(true);
    await upstream.close();
  });

  it('answers with a recorded error body and status, then recovers after errorTimes', async () => {
    const upstream = await startFakeUpstream({ error: { status: 429, fixture: 'google/google-429-retry-info' }, errorTimes: 1 });
    const first = await fetch(`${upstream.url}/v1beta/models/x:generateContent`, { method: 'POST', body: '{}' });
    expect(first.status).toBe(429);
    expect(await first.json()).toMatchObject({ error: { status: 'RESOURCE_EXHAUSTED' } });
    const second = await fetch(`${upstream.url}/v1beta/models/x:generateContent`, { method: 'POST', body: '{}' });
    expect(second.status).toBe(200);
    await upstream.close();
  });

  it('counts concurrent connections', async () => {
    const upstream = await startFakeUpstream({ firstByteDelayMs: 50 });
    await Promise.all([1, 2, 3].map(() => fetch(`${upstream.url}/v1/chat/completions`, { method: 'POST', body: '{}' }).then((r) => r.text())));
    expect(upstream.connections.max).toBe(3);
    expect(upstream.connections.open).toBe(0);
    await upstream.close();
  });
});

describe('startFakeUpstream fixture choice', () => {
  it('replays the recording made with the requested model by default', async () => {
    const upstream = await startFakeUpstream();
    const text = await (
      await fetch(`${upstream.url}/v1/chat/completions`, { method: 'POST', body: JSON.stringify({ model: 'grok-3-mini', stream: false }) })
    ).json();
    expect(text).toEqual(loadFixture('openai-compatible/xai-text').json);
    await upstream.close();
  });
});

describe('startFakeUpstream picks the recording that fits the request', () => {
  it('a tool-call recording when the request offers the tool it calls, until the conversation holds its result; JSON output when JSON is asked for', async () => {
    const upstream = await startFakeUpstream();
    const weather = [{ type: 'function', function: { name: 'weather', parameters: {} } }];
    const post = (path: string, body: unknown) => fetch(`${upstream.url}${path}`, { method: 'POST', body: JSON.stringify(body) }).then((r) => r.json());
    expect(await post('/v1/chat/completions', { model: 'x', stream: false, tools: weather, messages: [{ role: 'user', content: 'hi' }] })).toEqual(loadFixture('openai-compatible/mistral-tool-call').json);
    const answered = [{ role: 'user', content: 'hi' }, { role: 'tool', tool_call_id: 'a', content: '{}' }];
    expect(await post('/v1/chat/completions', { model: 'gpt-4.1-nano', stream: false, tools: weather, messages: answered })).toEqual(loadFixture('openai/openai-text').json);
    expect(await post('/v1/chat/completions', { model: 'x', stream: false, tools: [{ type: 'function', function: { name: 'unrelated' } }], messages: [] })).toEqual(loadFixture('openai/openai-text').json);
    expect(await post('/v1/messages', { stream: false, tools: [{ name: 'json', input_schema: {} }], messages: [] })).toEqual(loadFixture('anthropic/anthropic-json-tool.1').json);
    expect(await post('/v1/messages', { stream: false, output_config: { format: { type: 'json_schema' } }, messages: [] })).toEqual(loadFixture('anthropic/anthropic-json-output-format.1').json);
    expect(await post('/v1beta/models/gemini-3-pro-preview:generateContent', { tools: [{ functionDeclarations: [{ name: 'weather' }] }], contents: [] })).toEqual(loadFixture('google/google-tool-call').json);
    await upstream.close();
  });
});
