import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { loadFixture } from '@aiu/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { toExpress } from '../express';
import { toNextHandler } from '../next';
import { toNodeListener } from '../node';
import { createAiu } from '../createAiu';
import { memoryStore } from '../stores/memory';
import { createRig, deltaText, fixtureStreamText, parseSse, type TestRig } from '../../test/helpers';

const chunks = loadFixture('openai/openai-text').chunks ?? [];
const body = JSON.stringify({ model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }] });
const post = { method: 'POST', headers: { 'content-type': 'application/json' }, body };

let rig: TestRig | undefined;
let server: Server | undefined;
afterEach(async () => {
  const closing = new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server?.closeAllConnections();
  await closing;
  server = undefined;
  await rig?.close();
});

async function listen(handler: Parameters<typeof createServer>[1] | express.Express): Promise<string> {
  server = createServer(handler as Parameters<typeof createServer>[1]);
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Reads a streamed response until `predicate` holds for what arrived so far. */
async function readUntil(response: Response, predicate: (text: string) => boolean): Promise<string> {
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const decoder = new TextDecoder();
  let text = '';
  while (!predicate(text)) {
    const { done, value } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  reader.releaseLock();
  return text;
}

describe('toExpress', () => {
  it('serves the chat stream under a mount path, after express.json() consumed the body', async () => {
    rig = await createRig();
    const app = express();
    app.use(express.json());
    app.use('/api/aiu', toExpress(rig.aiu));
    const base = await listen(app);
    const response = await fetch(`${base}/api/aiu/chat`, post);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-accel-buffering')).toBe('no');
    expect(deltaText(parseSse(await response.text()))).toBe(fixtureStreamText(chunks));
  });

  it('works under a deep mount path without a body parser, and answers its own 404s', async () => {
    rig = await createRig();
    const app = express();
    app.use('/v2/tools/ai', toExpress(rig.aiu));
    const base = await listen(app);
    const response = await fetch(`${base}/v2/tools/ai/chat`, post);
    expect(deltaText(parseSse(await response.text()))).toBe(fixtureStreamText(chunks));
    const health = await fetch(`${base}/v2/tools/ai/health`);
    expect(health.status).toBe(200);
    const missing = await fetch(`${base}/v2/tools/ai/nothing-here`);
    expect(missing.status).toBe(404);
  });

  it('keeps bad input a 4xx through express.json()', async () => {
    rig = await createRig();
    const app = express();
    app.use(express.json());
    app.use('/api/aiu', toExpress(rig.aiu));
    const base = await listen(app);
    const response = await fetch(`${base}/api/aiu/chat`, { ...post, body: JSON.stringify({ model: 'nocolon', messages: [] }) });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_request');
  });

  it('after express.json(): validates the parsed body as it is, still caps its size, and hands identify the body', async () => {
    const seen: unknown[] = [];
    rig = await createRig({
      maxChatBodyBytes: 2048,
      identify: async (request) => {
        seen.push(((await request.clone().json()) as { model?: unknown }).model);
        return {};
      },
    });
    const app = express();
    app.use(express.json({ limit: '1mb' }));
    app.use('/api/aiu', toExpress(rig.aiu));
    const base = await listen(app);
    const ok = await fetch(`${base}/api/aiu/chat`, post);
    expect(deltaText(parseSse(await ok.text()))).toBe(fixtureStreamText(chunks));
    expect(seen).toEqual(['openai:gpt-4.1-nano']);
    // express.json() allows 1 MB; aiu's own cap (2 kB here) still holds for what came over the wire.
    const big = JSON.stringify({ model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content: 'x'.repeat(5000) }] });
    const tooLarge = await fetch(`${base}/api/aiu/chat`, { ...post, body: big });
    expect(tooLarge.status).toBe(413);
    expect(((await tooLarge.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    // Sent chunked, with no content-length: the parsed value's own size is checked.
    const chunked = await fetch(`${base}/api/aiu/chat`, { ...post, body: new Blob([big]).stream(), duplex: 'half' } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(rig.upstream.requests).toHaveLength(1);
  });

  it('aborts the upstream call within 100 ms when the client disconnects, and logs it as aborted', async () => {
    rig = await createRig({}, { chunkDelayMs: 20 });
    const app = express();
    app.use('/api/aiu', toExpress(rig.aiu));
    const base = await listen(app);
    const client = new AbortController();
    const response = await fetch(`${base}/api/aiu/chat`, { ...post, signal: client.signal });
    await readUntil(response, (text) => text.includes('event: delta'));
    const abortedAt = Date.now();
    client.abort();
    const closedAt = await rig.upstream.waitForClientClose(0, 2000);
    expect(closedAt - abortedAt).toBeLessThan(100);
    expect(rig.upstream.requests[0]?.completed).toBe(false);

    await expect.poll(async () => {
      await rig?.aiu.flush();
      return (await (await rig!.aiu.store()).listLogs({ limit: 5 }))[0]?.status;
    }).toBe('aborted');
    const [entry] = await (await rig.aiu.store()).listLogs({ limit: 5 });
    expect(entry?.estimated).toBe(true);
    expect(entry?.outputTokens).toBeGreaterThan(0);
  });

  it('sends a : ping comment on the configured interval while a stream idles', async () => {
    rig = await createRig({ pingIntervalMs: 15 }, { chunkDelayMs: 40, fixture: 'openai-compatible/mistral-text' });
    const app = express();
    app.use('/api/aiu', toExpress(rig.aiu));
    const base = await listen(app);
    const text = await (await fetch(`${base}/api/aiu/chat`, { ...post, body: body.replace('openai:', 'mistral:') })).text();
    expect(parseSse(text).comments).toContain('ping');
  });
});

describe('toNextHandler', () => {
  it('routes by the catch-all segment and streams over real HTTP', async () => {
    rig = await createRig();
    const { GET, POST } = toNextHandler(rig.aiu);
    // What Next's Node runtime does: a Request per call, route params from app/api/aiu/[...path].
    const base = await listen(
      toNodeListener({
        ...rig.aiu,
        handler: (request: Request) => {
          const segments = new URL(request.url).pathname.replace(/^\/api\/aiu\/?/, '').split('/').filter(Boolean);
          const context = { params: Promise.resolve({ path: segments }) };
          return request.method === 'POST' ? POST(request, context) : GET(request, context);
        },
      }),
    );
    const response = await fetch(`${base}/api/aiu/chat`, post);
    expect(deltaText(parseSse(await response.text()))).toBe(fixtureStreamText(chunks));
    const health = await fetch(`${base}/api/aiu/health`);
    expect(((await health.json()) as { status: string }).status).toBe('ok');
  });

  it('answers every method aiu routes: PUT saves a conversation, DELETE removes it', async () => {
    rig = await createRig();
    const handlers = toNextHandler(rig.aiu);
    expect(Object.keys(handlers).sort()).toEqual(['DELETE', 'GET', 'HEAD', 'POST', 'PUT']);
    const context = { params: Promise.resolve({ path: ['conversations', 'next-1'] }) };
    const thread = { messages: [{ id: 'u1', role: 'user', parts: [{ type: 'text', text: 'hi' }] }] };
    // Next's requests carry no socket address: the conversation routes need authorize, as in production.
    const guarded = toNextHandler(createAiu({ store: memoryStore(), env: {}, logger: { warn() {} }, keyring: false, authorize: () => true }));
    const saved = await guarded.PUT(new Request('http://localhost/api/aiu/conversations/next-1', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(thread) }), context);
    expect(saved.status).toBe(201);
    expect((await guarded.GET(new Request('http://localhost/api/aiu/conversations/next-1'), context)).status).toBe(200);
    expect((await guarded.DELETE(new Request('http://localhost/api/aiu/conversations/next-1', { method: 'DELETE' }), context)).status).toBe(204);
  });

  it('falls back to suffix routing when called without route params', async () => {
    rig = await createRig();
    const { POST } = toNextHandler(rig.aiu);
    const response = await POST(new Request('http://localhost/api/aiu/chat', post), undefined as never);
    expect(deltaText(parseSse(await response.text()))).toBe(fixtureStreamText(chunks));
  });

  it('takes a factory that resolves later (created once), and asks a failed one again', async () => {
    rig = await createRig();
    const made = rig.aiu;
    let calls = 0;
    const { POST, GET } = toNextHandler(async () => {
      calls++;
      if (calls === 1) throw new Error('upstream not started yet');
      await new Promise((resolve) => setTimeout(resolve, 5));
      return made;
    });
    const context = (path: string) => ({ params: Promise.resolve({ path: [path] }) });
    await expect(GET(new Request('http://localhost/api/aiu/health'), context('health'))).rejects.toThrow('upstream not started yet');
    const [chat, health] = await Promise.all([POST(new Request('http://localhost/api/aiu/chat', post), context('chat')), GET(new Request('http://localhost/api/aiu/health'), context('health'))]);
    expect(deltaText(parseSse(await chat.text()))).toBe(fixtureStreamText(chunks));
    expect(health.status).toBe(200);
    expect(calls).toBe(2);
  });
});

describe('toNodeListener', () => {
  it('serves the handler on plain node:http', async () => {
    rig = await createRig();
    const base = await listen(toNodeListener(rig.aiu));
    const response = await fetch(`${base}/chat`, post);
    expect(deltaText(parseSse(await response.text()))).toBe(fixtureStreamText(chunks));
  });
});

describe('the Node bridge writes', () => {
  it('send the first event at once and join the events of one upstream packet into one write', async () => {
    rig = await createRig();
    const listener = toNodeListener(rig.aiu);
    const writes: string[] = [];
    const base = await listen((req: IncomingMessage, res: ServerResponse) => {
      const write = res.write.bind(res) as (chunk: unknown) => boolean;
      res.write = ((chunk: unknown) => (writes.push(chunk instanceof Uint8Array ? Buffer.from(chunk).toString() : String(chunk)), write(chunk))) as typeof res.write;
      listener(req, res);
    });
    const response = await fetch(`${base}/chat`, post);
    const events = parseSse(await response.text());
    // Every event arrives, in order.
    expect(deltaText(events)).toBe(fixtureStreamText(chunks));
    expect(events.events.at(-1)?.event).toBe('finish');
    // `start` alone first; the fake upstream sends its whole recording at once, so the rest
    // leave in a handful of writes, not one per event.
    expect(writes[0]).toMatch(/^event: start\n/);
    expect(writes.length).toBeLessThan(8);
    expect(events.events.length).toBeGreaterThan(100);
  });
});

describe('the Node bridge and user hooks', () => {
  it('hands identify a real Request (headers, URL, readable body) and keeps the body for the route', async () => {
    const seen: Array<{ isRequest: boolean; user: string | null; path: string; model: unknown }> = [];
    rig = await createRig({
      identify: async (request) => {
        const parsed = (await request.clone().json()) as { model?: unknown };
        seen.push({ isRequest: request instanceof Request, user: request.headers.get('x-user'), path: new URL(request.url).pathname, model: parsed.model });
        return { userId: request.headers.get('x-user') };
      },
    });
    const base = await listen(toNodeListener(rig.aiu));
    const response = await fetch(`${base}/chat`, { ...post, headers: { ...post.headers, 'x-user': 'ada' } });
    expect(deltaText(parseSse(await response.text()))).toBe(fixtureStreamText(chunks));
    expect(seen).toEqual([{ isRequest: true, user: 'ada', path: '/chat', model: 'openai:gpt-4.1-nano' }]);
  });

  it('answers 413 itself when a body passes its own cap, without buffering the rest', async () => {
    rig = await createRig();
    const base = await listen(toNodeListener(rig.aiu, { maxBodyBytes: 1024 }));
    const response = await fetch(`${base}/chat`, { ...post, body: JSON.stringify({ model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content: 'x'.repeat(5000) }] }) });
    expect(response.status).toBe(413);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('payload_too_large');
    expect(rig.upstream.requests).toHaveLength(0);
  });
});

describe('toNextHandler(factory)', () => {
  it('creates the instance on the first request, not when the route module loads', async () => {
    rig = await createRig();
    let created = 0;
    const handlers = toNextHandler(() => {
      created += 1;
      return rig!.aiu;
    });
    expect(created).toBe(0);
    const health = await handlers.GET(new Request('http://localhost/api/aiu/health'), { params: Promise.resolve({ path: ['health'] }) });
    expect(health.status).toBe(200);
    await handlers.GET(new Request('http://localhost/api/aiu/health'), { params: Promise.resolve({ path: ['health'] }) });
    expect(created).toBe(1);
  });
});
