import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ErrorBodySchema, KeySummarySchema, ProviderListSchema } from '@aiu/core';
import { afterEach, describe, expect, it } from 'vitest';
import { createRig, TEST_KEY, type TestRig } from '../../../test/helpers';
import type { AiuOptions } from '../../createAiu';
import { toNodeListener } from '../../node';
import { toBase64 } from '../crypto';

const MASTER = toBase64(new Uint8Array(32).fill(3));
const STORED = 'sk-stored-by-user-a-0000000000AAAA';

let rig: TestRig | undefined;
let server: Server | undefined;
afterEach(async () => {
  server?.closeAllConnections();
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
  await rig?.close();
  rig = undefined;
});

/** The handler on real HTTP at 127.0.0.1: the loopback the default policy trusts. */
async function serve(options: Partial<AiuOptions> | ((upstreamUrl: string) => Partial<AiuOptions>) = {}) {
  rig = await createRig((url) => ({
    masterKey: MASTER,
    identify: (request) => ({ userId: request.headers.get('x-user') }),
    ...(typeof options === 'function' ? options(url) : options),
  }));
  server = createServer(toNodeListener(rig.aiu));
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const call = (path: string, init: RequestInit & { user?: string } = {}) =>
    fetch(`${base}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', ...(init.user ? { 'x-user': init.user } : {}), ...(init.headers as Record<string, string>) },
    });
  return { base, call, rig };
}

const save = (body: unknown, user = 'a') => ({ method: 'POST', body: JSON.stringify(body), user });

describe('key routes', () => {
  it('saves a key (201, summary only), lists it under /providers, deletes it (204)', async () => {
    const { call } = await serve();
    const created = await call('/keys', save({ provider: 'openai', key: STORED, scopes: ['chat', 'embed'] }));
    expect(created.status).toBe(201);
    const text = await created.text();
    expect(text).not.toContain(STORED);
    expect(KeySummarySchema.parse(JSON.parse(text))).toMatchObject({ provider: 'openai', alias: 'default', hint: 'AAAA', scopes: ['chat', 'embed'], status: 'unknown' });

    const list = ProviderListSchema.parse(await (await call('/providers', { user: 'a' })).json());
    const openai = list.providers.find((p) => p.id === 'openai');
    expect(openai).toMatchObject({ configured: true, envKey: 'OPENAI_API_KEY', keys: [expect.objectContaining({ alias: 'default', hint: 'AAAA' })] });
    expect(JSON.stringify(list)).not.toContain(STORED);

    expect((await call('/keys/openai/default', { method: 'DELETE', user: 'a' })).status).toBe(204);
    expect((await call('/keys/openai/default', { method: 'DELETE', user: 'a' })).status).toBe(404);
  });

  it('answers a duplicate alias with 409 unless replace is sent', async () => {
    const { call } = await serve();
    await call('/keys', save({ provider: 'openai', key: STORED }));
    const again = await call('/keys', save({ provider: 'openai', key: 'sk-another-key-000000000BBBB' }));
    expect(again.status).toBe(409);
    expect(ErrorBodySchema.parse(await again.json()).error.code).toBe('conflict');
    const replaced = await call('/keys', save({ provider: 'openai', key: 'sk-another-key-000000000BBBB', replace: true }));
    expect(replaced.status).toBe(200);
    expect(KeySummarySchema.parse(await replaced.json()).hint).toBe('BBBB');
  });

  it.each([
    ['unknown provider', { provider: 'nope', key: STORED }, 400, 'unknown_provider'],
    ['empty key', { provider: 'openai', key: '' }, 400, 'invalid_request'],
    ['blank key', { provider: 'openai', key: '   ' }, 400, 'invalid_request'],
    ['10 kB key', { provider: 'openai', key: 'k'.repeat(10_000) }, 400, 'invalid_request'],
    ['key with a space', { provider: 'openai', key: 'sk-has space-000000000' }, 400, 'invalid_request'],
    ['alias with /', { provider: 'openai', alias: 'a/b', key: STORED }, 400, 'invalid_request'],
    ['alias with a control character', { provider: 'openai', alias: 'a\u0007b', key: STORED }, 400, 'invalid_request'],
    ['unknown scope', { provider: 'openai', key: STORED, scopes: ['admin'] }, 400, 'invalid_request'],
  ])('rejects %s', async (_name, body, status, code) => {
    const { call } = await serve();
    const response = await call('/keys', save(body));
    expect(response.status).toBe(status);
    const text = await response.text();
    expect(ErrorBodySchema.parse(JSON.parse(text)).error.code).toBe(code);
    expect(text).not.toContain(STORED);
  });

  it('validates a key by asking the provider; a rejected key is not stored with validate: true', async () => {
    const { call, rig: r } = await serve();
    const ok = await call('/keys/validate', save({ provider: 'openai', key: STORED }));
    expect(await ok.json()).toEqual({ valid: true, modelCount: expect.any(Number) });
    expect(r.upstream.requests.at(-1)).toMatchObject({ url: '/v1/models', headers: { authorization: `Bearer ${STORED}` } });

    r.upstream.set({ error: { status: 401, body: { error: { message: `Incorrect API key provided: ${STORED}` } } } });
    const bad = await call('/keys/validate', save({ provider: 'openai', key: STORED }));
    const badText = await bad.text();
    expect(JSON.parse(badText)).toMatchObject({ valid: false, error: { code: 'invalid_api_key' } });
    expect(badText).not.toContain(STORED);
    const rejected = await call('/keys', save({ provider: 'openai', key: STORED, validate: true }));
    expect(rejected.status).toBe(422);
    expect(ErrorBodySchema.parse(await rejected.json()).error.code).toBe('key_rejected');
    expect(ProviderListSchema.parse(await (await call('/providers', { user: 'a' })).json()).providers.find((p) => p.id === 'openai')?.keys).toEqual([]);

    r.upstream.reset();
    const valid = await call('/keys', save({ provider: 'openai', key: STORED, validate: true }));
    expect(KeySummarySchema.parse(await valid.json())).toMatchObject({ status: 'valid', lastValidatedAt: expect.any(String) });
  });
  it('checks the key in use when no key is sent: the stored alias (its status follows), else the configured one', async () => {
    const { call, rig: r } = await serve();
    // Nothing stored for user a: the key given in code is the one a call would use.
    const configured = await call('/keys/validate', save({ provider: 'openai' }));
    expect(await configured.json()).toEqual({ valid: true, modelCount: expect.any(Number), source: 'configured' });
    expect(r.upstream.requests.at(-1)).toMatchObject({ url: '/v1/models', headers: { authorization: `Bearer ${TEST_KEY}` } });

    await call('/keys', save({ provider: 'openai', alias: 'team', key: STORED }));
    r.upstream.set({ error: { status: 401, body: { error: { message: `Incorrect API key provided: ${STORED}` } } } });
    const rejected = await call('/keys/validate', save({ provider: 'openai', alias: 'team' }));
    const rejectedText = await rejected.text();
    expect(JSON.parse(rejectedText)).toMatchObject({ valid: false, source: 'stored', error: { code: 'invalid_api_key' } });
    expect(rejectedText).not.toContain(STORED);
    expect(r.upstream.requests.at(-1)).toMatchObject({ headers: { authorization: `Bearer ${STORED}` } });
    const listed = ProviderListSchema.parse(await (await call('/providers', { user: 'a' })).json());
    expect(listed.providers.find((p) => p.id === 'openai')?.keys).toEqual([expect.objectContaining({ alias: 'team', status: 'invalid', lastValidatedAt: expect.any(String) })]);

    const missing = await call('/keys/validate', save({ provider: 'openai', alias: 'nope' }));
    expect(missing.status).toBe(400);
    expect(ErrorBodySchema.parse(await missing.json()).error.code).toBe('missing_api_key');
  });
});

describe('tenancy and authorization', () => {
  it('keeps owners apart: B cannot list, use or delete A’s key (404, no hint)', async () => {
    // openai with no key in code or env: only stored keys can serve a call.
    const { call, rig: r } = await serve((url) => ({ providers: { openai: { baseURL: `${url}/v1` } } }));
    const chat = (user: string, extra: Record<string, unknown> = {}) =>
      call('/chat', save({ model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }], ...extra }, user));

    expect((await call('/keys', save({ provider: 'openai', key: STORED }, 'a'))).status).toBe(201);
    const bProviders = ProviderListSchema.parse(await (await call('/providers', { user: 'b' })).json());
    expect(bProviders.providers.find((p) => p.id === 'openai')).toMatchObject({ configured: false, keys: [] });

    for (const attempt of [await chat('b'), await chat('b', { keyAlias: 'default' })]) {
      expect(attempt.status).toBe(400);
      expect(ErrorBodySchema.parse(await attempt.json()).error.code).toBe('missing_api_key');
    }
    expect((await call('/keys/openai/default', { method: 'DELETE', user: 'b' })).status).toBe(404);
    expect(r.upstream.requests).toHaveLength(0);

    // A's call uses A's stored key, which B's delete did not touch.
    const aChat = await chat('a');
    expect(aChat.status).toBe(200);
    await aChat.text();
    expect(r.upstream.requests.at(-1)?.headers.authorization).toBe(`Bearer ${STORED}`);
  });

  it('answers key routes 403 to non-loopback requests without authorize', async () => {
    rig = await createRig({ masterKey: MASTER });
    // aiu.handler directly: no socket, so not known to be loopback.
    for (const request of [
      new Request('http://localhost/providers'),
      new Request('http://localhost/keys', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ provider: 'openai', key: STORED }) }),
      new Request('http://localhost/keys/validate', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ provider: 'openai', key: STORED }) }),
      new Request('http://localhost/keys/openai/default', { method: 'DELETE' }),
    ]) {
      const response = await rig.aiu.handler(request);
      expect(response.status).toBe(403);
      expect(ErrorBodySchema.parse(await response.json()).error.code).toBe('forbidden');
    }
    // A forwarded header claiming loopback changes nothing.
    const spoofed = await rig.aiu.handler(new Request('http://localhost/providers', { headers: { 'x-forwarded-for': '127.0.0.1' } }));
    expect(spoofed.status).toBe(403);
  });

  it('answers 403 on loopback too in production, unless authorize allows', async () => {
    const { call } = await serve({ env: { NODE_ENV: 'production' } });
    expect((await call('/providers', { user: 'a' })).status).toBe(403);
    await rig?.close();
    server?.closeAllConnections();
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    server = undefined;
    rig = undefined;
    const seen: string[] = [];
    const allowed = await serve({
      env: { NODE_ENV: 'production' },
      authorize: ({ identity, action }) => {
        seen.push(`${identity.userId}:${action}`);
        return identity.userId === 'admin';
      },
    });
    expect((await allowed.call('/providers', { user: 'admin' })).status).toBe(200);
    expect((await allowed.call('/providers', { user: 'mallory' })).status).toBe(403);
    expect(seen).toEqual(['admin:providers:list', 'mallory:providers:list']);
  });
});

describe('key resolution for a call', () => {
  it('prefers the stored key, then the configured one, then the env var', async () => {
    const { call, rig: r } = await serve();
    // The rig configures TEST_KEY in code for openai.
    await (await call('/chat', save({ model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }] }))).text();
    expect(r.upstream.requests.at(-1)?.headers.authorization).toBe(`Bearer ${TEST_KEY}`);
    await call('/keys', save({ provider: 'openai', key: STORED }));
    await (await call('/chat', save({ model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }] }))).text();
    expect(r.upstream.requests.at(-1)?.headers.authorization).toBe(`Bearer ${STORED}`);
    await call('/keys', save({ provider: 'openai', alias: 'team', key: 'sk-team-key-000000000000TEAM' }));
    await (await call('/chat', save({ model: 'openai:gpt-4.1-nano', keyAlias: 'team', messages: [{ role: 'user', content: 'hi' }] }))).text();
    expect(r.upstream.requests.at(-1)?.headers.authorization).toBe('Bearer sk-team-key-000000000000TEAM');
  });

  it('marks a stored key invalid when the provider answers 401 during a chat', async () => {
    const { call, rig: r } = await serve();
    await call('/keys', save({ provider: 'openai', key: STORED }));
    r.upstream.set({ error: { status: 401, body: { error: { message: 'Incorrect API key provided' } } } });
    const failed = await call('/chat', save({ model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }] }));
    expect(failed.status).toBe(401);
    await expect
      .poll(async () => ProviderListSchema.parse(await (await call('/providers', { user: 'a' })).json()).providers.find((p) => p.id === 'openai')?.keys[0]?.status)
      .toBe('invalid');
  });
});
