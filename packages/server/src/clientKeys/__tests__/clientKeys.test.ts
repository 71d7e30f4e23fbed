import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ClientKeyListSchema, CreatedClientKeySchema, ErrorBodySchema, UsageReportSchema } from '@aiu/core';
import { startFakeUpstream, type FakeUpstream } from '@aiu/testing';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { chatRequest, createRig, issueClientKey, TEST_KEY, type TestRig } from '../../../test/helpers';
import { postgresReachable, postgresTestStore } from '../../../test/postgres';
import { REDIS_URL, redisReachable, redisTestPrefix } from '../../../test/redis';
import { type Aiu, createAiu } from '../../createAiu';
import { redisState } from '../../redis';
import { postgresStore } from '../../stores/postgres';
import { sqliteStore } from '../../stores/sqlite';
import type { AiuStore } from '../../stores/types';

const LOCAL = { clientAddress: '127.0.0.1' };
const messages = [{ role: 'user' as const, content: 'Invent a holiday.' }];
const bearer = (key: string) => ({ authorization: `Bearer ${key}` });
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function chat(aiu: Aiu, key: string | null, body: Record<string, unknown> = {}, path = '/api/aiu/chat') {
  const headers: Record<string, string> = { 'content-type': 'application/json', ...(key ? bearer(key) : {}) };
  return aiu.handler(chatRequest({ model: 'openai:gpt-4.1-nano', messages, stream: false, ...body }, { headers }, `http://localhost${path}`), LOCAL);
}

async function errorOf(response: Response) {
  return ErrorBodySchema.parse(await response.json()).error;
}

