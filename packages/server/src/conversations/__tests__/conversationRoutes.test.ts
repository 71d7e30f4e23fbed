import { ConversationListSchema, ConversationSchema, ConversationSummarySchema, ErrorBodySchema } from '@aiu/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createAiu } from '../../createAiu';
import { memoryStore } from '../../stores/memory';
import type { AiuStore } from '../../stores/types';
import type { AiuOptions } from '../../createAiu';

const LOOPBACK = { clientAddress: '127.0.0.1' };
const opened: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const aiu of opened.splice(0)) await aiu.close();
});

function open(options: Partial<AiuOptions> = {}, store: AiuStore = memoryStore()) {
  const aiu = createAiu({ store, env: {}, logger: { warn() {} }, keyring: false, ...options });
  opened.push(aiu);
  const call = (method: string, path: string, init: { body?: unknown; headers?: Record<string, string>; from?: string } = {}) =>
    aiu.handler(
      new Request(`http://localhost/api/aiu${path}`, {
        method,
        headers: { ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
        body: init.body === undefined ? undefined : typeof init.body === 'string' ? init.body : JSON.stringify(init.body),
      }),
      { clientAddress: init.from ?? LOOPBACK.clientAddress },
    );
  return { aiu, call };
}

const thread = {
  model: 'openai:gpt-4.1-nano',
  messages: [
    { id: 'u1', role: 'user', parts: [{ type: 'text', text: 'What is   the weather\nin Lisbon?' }, { type: 'image', image: 'data:image/png;base64,iVBORw0KGgo=', mediaType: 'image/png' }] },
    {
      id: 'a1',
      role: 'assistant',
      parts: [
        { type: 'reasoning', text: 'Look it up.' },
        { type: 'tool-call', toolCallId: 'call_1', toolName: 'weather', input: { city: 'Lisbon' }, state: 'output-available', output: { tempC: 21 } },
        { type: 'step-start' },
        { type: 'text', text: '**21 °C** and sunny.' },
      ],
    },
  ],
  metadata: { system: 'Be brief.', temperature: 0.3, replies: { a1: { cost: { total: 0.000012 } } } },
};

describe('/conversations', () => {
  it('saves a thread and gives it back exactly: every part kept, a title from the first prompt, the version as ETag', async () => {
    const { call } = open();
    const created = await call('POST', '/conversations', { body: thread });
    expect(created.status).toBe(201);
    const summary = ConversationSummarySchema.parse(await created.json());
    expect(summary).toMatchObject({ title: 'What is the weather in Lisbon?', model: 'openai:gpt-4.1-nano', messageCount: 2, version: 1 });
    expect(summary.id).toMatch(/^conv_[\w-]{16}$/);
    expect(created.headers.get('etag')).toBe('"1"');

    const read = await call('GET', `/conversations/${summary.id}`);
    expect(read.headers.get('etag')).toBe('"1"');
    const body = ConversationSchema.parse(await read.json());
    expect(body).toEqual({ ...summary, messages: thread.messages, metadata: thread.metadata });

    const list = ConversationListSchema.parse(await (await call('GET', '/conversations')).json());
    expect(list).toEqual({ conversations: [summary], nextCursor: null });
  });

  it('PUT creates under the client\'s id (201), replaces it after (200), and guards with If-Match / If-None-Match', async () => {
    const { call } = open();
    const first = await call('PUT', '/conversations/chat-1', { body: { ...thread, title: 'Weather' }, headers: { 'if-none-match': '*' } });
    expect(first.status).toBe(201);
    expect(ConversationSummarySchema.parse(await first.json())).toMatchObject({ id: 'chat-1', title: 'Weather', version: 1 });

    const again = await call('PUT', '/conversations/chat-1', { body: thread, headers: { 'if-none-match': '*' } });
    expect(again.status).toBe(409);

    const second = await call('PUT', '/conversations/chat-1', { body: { ...thread, messages: thread.messages.slice(0, 1) }, headers: { 'if-match': '"1"' } });
    expect(second.status).toBe(200);
    expect(second.headers.get('etag')).toBe('"2"');

    // Another tab still holding version 1 loses nothing of the newer save.
    const stale = await call('PUT', '/conversations/chat-1', { body: { ...thread, messages: [] }, headers: { 'if-match': '"1"' } });
    expect(stale.status).toBe(409);
    const error = ErrorBodySchema.parse(await stale.json()).error;
    expect(error).toMatchObject({ code: 'conflict', details: { version: 2 } });
    expect(error.message).toMatch(/version 2/);
    const kept = ConversationSchema.parse(await (await call('GET', '/conversations/chat-1')).json());
    expect(kept.messages).toHaveLength(1);

    // Without a precondition the last save wins.
    expect((await call('PUT', '/conversations/chat-1', { body: { ...thread, messages: [] } })).status).toBe(200);
    expect((await call('PUT', '/conversations/chat-1', { body: thread, headers: { 'if-match': 'yesterday' } })).status).toBe(400);
  });

  it('DELETE answers 204 once, then 404; a missing or malformed id is a 404', async () => {
    const { call } = open();
    await call('PUT', '/conversations/gone', { body: thread });
    expect((await call('DELETE', '/conversations/gone')).status).toBe(204);
    expect((await call('DELETE', '/conversations/gone')).status).toBe(404);
    expect((await call('GET', '/conversations/gone')).status).toBe(404);
    expect((await call('GET', `/conversations/${'x'.repeat(65)}`)).status).toBe(404);
  });

  it('pages last saved first with a cursor', async () => {
    const { call } = open();
    for (const id of ['a', 'b', 'c']) {
      await call('PUT', `/conversations/${id}`, { body: { ...thread, title: id } });
      // Saved in different milliseconds, so the order is the saves' order.
      await new Promise((resolve) => setTimeout(resolve, 3));
    }
    await call('PUT', '/conversations/a', { body: { ...thread, title: 'a, again' } });
    const first = ConversationListSchema.parse(await (await call('GET', '/conversations?limit=2')).json());
    expect(first.conversations.map((c) => c.id)).toEqual(['a', 'c']);
    const rest = ConversationListSchema.parse(await (await call('GET', `/conversations?limit=2&cursor=${first.nextCursor}`)).json());
    expect(rest).toMatchObject({ conversations: [{ id: 'b' }], nextCursor: null });
    expect((await call('GET', '/conversations?limit=0')).status).toBe(400);
    expect((await call('GET', '/conversations?cursor=nonsense')).status).toBe(400);
  });

  it('bad bodies are 4xx with the reason, and store nothing', async () => {
    const { call } = open({ maxChatBodyBytes: 64 * 1024 });
    const cases: Array<[unknown, number, RegExp]> = [
      ['{"messages": [', 400, /not valid JSON/],
      [{}, 400, /messages/],
      [{ messages: [{ id: 'm', role: 'tool', parts: [] }] }, 400, /role/],
      [{ messages: [{ id: 'm', role: 'user', parts: [{ text: 'no type' }] }] }, 400, /type/],
      [{ messages: [], extra: true }, 400, /extra/],
      [{ messages: [{ id: 'm', role: 'user', parts: [{ type: 'text', text: 'x'.repeat(70 * 1024) }] }] }, 413, /maxChatBodyBytes/],
    ];
    for (const [body, status, reason] of cases) {
      const response = await call('PUT', '/conversations/bad', { body });
      expect(response.status, JSON.stringify(body).slice(0, 80)).toBe(status);
      expect(ErrorBodySchema.parse(await response.json()).error.message).toMatch(reason);
    }
    const text = await call('PUT', '/conversations/bad', { body: 'x', headers: { 'content-type': 'text/plain' } });
    expect(text.status).toBe(415);
    expect((await call('GET', '/conversations/bad')).status).toBe(404);
  });

  it('are guarded like the log: not from another machine, not with a client key, and authorize decides', async () => {
    const { call } = open();
    const remote = await call('GET', '/conversations', { from: '203.0.113.9' });
    expect(remote.status).toBe(403);
    expect(ErrorBodySchema.parse(await remote.json()).error.message).toMatch(/authorize/);
    // Refused before the body is read: a remote caller cannot make the server parse megabytes.
    expect((await call('PUT', '/conversations/x', { body: '{', from: '203.0.113.9' })).status).toBe(403);

    const production = open({ env: { NODE_ENV: 'production' } });
    expect((await production.call('GET', '/conversations')).status).toBe(403);

    const asked: string[] = [];
    const guarded = open({
      identify: (request) => ({ userId: request.headers.get('x-user') }),
      authorize: ({ action, identity }) => {
        asked.push(action);
        return Boolean(identity.userId);
      },
    });
    expect((await guarded.call('GET', '/conversations', { from: '203.0.113.9' })).status).toBe(403);
    expect((await guarded.call('PUT', '/conversations/x', { body: thread, headers: { 'x-user': 'ann' }, from: '203.0.113.9' })).status).toBe(201);
    expect(asked).toEqual(['conversations:read', 'conversations:write']);
  });

  it('each owner has their own threads: the same id twice, and another owner\'s answers like a missing one', async () => {
    const { call } = open({ identify: (request) => ({ userId: request.headers.get('x-user') }) });
    const as = (user: string) => ({ 'x-user': user });
    await call('PUT', '/conversations/shared-id', { body: { ...thread, title: 'ann' }, headers: as('ann') });
    await call('PUT', '/conversations/shared-id', { body: { ...thread, title: 'bob' }, headers: as('bob') });
    await call('PUT', '/conversations/anns-only', { body: thread, headers: as('ann') });
    expect(ConversationSchema.parse(await (await call('GET', '/conversations/shared-id', { headers: as('bob') })).json()).title).toBe('bob');
    expect((await call('GET', '/conversations/anns-only', { headers: as('bob') })).status).toBe(404);
    expect((await call('DELETE', '/conversations/anns-only', { headers: as('bob') })).status).toBe(404);
    const bobs = ConversationListSchema.parse(await (await call('GET', '/conversations', { headers: as('bob') })).json());
    expect(bobs.conversations.map((c) => c.title)).toEqual(['bob']);
    expect((await call('GET', '/conversations/anns-only', { headers: as('ann') })).status).toBe(200);
  });

  it('a store without conversations answers 501, and a wrong method 405 naming the right ones', async () => {
    const { conversations: _none, ...withoutConversations } = memoryStore();
    const { call } = open({}, withoutConversations as AiuStore);
    const response = await call('GET', '/conversations');
    expect(response.status).toBe(501);
    const wrong = await open().call('PATCH', '/conversations/x', { body: thread });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toMatch(/PUT/);
  });
});
