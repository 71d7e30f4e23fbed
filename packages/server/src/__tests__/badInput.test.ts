import { ErrorBodySchema } from '@aiu/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chatRequest, createRig, type TestRig } from '../../test/helpers';

const messages = [{ role: 'user', content: 'hi' }];

describe('bad input to POST /chat', () => {
  let rig: TestRig;
  beforeAll(async () => {
    rig = await createRig();
  });
  afterAll(async () => {
    await rig.close();
  });

  const cases: Array<[string, () => Request, number, string]> = [
    ['invalid JSON', () => chatRequest('{"model": "openai:x", '), 400, 'invalid_json'],
    ['missing model', () => chatRequest({ messages }), 400, 'invalid_request'],
    ['empty model', () => chatRequest({ model: '', messages }), 400, 'invalid_request'],
    ['blank model', () => chatRequest({ model: '   ', messages }), 400, 'invalid_request'],
    ['model without a colon', () => chatRequest({ model: 'gpt-4o-mini', messages }), 400, 'invalid_model'],
    ['model with an empty name', () => chatRequest({ model: 'openai:', messages }), 400, 'invalid_model'],
    ['unknown provider', () => chatRequest({ model: 'nope:some-model', messages }), 400, 'unknown_provider'],
    ['messages not an array', () => chatRequest({ model: 'openai:x', messages: 'hello' }), 400, 'invalid_request'],
    ['no messages', () => chatRequest({ model: 'openai:x', messages: [] }), 400, 'invalid_request'],
    ['message with a bad role', () => chatRequest({ model: 'openai:x', messages: [{ role: 'wizard', content: 'hi' }] }), 400, 'invalid_request'],
    ['message without content', () => chatRequest({ model: 'openai:x', messages: [{ role: 'user' }] }), 400, 'invalid_request'],
    ['option out of range', () => chatRequest({ model: 'openai:x', messages, options: { temperature: 9 } }), 400, 'invalid_request'],
    ['a JSON array body', () => chatRequest('[1,2]'), 400, 'invalid_request'],
    ['a 17 MB body', () => chatRequest({ model: 'openai:x', messages: [{ role: 'user', content: 'x'.repeat(17 * 1024 * 1024) }] }), 413, 'payload_too_large'],
    ['a 17 MB body without content-length', () => chatRequest('', { body: streamOf('{"model":"openai:x","messages":[{"role":"user","content":"' + 'x'.repeat(17 * 1024 * 1024) + '"}]}'), duplex: 'half' } as RequestInit), 413, 'payload_too_large'],
    ['text/plain content type', () => chatRequest(JSON.stringify({ model: 'openai:x', messages }), { headers: { 'content-type': 'text/plain' } }), 415, 'unsupported_media_type'],
    ['no content type', () => new Request('http://localhost/api/aiu/chat', { method: 'POST', body: new Blob([JSON.stringify({ model: 'openai:x', messages })]) }), 415, 'unsupported_media_type'],
  ];

  it.each(cases)('%s', async (_name, make, status, code) => {
    const response = await rig.aiu.handler(make());
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const text = await response.text();
    expect(text).not.toMatch(/\n\s+at /); // never a stack trace
    const body = ErrorBodySchema.parse(JSON.parse(text));
    expect(body.error.code).toBe(code);
    expect(body.error.message.length).toBeGreaterThan(5);
  });

  it('takes chat requests with images up to 16 MiB, other routes up to 1 MiB, and names the option that raises each', async () => {
    // A 3 MB photo as a data URL is about 4 MB of JSON: over the 1 MiB of other routes, fine for chat.
    const photo = `data:image/png;base64,${'A'.repeat(4 * 1024 * 1024)}`;
    const chat = await rig.aiu.handler(chatRequest({ model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content: [{ type: 'image', image: photo }] }], stream: false }));
    expect(chat.status).toBe(200);
    const tooBig = await rig.aiu.handler(chatRequest({ model: 'openai:x', messages: [{ role: 'user', content: 'x'.repeat(17 * 1024 * 1024) }] }));
    expect(ErrorBodySchema.parse(await tooBig.json()).error.message).toBe('The request body is larger than the 16 MiB limit (images and files count: raise createAiu({ maxChatBodyBytes }) for them).');
    const embed = await rig.aiu.handler(
      new Request('http://localhost/api/aiu/embed', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'openai:text-embedding-3-small', input: 'x'.repeat(2 * 1024 * 1024) }) }),
    );
    expect(embed.status).toBe(413);
    expect(ErrorBodySchema.parse(await embed.json()).error.message).toBe('The request body is larger than the 1 MiB limit (raise createAiu({ maxBodyBytes })).');
    rig.upstream.reset();
  });

  it('lists the zod issues with their paths in details', async () => {
    const response = await rig.aiu.handler(chatRequest({ model: 'openai:x', messages: [{ role: 'wizard', content: 1 }] }));
    const body = (await response.json()) as { error: { message: string; details: { issues: Array<{ path: string; message: string }> } } };
    expect(body.error.details.issues.map((issue) => issue.path).sort()).toEqual(['messages.0.content', 'messages.0.role']);
    expect(body.error.message).toContain('messages.0.role');
  });

  it('logs each rejected /chat call once, and never contacts the provider', async () => {
    const store = await rig.aiu.store();
    await rig.aiu.flush();
    const before = (await store.listLogs({ limit: 1000 })).length;
    await rig.aiu.handler(chatRequest({ model: 'openai:x', messages: 'nope' }));
    await rig.aiu.flush();
    const after = await store.listLogs({ limit: 1000 });
    expect(after.length).toBe(before + 1);
    expect(after[0]).toMatchObject({ status: 'error', errorCode: 'invalid_request', model: 'unknown' });
    expect(rig.upstream.requests).toHaveLength(0);
  });

  it('answers unknown routes with 404 and wrong methods with 405 + Allow', async () => {
    const missing = await rig.aiu.handler(new Request('http://localhost/api/aiu/nope'));
    expect(missing.status).toBe(404);
    expect(ErrorBodySchema.parse(await missing.json()).error.code).toBe('not_found');
    const wrong = await rig.aiu.handler(new Request('http://localhost/api/aiu/chat'));
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
  });

  it('rejects a malformed log cursor with 400', async () => {
    const response = await rig.aiu.handler(new Request('http://localhost/api/aiu/logs?cursor=not-a-cursor'), { clientAddress: '127.0.0.1' });
    expect(response.status).toBe(400);
    const limit = await rig.aiu.handler(new Request('http://localhost/api/aiu/logs?limit=100000'), { clientAddress: '127.0.0.1' });
    expect(limit.status).toBe(400);
  });
});

function streamOf(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) return controller.close();
      controller.enqueue(bytes.slice(offset, offset + 65536));
      offset += 65536;
    },
  });
}