describe('client keys: issue, list, revoke', () => {
  let rig: TestRig;
  beforeAll(async () => {
    rig = await createRig({ routes: { fast: ['openai:gpt-4.1-nano'] } });
  });
  afterAll(() => rig.close());
  beforeEach(() => rig.upstream.reset());

  it('hands the secret out once: aiu_ and 32 random bytes, stored only as its SHA-256', async () => {
    const created = CreatedClientKeySchema.parse(await issueClientKey(rig.aiu, { name: 'ci bot', models: ['openai:*'], rpm: 60, budget: { dailyUsd: 5 } }));
    expect(created.key).toMatch(/^aiu_[A-Za-z0-9_-]{43}$/);
    expect(Buffer.from(created.key.slice(4), 'base64url')).toHaveLength(32);
    expect(created).toMatchObject({ name: 'ci bot', hint: created.key.slice(-4), models: ['openai:*'], rpm: 60, tpm: null, budget: { dailyUsd: 5, monthlyUsd: null }, revokedAt: null, spendUsd: 0 });
    const stored = await (await rig.aiu.store()).clientKeys?.get(created.id);
    expect(stored?.secretHash).toBe(createHash('sha256').update(created.key).digest('hex'));
    expect(JSON.stringify(stored)).not.toContain(created.key.slice(4));

    const listed = await rig.aiu.handler(new Request('http://localhost/client-keys'), LOCAL);
    expect(listed.headers.get('cache-control')).toBe('no-store');
    const text = await listed.text();
    expect(text).not.toContain(created.key.slice(4));
    expect(ClientKeyListSchema.parse(JSON.parse(text)).keys.find((key) => key.id === created.id)).toMatchObject({ hint: created.hint, lastUsedAt: null });
    // Two keys never share a secret.
    expect((await issueClientKey(rig.aiu)).key).not.toBe(created.key);
  });

  it('refuses bad input by name and keeps nothing', async () => {
    const post = (body: unknown) => rig.aiu.handler(new Request('http://localhost/client-keys', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }), LOCAL);
    const before = (await (await rig.aiu.store()).clientKeys?.list(undefined))?.length;
    for (const [body, says] of [
      [{}, 'name'],
      [{ name: 'x', scopes: ['chat'] }, 'scopes'],
      [{ name: 'x', rpm: 0 }, 'rpm'],
      [{ name: 'x', budget: { dailyUsd: -1 } }, 'dailyUsd'],
      [{ name: 'x', models: ['nosuch:model'] }, 'unknown provider "nosuch"'],
      [{ name: 'x', models: ['slow'] }, '"slow" is neither provider:model'],
      [{ name: 'x', expiresAt: '2001-01-01T00:00:00Z' }, 'expiresAt is in the past'],
      [{ name: 'x', expiresAt: 'tomorrow' }, 'expiresAt'],
    ] as const) {
      const response = await post(body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      expect((await errorOf(response)).message).toContain(says);
    }
    expect((await (await rig.aiu.store()).clientKeys?.list(undefined))?.length).toBe(before);
  });

  it('is guarded like /keys: loopback only without authorize, and never by a client key', async () => {
    const remote = await rig.aiu.handler(new Request('http://localhost/client-keys'), { clientAddress: '203.0.113.9' });
    expect(remote.status).toBe(403);
    const created = await issueClientKey(rig.aiu);
    for (const request of [
      new Request('http://localhost/client-keys', { headers: bearer(created.key) }),
      new Request('http://localhost/client-keys', { method: 'POST', headers: { ...bearer(created.key), 'content-type': 'application/json' }, body: '{"name":"child"}' }),
      new Request('http://localhost/providers', { headers: bearer(created.key) }),
    ]) {
      const response = await rig.aiu.handler(request, LOCAL);
      expect(response.status).toBe(403);
      expect((await errorOf(response)).message).toContain('client key may not');
    }
  });

  it('identifies the caller on /chat too (Bearer or x-api-key); a key that does not check out is 401 there as well', async () => {
    const created = await issueClientKey(rig.aiu);
    const viaBearer = await chat(rig.aiu, created.key);
    expect(viaBearer.status).toBe(200);
    const viaHeader = await rig.aiu.handler(chatRequest({ model: 'openai:gpt-4.1-nano', messages, stream: false }, { headers: { 'content-type': 'application/json', 'x-api-key': created.key } }), LOCAL);
    expect(viaHeader.status).toBe(200);
    await rig.aiu.flush();
    const logged = (await (await rig.aiu.store()).listLogs({ limit: 2 })).map((entry) => entry.clientKeyId);
    expect(logged).toEqual([created.id, created.id]);
    const forged = await chat(rig.aiu, `aiu_${'x'.repeat(43)}`);
    expect(forged.status).toBe(401);
    expect((await errorOf(forged)).code).toBe('unauthorized');
    // /chat without a key is as before; /ui/chat is not.
    expect((await chat(rig.aiu, null)).status).toBe(200);
    const ui = await rig.aiu.handler(new Request('http://localhost/ui/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ model: 'openai:gpt-4.1-nano', messages: [] }) }), LOCAL);
    expect(ui.status).toBe(401);
    expect((await errorOf(ui)).message).toContain('POST /client-keys');
  });

  it('revokes at once on the instance that revoked it, and the list says when', async () => {
    const created = await issueClientKey(rig.aiu);
    expect((await chat(rig.aiu, created.key)).status).toBe(200);
    const revoked = await rig.aiu.handler(new Request(`http://localhost/client-keys/${created.id}`, { method: 'DELETE' }), LOCAL);
    expect(revoked.status).toBe(200);
    const refused = await chat(rig.aiu, created.key);
    expect(refused.status).toBe(401);
    expect((await errorOf(refused)).message).toBe(`Client key ${created.id} was revoked.`);
    const again = await rig.aiu.handler(new Request(`http://localhost/client-keys/${created.id}`, { method: 'DELETE' }), LOCAL);
    expect(again.status).toBe(404);
    const listed = ClientKeyListSchema.parse(await (await rig.aiu.handler(new Request('http://localhost/client-keys'), LOCAL)).json());
    expect(listed.keys.find((key) => key.id === created.id)?.revokedAt).not.toBeNull();
  });

  it('stops an expired key', async () => {
    const created = await issueClientKey(rig.aiu, { name: 'short', expiresAt: new Date(Date.now() + 150).toISOString() });
    expect((await chat(rig.aiu, created.key)).status).toBe(200);
    await sleep(200);
    const refused = await chat(rig.aiu, created.key);
    expect(refused.status).toBe(401);
    expect((await errorOf(refused)).message).toContain('expired');
  });

  it('lets a key call only its models: listed, provider:*, or a listed route; 403 names the model and is logged', async () => {
    const only = await issueClientKey(rig.aiu, { name: 'nano', models: ['openai:gpt-4.1-nano', 'fast'] });
    expect((await chat(rig.aiu, only.key)).status).toBe(200);
    expect((await chat(rig.aiu, only.key, { model: 'fast' })).status).toBe(200);
    const refused = await chat(rig.aiu, only.key, { model: 'groq:llama-3.3-70b-versatile' });
    expect(refused.status).toBe(403);
    expect((await errorOf(refused)).message).toContain('may not use groq:llama-3.3-70b-versatile');
    // A fallback list is as allowed as its least allowed model.
    expect((await chat(rig.aiu, only.key, { model: ['openai:gpt-4.1-nano', 'groq:llama-3.3-70b-versatile'] })).status).toBe(403);
    const wide = await issueClientKey(rig.aiu, { name: 'groq', models: ['groq:*'] });
    expect((await chat(rig.aiu, wide.key, { model: 'groq:llama-3.3-70b-versatile' })).status).toBe(200);
    expect((await chat(rig.aiu, wide.key)).status).toBe(403);
    await rig.aiu.flush();
    const [entry] = await (await rig.aiu.store()).listLogs({ limit: 1 });
    expect(entry).toMatchObject({ status: 'error', errorCode: 'forbidden', clientKeyId: wide.id });
    // /v1/models shows a key what it may use, and nothing else.
    const models = (await (await rig.aiu.handler(new Request('http://localhost/v1/models', { headers: bearer(wide.key) }), LOCAL)).json()) as { data: Array<{ id: string }> };
    expect(models.data.length).toBeGreaterThan(0);
    expect(models.data.every((model) => model.id.startsWith('groq:'))).toBe(true);
  });

  it('holds a key to its rpm: 429 with Retry-After, in the protocol\'s shape', async () => {
    const created = await issueClientKey(rig.aiu, { name: 'slow', rpm: 1 });
    expect((await chat(rig.aiu, created.key)).status).toBe(200);
    const limited = await chat(rig.aiu, created.key);
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await errorOf(limited)).message).toContain(`Client key ${created.id}: requests per minute limit of 1`);
    const viaOpenAI = await chat(rig.aiu, created.key, {}, '/v1/chat/completions');
    expect(viaOpenAI.status).toBe(429);
    expect(((await viaOpenAI.json()) as { error: { type: string } }).error.type).toBe('rate_limit_error');
  });

  it('holds a key to its tpm', async () => {
    const created = await issueClientKey(rig.aiu, { name: 'few tokens', tpm: 100 });
    expect((await chat(rig.aiu, created.key, { options: { maxTokens: 50 } })).status).toBe(200);
    // The recorded answer used more than the window had left.
    const limited = await chat(rig.aiu, created.key, { options: { maxTokens: 50 } });
    expect(limited.status).toBe(429);
    expect((await errorOf(limited)).message).toContain('tokens per minute');
  });

  it('stops a key once its budget is spent, and reports spend to date from the log', async () => {
    const created = await issueClientKey(rig.aiu, { name: 'cheap', budget: { dailyUsd: 0.000001 } });
    const first = await chat(rig.aiu, created.key);
    expect(first.status).toBe(200);
    const cost = ((await first.json()) as { cost: { total: number } }).cost.total;
    expect(cost).toBeGreaterThan(0.000001);
    const refused = await chat(rig.aiu, created.key);
    expect(refused.status).toBe(429);
    expect((await errorOf(refused)).code).toBe('quota_exceeded');
    expect((await errorOf(await chat(rig.aiu, created.key))).message).toContain(`Client key ${created.id}'s $0.000001 daily budget is used up`);
    const listed = ClientKeyListSchema.parse(await (await rig.aiu.handler(new Request('http://localhost/client-keys'), LOCAL)).json());
    const summary = listed.keys.find((key) => key.id === created.id);
    expect(summary?.spendUsd).toBeCloseTo(cost, 12);
    expect(summary?.lastUsedAt).not.toBeNull();
  });

  it('shows a key only its own calls in /logs and /usage; /usage groups by client key; the export has the column', async () => {
    const a = await issueClientKey(rig.aiu, { name: 'a' });
    const b = await issueClientKey(rig.aiu, { name: 'b' });
    await chat(rig.aiu, a.key);
    await chat(rig.aiu, b.key);
    await chat(rig.aiu, b.key);
    const logs = (await (await rig.aiu.handler(new Request('http://localhost/logs?limit=50', { headers: bearer(a.key) }), LOCAL)).json()) as { entries: Array<{ clientKeyId: string }> };
    expect(logs.entries.length).toBe(1);
    expect(logs.entries[0]?.clientKeyId).toBe(a.id);
    const report = UsageReportSchema.parse(await (await rig.aiu.handler(new Request('http://localhost/usage?groupBy=clientKey'), LOCAL)).json());
    expect(report.groups[a.id]?.requests).toBe(1);
    expect(report.groups[b.id]?.requests).toBe(2);
    const own = UsageReportSchema.parse(await (await rig.aiu.handler(new Request('http://localhost/usage?groupBy=clientKey', { headers: bearer(b.key) }), LOCAL)).json());
    expect(Object.keys(own.groups)).toEqual([b.id]);
    const csv = await (await rig.aiu.handler(new Request(`http://localhost/logs/export?format=csv&clientKey=${b.id}`), LOCAL)).text();
    const [header, ...lines] = csv.trim().split('\n');
    expect(header?.split(',')).toContain('clientKeyId');
    expect(lines).toHaveLength(2);
    expect(lines.every((line) => line.includes(b.id))).toBe(true);
  });
});

