import { type ChatEvent, ErrorBodySchema } from '@aiu/core';
import { startFakeUpstream, type FakeUpstream } from '@aiu/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { chatRequest, TEST_KEY } from '../../../test/helpers';
import { REDIS_URL, redisReachable, redisTestPrefix } from '../../../test/redis';
import { type Aiu, type AiuOptions, createAiu } from '../../createAiu';
import { redisState } from '../../redis';
import { memoryStore } from '../../stores/memory';
import { admit, breakerConfig, record } from '../breaker';
import { memoryState, type StateBackend } from '../state';

const redisReady = await redisReachable();
const messages = [{ role: 'user' as const, content: 'hi' }];

let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

function sharedRedis(): StateBackend {
  const { prefix, cleanup: drop } = redisTestPrefix();
  const state = redisState({ url: REDIS_URL, prefix });
  cleanup.push(drop);
  return state;
}

const backends: Array<[string, () => StateBackend]> = [['memory', () => memoryState()], ...(redisReady ? [['redis', sharedRedis] as [string, () => StateBackend]] : [])];

describe.each(backends)('state backend conformance: %s', (_kind, make) => {
  it('sliding window: admits up to the limit, says how long to wait, adjusts weights', async () => {
    const state = make();
    cleanup.push(async () => state.close?.());
    const now = Date.now();
    const first = await state.windowTake('w', 10, 60_000, 6, now);
    expect(first).toMatchObject({ allowed: true, remaining: 4 });
    const refused = await state.windowTake('w', 10, 60_000, 6, now);
    expect(refused).toMatchObject({ allowed: false, remaining: 4 });
    expect(refused.retryAfterMs).toBeGreaterThan(55_000);
    await state.windowAdjust('w', first.entryId as string, 2);
    expect(await state.windowTake('w', 10, 60_000, 6, now)).toMatchObject({ allowed: true, remaining: 2 });
  });

  it('counters reserve only within the limit', async () => {
    const state = make();
    cleanup.push(async () => state.close?.());
    expect(await state.counterReserve('c', 100, 60, 60_000)).toEqual({ allowed: true, used: 60 });
    expect(await state.counterReserve('c', 100, 60, 60_000)).toEqual({ allowed: false, used: 60 });
    expect(await state.counterAdd('c', -20, 60_000)).toBe(40);
    expect(await state.counterReserve('c', 100, 60, 60_000)).toEqual({ allowed: true, used: 100 });
    expect(await state.counterGet('c')).toBe(100);
  });

  it('breaker updates are atomic read-modify-writes', async () => {
    const state = make();
    cleanup.push(async () => state.close?.());
    // Only the consecutive count matters here: the rate rule is switched off.
    const config = breakerConfig({ failureThreshold: 50, failureRate: 2 });
    await Promise.all(Array.from({ length: 40 }, () => state.breakerUpdate('breaker:x', (s) => ({ next: record(s, false, Date.now(), config), result: undefined }))));
    const all = await state.breakerAll();
    expect(all['breaker:x']?.consecutiveFailures).toBe(40);
    const admitted = await state.breakerUpdate('breaker:x', (s) => admit(s, Date.now(), config));
    expect(admitted).toBe('pass');
  });
});

async function upstream(): Promise<FakeUpstream> {
  const fake = await startFakeUpstream({ fixture: 'openai-compatible/mistral-text' });
  cleanup.push(() => fake.close());
  return fake;
}

/** Two handler instances, as two processes would be: separate aiu objects, one Redis prefix. */
function twoInstances(fake: FakeUpstream, options: Partial<AiuOptions>): [Aiu, Aiu] {
  const { prefix, cleanup: drop } = redisTestPrefix();
  cleanup.push(drop);
  const make = () => {
    const aiu = createAiu({
      store: memoryStore(),
      env: {},
      logger: { warn() {} },
      keyring: false,
      state: redisState({ url: REDIS_URL, prefix }),
      providers: { mistral: { baseURL: `${fake.url}/v1`, apiKey: TEST_KEY } },
      retries: { maxAttempts: 1 },
      ...options,
    });
    cleanup.push(() => aiu.close());
    return aiu;
  };
  return [make(), make()];
}