// Instances that share a store: what a team running aiu behind a load balancer has.
const postgresReady = await postgresReachable();
const sharedStores: Array<[string, () => { stores: [AiuStore, AiuStore]; dispose(): Promise<void> }]> = [
  [
    'sqlite',
    () => {
      const path = join(mkdtempSync(join(tmpdir(), 'aiu-ck-')), 'aiu.db');
      return { stores: [sqliteStore({ path }), sqliteStore({ path })], dispose: async () => {} };
    },
  ],
  ...(postgresReady
    ? [
        [
          'postgres',
          () => {
            const test = postgresTestStore();
            return { stores: [test.store, postgresStore({ connectionString: process.env.AIU_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', schema: test.schema })], dispose: test.dispose };
          },
        ] as [string, () => { stores: [AiuStore, AiuStore]; dispose(): Promise<void> }],
      ]
    : []),
];

describe.each(sharedStores)('client keys across two instances on one %s store', (_kind, make) => {
  let upstream: FakeUpstream;
  let instances: [Aiu, Aiu];
  let dispose: () => Promise<void>;
  beforeEach(async () => {
    upstream = await startFakeUpstream();
    const shared = make();
    dispose = shared.dispose;
    const make1 = (store: AiuStore) =>
      createAiu({ store, env: {}, logger: { warn() {} }, retries: { maxAttempts: 1 }, providers: { openai: { baseURL: `${upstream.url}/v1`, apiKey: TEST_KEY } } });
    instances = [make1(shared.stores[0]), make1(shared.stores[1])];
  });
  afterEach(async () => {
    for (const aiu of instances) await aiu.close();
    await dispose();
    await upstream.close();
  });

  it('a key made on one works on the other; revoked on one, the other refuses it within a second', async () => {
    const [a, b] = instances;
    const created = await issueClientKey(a);
    expect((await chat(b, created.key)).status).toBe(200);
    expect((await a.handler(new Request(`http://localhost/client-keys/${created.id}`, { method: 'DELETE' }), LOCAL)).status).toBe(200);
    expect((await chat(a, created.key)).status).toBe(401);
    // The contract's bound, not a timing measurement: after one second the other instance must know.
    await sleep(1000);
    const refused = await chat(b, created.key);
    expect(refused.status).toBe(401);
    expect((await errorOf(refused)).message).toContain('revoked');
  });
});

const redisReady = await redisReachable();
describe.runIf(redisReady)('a client key budget across two instances on Redis', () => {
  it('is exact: spend on one instance counts on the other, and both refuse once it is spent', async () => {
    const upstream = await startFakeUpstream();
    const path = join(mkdtempSync(join(tmpdir(), 'aiu-ck-redis-')), 'aiu.db');
    const { prefix, cleanup } = redisTestPrefix();
    const make = () =>
      createAiu({
        store: sqliteStore({ path }),
        state: redisState({ url: REDIS_URL, prefix }),
        env: {},
        logger: { warn() {} },
        retries: { maxAttempts: 1 },
        providers: { openai: { baseURL: `${upstream.url}/v1`, apiKey: TEST_KEY } },
      });
    const [a, b] = [make(), make()];
    try {
      // One call's recorded cost, measured first on a key without a budget.
      const probe = await issueClientKey(a, { name: 'probe' });
      const one = ((await (await chat(a, probe.key)).json()) as { cost: { total: number } }).cost.total;
      // Spent after the third call, whichever instance makes them: the third crosses the cap and completes.
      const created = await issueClientKey(a, { name: 'three calls', budget: { dailyUsd: one * 2.5 } });
      const outcomes: number[] = [];
      for (const aiu of [a, b, a, b, b]) outcomes.push((await chat(aiu, created.key)).status);
      expect(outcomes).toEqual([200, 200, 200, 429, 429]);
      // Spend to date is read from the log, which each instance writes in batches.
      await a.flush();
      const listed = ClientKeyListSchema.parse(await (await b.handler(new Request('http://localhost/client-keys'), LOCAL)).json());
      expect(listed.keys.find((key) => key.id === created.id)?.spendUsd).toBeCloseTo(one * 3, 12);
    } finally {
      await a.close();
      await b.close();
      await cleanup();
      await upstream.close();
    }
  });
});

describe('a client key never leaks', () => {
  it('is in its 201 answer and nowhere else: not in answers, warnings, log entries (bodies on) or the database file', async () => {
    const { readFileSync, existsSync } = await import('node:fs');
    const path = join(mkdtempSync(join(tmpdir(), 'aiu-ck-leak-')), 'aiu.db');
    const warnings: string[] = [];
    const upstream = await startFakeUpstream();
    const aiu = createAiu({ store: sqliteStore({ path }), env: {}, logBodies: true, logger: { warn: (message) => warnings.push(message) }, retries: { maxAttempts: 1 }, providers: { openai: { baseURL: `${upstream.url}/v1`, apiKey: TEST_KEY } } });
    try {
      const created = await issueClientKey(aiu, { name: 'leak check', rpm: 2 });
      const secret = created.key.slice(4);
      const seen: string[] = [];
      const read = async (response: Response) => {
        const headers: string[] = [];
        response.headers.forEach((value, name) => headers.push(`${name}: ${value}`));
        seen.push(headers.join('\n'), await response.text());
      };
      // The caller pastes its own key into a prompt, and then hits its rate limit.
      const pasted = { messages: [{ role: 'user', content: `my key is ${created.key}` }] };
      await read(await chat(aiu, created.key, pasted));
      await read(await chat(aiu, created.key, { ...pasted, stream: true }));
      await read(await chat(aiu, created.key, pasted));
      await read(await chat(aiu, created.key, {}, '/v1/chat/completions'));
      await read(await aiu.handler(new Request('http://localhost/client-keys'), LOCAL));
      await read(await aiu.handler(new Request('http://localhost/logs?limit=50'), LOCAL));
      await read(await aiu.handler(new Request('http://localhost/logs/export?format=jsonl'), LOCAL));
      await read(await aiu.handler(new Request(`http://localhost/client-keys/${created.id}`, { method: 'DELETE' }), LOCAL));
      await read(await chat(aiu, created.key));
      await aiu.flush();
      const entries = await (await aiu.store()).listLogs({ limit: 50 });
      // Not vacuous: the prompt was logged, and the provider got it.
      expect(entries.some((entry) => entry.prompt?.includes('my key is'))).toBe(true);
      seen.push(JSON.stringify(entries), ...warnings);
      expect(seen.filter((text) => text.includes(secret))).toEqual([]);
      await aiu.close();
      for (const file of [path, `${path}-wal`]) if (existsSync(file)) expect(readFileSync(file).includes(Buffer.from(secret)), file).toBe(false);
    } finally {
      await aiu.close().catch(() => undefined);
      await upstream.close();
    }
  });
});