async function collect(stream: AsyncIterable<ChatEvent>): Promise<ChatEvent[]> {
  const events: ChatEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

describe.runIf(redisReady)('many instances sharing Redis', () => {
  it('a 10 requests/minute limit admits exactly 10 across both instances', async () => {
    const fake = await upstream();
    const [a, b] = twoInstances(fake, { limits: { perProvider: { rpm: 10 }, queueTimeoutMs: 0 } });
    const responses = await Promise.all(
      Array.from({ length: 24 }, (_, i) => (i % 2 ? a : b).handler(chatRequest({ model: 'mistral:mistral-small-latest', messages, stream: false }))),
    );
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(14);
    const limited = responses.find((r) => r.status === 429) as Response;
    expect(ErrorBodySchema.parse(await limited.json()).error.code).toBe('rate_limited');
    expect(limited.headers.get('x-ratelimit-limit')).toBe('10');
    expect(fake.requests).toHaveLength(10);
  });

  it('a $1 daily budget is never overspent by more than one request’s cost', async () => {
    const fake = await upstream();
    // The streamed recording bills 8 output tokens; at $37,500 per 1M that is $0.30 a call.
    const pricing = { 'mistral:mistral-small-latest': { input: 0, output: 37_500 } };
    const [a, b] = twoInstances(fake, { quotas: { daily: { costUsd: 1 } }, pricing });
    const spent: number[] = [];
    const outcomes = await Promise.all(
      Array.from({ length: 12 }, async (_, i) => {
        try {
          const events = await collect(await (i % 2 ? a : b).chat({ model: 'mistral:mistral-small-latest', messages, options: { maxTokens: 8 } }));
          const finish = events.at(-1);
          if (finish?.type === 'finish') spent.push(finish.cost?.total ?? 0);
          return 'ok';
        } catch (error) {
          return (error as { code?: string }).code;
        }
      }),
    );
    const total = spent.reduce((sum, cost) => sum + cost, 0);
    expect(spent.length).toBeGreaterThanOrEqual(3);
    expect(total).toBeLessThanOrEqual(1 + 0.3 + 1e-9);
    expect(outcomes.filter((o) => o === 'quota_exceeded').length).toBe(12 - spent.length);
  });

  it('one owner exhausting their quota does not limit another', async () => {
    const fake = await upstream();
    const [a, b] = twoInstances(fake, { quotas: { daily: { tokens: 30 } } });
    const as = (aiu: Aiu, userId: string) => aiu.chat({ model: 'mistral:mistral-small-latest', messages, options: { maxTokens: 8 }, identity: { userId } }).then(collect);
    await as(a, 'alice');
    await expect(as(b, 'alice')).rejects.toMatchObject({ code: 'quota_exceeded' });
    await expect(as(b, 'bob')).resolves.toBeTruthy();
  });

  it('a circuit opened by one instance is open for the other', async () => {
    const fake = await upstream();
    fake.set({ error: { status: 500, body: { error: { message: 'down' } } } });
    const [a, b] = twoInstances(fake, { breaker: { failureThreshold: 2 } });
    for (const aiu of [a, b]) await expect(aiu.chat({ model: 'mistral:mistral-small-latest', messages })).rejects.toMatchObject({ code: 'upstream_error' });
    await expect(a.chat({ model: 'mistral:mistral-small-latest', messages })).rejects.toThrow(/circuit/);
    expect(fake.requests).toHaveLength(2);
    const health = (await (await b.handler(new Request('http://localhost/health'))).json()) as { state: string; providers: { mistral: { models: Record<string, { state: string }> } } };
    expect(health.state).toBe('redis');
    expect(health.providers.mistral.models['mistral:mistral-small-latest']?.state).toBe('open');
  });
});

describe.skipIf(!redisReady)('redis breaker state', () => {
  it('an update that changes nothing (a call admitted through a closed circuit) only reads: one round trip, no write', async () => {
    const { prefix, cleanup: drop } = redisTestPrefix();
    cleanup.push(drop);
    const state = redisState({ url: REDIS_URL, prefix });
    cleanup.push(async () => state.close?.());
    const config = breakerConfig();
    await state.breakerUpdate('breaker:y', (s) => ({ next: record(s, true, Date.now(), config), result: undefined }));
    const client = new Redis(REDIS_URL);
    cleanup.push(async () => client.disconnect());
    const stored = () => client.get(`${prefix}breaker:y`);
    const before = await stored();
    expect(await state.breakerUpdate('breaker:y', (s) => admit(s, Date.now(), config))).toBe('pass');
    expect(await stored()).toBe(before);
  });
});
