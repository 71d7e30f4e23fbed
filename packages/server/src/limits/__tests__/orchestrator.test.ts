import { type ChatEvent, ErrorBodySchema } from '@aiu/core';
import { startFakeUpstream, type FakeUpstream } from '@aiu/testing';
import { getEventListeners } from 'node:events';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { chatRequest, parseSse, TEST_KEY } from '../../../test/helpers';
import { type Aiu, type AiuOptions, createAiu } from '../../createAiu';
import { memoryStore } from '../../stores/memory';
import { memoryState, type StateBackend } from '../state';

const messages = [{ role: 'user' as const, content: 'hi' }];

let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  vi.useRealTimers();
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

async function upstream(behaviour: Parameters<typeof startFakeUpstream>[0] = {}): Promise<FakeUpstream> {
  const fake = await startFakeUpstream(behaviour);
  cleanup.push(() => fake.close());
  return fake;
}

/** openai and mistral on (possibly different) fake upstreams. */
function aiuWith(primary: FakeUpstream, options: Partial<AiuOptions> = {}, secondary = primary): Aiu {
  const aiu = createAiu({
    store: memoryStore(),
    env: {},
    logger: { warn() {} },
    keyring: false,
    providers: {
      openai: { baseURL: `${primary.url}/v1`, apiKey: TEST_KEY },
      mistral: { baseURL: `${secondary.url}/v1`, apiKey: TEST_KEY },
    },
    retries: { baseDelayMs: 10, maxDelayMs: 50 },
    ...options,
  });
  cleanup.push(() => aiu.close());
  return aiu;
}

async function collect(stream: AsyncIterable<ChatEvent>): Promise<ChatEvent[]> {
  const events: ChatEvent[] = [];
  for await (const event of stream) events.push(event);
  return events;
}

async function lastEntry(aiu: Aiu) {
  await aiu.flush();
  const [entry] = await (await aiu.store()).listLogs({ limit: 1 });
  return entry;
}

describe('retries', () => {
  it('retries a 429 after the Retry-After it names, then succeeds; both attempts are logged', async () => {
    const fake = await upstream({ error: { status: 429, body: { error: { message: 'slow down' } }, headers: { 'retry-after': '1' } }, errorTimes: 1 });
    const aiu = aiuWith(fake);
    const retries: unknown[] = [];
    aiu.on('request:retry', (event) => retries.push(event));
    const events = await collect(await aiu.chat({ model: 'openai:gpt-4.1-nano', messages }));
    expect(events.at(-1)?.type).toBe('finish');
    expect(fake.requests).toHaveLength(2);
    expect((fake.requests[1]?.receivedAt ?? 0) - (fake.requests[0]?.receivedAt ?? 0)).toBeGreaterThanOrEqual(1000);
    expect(retries).toEqual([expect.objectContaining({ model: 'openai:gpt-4.1-nano', attempt: 1, delayMs: 1000, error: expect.objectContaining({ code: 'rate_limited' }) })]);
    const entry = await lastEntry(aiu);
    expect(entry?.attempts).toBe(2);
    expect(JSON.parse(entry?.attemptDetails ?? '[]')).toEqual([
      expect.objectContaining({ model: 'openai:gpt-4.1-nano', outcome: 'error', code: 'rate_limited' }),
      expect.objectContaining({ model: 'openai:gpt-4.1-nano', outcome: 'success', code: null }),
    ]);
  });

  it('gives up after maxAttempts and answers with the last error', async () => {
    const fake = await upstream({ error: { status: 503, body: { error: { message: 'overloaded' } } } });
    const aiu = aiuWith(fake, { retries: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 10 } });
    const response = await aiu.handler(chatRequest({ model: 'openai:gpt-4.1-nano', messages }));
    expect(response.status).toBe(502);
    expect(ErrorBodySchema.parse(await response.json()).error.code).toBe('upstream_error');
    expect(fake.requests).toHaveLength(3);
    expect((await lastEntry(aiu))?.attempts).toBe(3);
  });

  it('never retries a request the provider rejected as bad', async () => {
    const fake = await upstream({ error: { status: 400, fixture: 'openai/reasoning-model-legacy-parameter-error' } });
    const aiu = aiuWith(fake);
    await expect(aiu.chat({ model: 'openai:o3', messages })).rejects.toMatchObject({ code: 'bad_request' });
    expect(fake.requests).toHaveLength(1);
  });

  it('does not retry once bytes went to the client: a cut stream ends in stream_truncated, logged with partial usage', async () => {
    const fake = await upstream({ cutAfterChunks: 30 });
    const aiu = aiuWith(fake, { retries: { maxAttempts: 5 } });
    const events = await collect(await aiu.chat({ model: 'openai:gpt-4.1-nano', messages }));
    expect(events.filter((e) => e.type === 'delta').length).toBeGreaterThan(0);
    expect(events.at(-1)).toMatchObject({ type: 'error', code: 'stream_truncated' });
    expect(fake.requests).toHaveLength(1);
    const entry = await lastEntry(aiu);
    expect(entry).toMatchObject({ status: 'error', errorCode: 'stream_truncated', attempts: 1, estimated: true });
    expect(entry?.outputTokens).toBeGreaterThan(0);
  });
});

describe('fallback', () => {
  it('falls back to the second model on a retryable failure; start and log name the model that answered', async () => {
    const fake = await upstream({ error: { status: 500, body: { error: { message: 'boom' } } }, errorTimes: 1 });
    const aiu = aiuWith(fake, { retries: { maxAttempts: 1 } });
    const fallbacks: unknown[] = [];
    aiu.on('request:fallback', (event) => fallbacks.push(event));
    const events = await collect(await aiu.chat({ model: ['openai:gpt-4.1-nano', 'mistral:mistral-small-latest'], messages }));
    expect(events[0]).toMatchObject({ type: 'start', model: 'mistral:mistral-small-latest', provider: 'mistral' });
    expect(events.at(-1)?.type).toBe('finish');
    expect(fallbacks).toEqual([expect.objectContaining({ from: 'openai:gpt-4.1-nano', to: 'mistral:mistral-small-latest', reason: 'upstream_error' })]);
    expect(await lastEntry(aiu)).toMatchObject({ model: 'mistral:mistral-small-latest', provider: 'mistral', status: 'success', attempts: 2 });
  });

  it('resolves a named route from createAiu({ routes })', async () => {
    const fake = await upstream({ error: { status: 502, body: 'bad gateway' }, errorTimes: 1 });
    const aiu = aiuWith(fake, { retries: { maxAttempts: 1 }, routes: { smart: ['openai:gpt-4.1-nano', 'mistral:mistral-small-latest'] } });
    const response = await aiu.handler(chatRequest({ model: 'smart', messages, stream: false }));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ model: 'mistral:mistral-small-latest' });
  });

  it('falls back when the first token is too slow, and closes the slow connection', async () => {
    const slow = await upstream({ firstChunkDelayMs: 5_000 });
    const fast = await upstream();
    const aiu = aiuWith(slow, { timeouts: { firstTokenMs: 150 }, retries: { maxAttempts: 1 } }, fast);
    const events = await collect(await aiu.chat({ model: ['openai:gpt-4.1-nano', 'mistral:mistral-small-latest'], messages }));
    expect(events[0]).toMatchObject({ type: 'start', model: 'mistral:mistral-small-latest' });
    expect(events.at(-1)?.type).toBe('finish');
    await slow.waitForClientClose(0, 2000);
    const entry = await lastEntry(aiu);
    expect(JSON.parse(entry?.attemptDetails ?? '[]')[0]).toMatchObject({ model: 'openai:gpt-4.1-nano', code: 'upstream_timeout' });
  });

  it('falls back when the response headers are too slow (connect timeout)', async () => {
    const slow = await upstream({ firstByteDelayMs: 5_000 });
    const fast = await upstream();
    const aiu = aiuWith(slow, { timeouts: { connectMs: 150 }, retries: { maxAttempts: 1 } }, fast);
    const events = await collect(await aiu.chat({ model: ['openai:gpt-4.1-nano', 'mistral:mistral-small-latest'], messages }));
    expect(events[0]).toMatchObject({ type: 'start', model: 'mistral:mistral-small-latest' });
  });

  it('ends a call that outlives its total timeout with upstream_timeout', async () => {
    const slow = await upstream({ fixture: 'openai-compatible/mistral-text', chunkDelayMs: 200 });
    const aiu = aiuWith(slow, { timeouts: { totalMs: 300 } });
    const events = await collect(await aiu.chat({ model: 'openai:m', messages }));
    expect(events.at(-1)).toMatchObject({ type: 'error', code: 'upstream_timeout' });
    expect((await lastEntry(aiu))?.errorCode).toBe('upstream_timeout');
  });
});

describe('cancellation', () => {
  it('stops listening to a caller’s signal when the call ends, so one signal can serve any number of calls', async () => {
    const fake = await upstream();
    const aiu = aiuWith(fake);
    const shared = new AbortController();
    for (let i = 0; i < 5; i++) {
      await collect(await aiu.chat({ model: 'openai:gpt-4.1-nano', messages, signal: shared.signal }));
      await aiu.chat({ model: 'openai:gpt-4.1-nano', messages, stream: false, signal: shared.signal });
    }
    await expect(aiu.chat({ model: 'nobody:model', messages, stream: false, signal: shared.signal })).rejects.toMatchObject({ code: 'unknown_provider' });
    expect(getEventListeners(shared.signal, 'abort')).toHaveLength(0);
  });

  it('still aborts a call in flight when the caller’s signal fires', async () => {
    const fake = await upstream({ chunkDelayMs: 20 });
    const aiu = aiuWith(fake);
    const controller = new AbortController();
    const seen: string[] = [];
    for await (const event of await aiu.chat({ model: 'openai:gpt-4.1-nano', messages, signal: controller.signal })) {
      seen.push(event.type);
      if (seen.length === 3) controller.abort();
    }
    expect(seen.at(-1)).not.toBe('finish');
    expect(await fake.waitForClientClose(0)).toBeGreaterThan(0);
    expect((await lastEntry(aiu))?.status).toBe('aborted');
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});

describe('circuit breaker', () => {
  it('opens after a 5xx storm, skips the model while open, and a successful probe closes it', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    const fake = await upstream({ error: { status: 500, body: { error: { message: 'down' } } } });
    const aiu = aiuWith(fake, { retries: { maxAttempts: 1 }, breaker: { failureThreshold: 3, cooldownMs: 30_000 } });
    for (let i = 0; i < 3; i++) await expect(aiu.chat({ model: 'openai:gpt-4.1-nano', messages })).rejects.toMatchObject({ code: 'upstream_error' });
    expect(fake.requests).toHaveLength(3);

    // Open: the model is not even asked.
    await expect(aiu.chat({ model: 'openai:gpt-4.1-nano', messages })).rejects.toMatchObject({ code: 'upstream_error', message: expect.stringContaining('circuit') });
    expect(fake.requests).toHaveLength(3);
    const health = (await (await aiu.handler(new Request('http://localhost/health'))).json()) as { providers: Record<string, { circuit: string; models: Record<string, { state: string }> }> };
    expect(health.providers.openai?.circuit).toBe('degraded');
    expect(health.providers.openai?.models['openai:gpt-4.1-nano']?.state).toBe('open');

    // An open circuit falls back at once.
    const fallback = await aiu.chat({ model: ['openai:gpt-4.1-nano', 'mistral:mistral-small-latest'], messages, stream: false }).catch((e: unknown) => e);
    expect(fallback).toMatchObject({ code: 'upstream_error' });

    // After the cool-down one probe goes through; it succeeds and closes the circuit.
    fake.set({ error: undefined });
    vi.setSystemTime(Date.now() + 31_000);
    const probe = await aiu.chat({ model: 'openai:gpt-4.1-nano', messages, stream: false });
    expect(probe.text.length).toBeGreaterThan(0);
    const after = (await (await aiu.handler(new Request('http://localhost/health'))).json()) as { providers: Record<string, { models: Record<string, { state: string }> }> };
    expect(after.providers.openai?.models['openai:gpt-4.1-nano']?.state).toBe('closed');
  });
});

describe('concurrency', () => {
  it('keeps 200 parallel calls to maxConcurrency 4 upstream connections, in FIFO order, all completing', async () => {
    const fake = await upstream({ fixture: 'openai-compatible/mistral-text', chunkDelayMs: 3 });
    const aiu = aiuWith(fake, { limits: { providers: { openai: { maxConcurrency: 4 } }, queueTimeoutMs: 60_000 } });
    // Slot grants, in the order they happened (calls that waited report when they got theirs).
    const granted: string[] = [];
    const indexOf = new Map<string, number>();
    aiu.on('request:limited', (event) => event.scope === 'concurrency' && granted.push(event.requestId));
    aiu.on('request:success', (event) => indexOf.set(event.requestId, Number(event.request.messages[0]?.content.slice(1))));
    const results = await Promise.allSettled(
      Array.from({ length: 200 }, (_, i) =>
        aiu.chat({ model: 'openai:m', messages: [{ role: 'user', content: `#${i}` }] }).then(collect),
      ),
    );
    expect(results.every((r) => r.status === 'fulfilled' && r.value.at(-1)?.type === 'finish')).toBe(true);
    expect(fake.connections.max).toBe(4);
    expect(fake.requests).toHaveLength(200);
    // Every call that had to wait (at least the 196 beyond the first four) got its slot first come, first served.
    const order = granted.map((id) => indexOf.get(id) as number);
    expect(order.length).toBeGreaterThanOrEqual(196);
    expect(order).toEqual([...order].sort((a, b) => a - b));
    await aiu.flush();
    const logged = await (await aiu.store()).listLogs({ limit: 500 });
    expect(logged).toHaveLength(200);
    expect(logged.some((entry) => entry.queueMs > 0)).toBe(true);
  });

  it('frees the slot when a waiting call is aborted, and when a call fails', async () => {
    const fake = await upstream({ fixture: 'openai-compatible/mistral-text', chunkDelayMs: 30 });
    const aiu = aiuWith(fake, { limits: { providers: { openai: { maxConcurrency: 1 } } } });
    const first = aiu.chat({ model: 'openai:m', messages }).then(collect);
    const waiting = new AbortController();
    const second = aiu.chat({ model: 'openai:m', messages, signal: waiting.signal }).then(collect);
    waiting.abort();
    await expect(second).rejects.toMatchObject({ code: 'aborted' });
    await first;
    fake.set({ error: { status: 400, body: { error: { message: 'bad' } } }, errorTimes: 1 });
    await expect(aiu.chat({ model: 'openai:m', messages })).rejects.toMatchObject({ code: 'bad_request' });
    const third = await collect(await aiu.chat({ model: 'openai:m', messages }));
    expect(third.at(-1)?.type).toBe('finish');
  });
});

describe('rate limits', () => {
  it('answers 429 rate_limited with Retry-After and X-RateLimit-* once rpm is used up', async () => {
    const fake = await upstream({ fixture: 'openai-compatible/mistral-text' });
    const aiu = aiuWith(fake, { limits: { perProvider: { rpm: 2 }, queueTimeoutMs: 0 } });
    for (let i = 0; i < 2; i++) expect((await aiu.handler(chatRequest({ model: 'openai:m', messages, stream: false }))).status).toBe(200);
    const limited = await aiu.handler(chatRequest({ model: 'openai:m', messages, stream: false }));
    expect(limited.status).toBe(429);
    expect(ErrorBodySchema.parse(await limited.json()).error.code).toBe('rate_limited');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(limited.headers.get('x-ratelimit-limit')).toBe('2');
    expect(limited.headers.get('x-ratelimit-remaining')).toBe('0');
    expect(Number(limited.headers.get('x-ratelimit-reset'))).toBeGreaterThan(0);
    expect(fake.requests).toHaveLength(2);
  });

  it('counts estimated tokens against tpm and reconciles them with real usage', async () => {
    const fake = await upstream({ fixture: 'openai-compatible/mistral-text' });
    // The recording uses 21 tokens; the estimate (maxTokens 1,000) would not fit twice into 1,500.
    const aiu = aiuWith(fake, { limits: { perProvider: { tpm: 1_500 }, queueTimeoutMs: 0 } });
    for (let i = 0; i < 3; i++) {
      const events = await collect(await aiu.chat({ model: 'openai:m', messages, options: { maxTokens: 1_000 } }));
      expect(events.at(-1)).toMatchObject({ type: 'finish', usage: { totalTokens: 21 } });
    }
    await expect(aiu.chat({ model: 'openai:m', messages, options: { maxTokens: 2_000 } })).rejects.toMatchObject({ code: 'rate_limited' });
  });
});

describe('quotas', () => {
  it('refuses an owner over budget with 429 quota_exceeded and the reset time; another owner is unaffected', async () => {
    const fake = await upstream({ fixture: 'openai-compatible/mistral-text' });
    const aiu = aiuWith(fake, {
      quotas: { daily: { tokens: 50 } },
      identify: (request) => ({ userId: request.headers.get('x-user') }),
    });
    const ask = async (user: string) => {
      const response = await aiu.handler(chatRequest({ model: 'openai:m', messages, options: { maxTokens: 10 } }, { headers: { 'content-type': 'application/json', 'x-user': user } }));
      if (response.status === 200) expect(parseSse(await response.text()).events.at(-1)?.event).toBe('finish');
      return response;
    };
    // Each call reserves 15 estimated tokens and is charged its real 21: 21, 42, then 42 + 15 > 50.
    const statuses: number[] = [];
    for (let i = 0; i < 2; i++) statuses.push((await ask('a')).status);
    expect(statuses).toEqual([200, 200]);
    const refused = await ask('a');
    expect(refused.status).toBe(429);
    const body = ErrorBodySchema.parse(await refused.json());
    expect(body.error.code).toBe('quota_exceeded');
    expect(body.error.details).toMatchObject({ period: 'daily', unit: 'tokens', resetAt: expect.stringMatching(/T00:00:00.000Z$/) });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
    expect((await ask('b')).status).toBe(200);
  });
});

describe('events and tracing', () => {
  it('reports start, success and error, and spans with OpenTelemetry’s shape', async () => {
    const fake = await upstream({ fixture: 'openai-compatible/mistral-text' });
    const spans: Array<{ name: string; attributes: Record<string, unknown>; status?: { code: number }; ended: boolean; events: string[] }> = [];
    const aiu = aiuWith(fake, {
      tracer: {
        startSpan(name, options) {
          const span = { name, attributes: { ...options?.attributes } as Record<string, unknown>, status: undefined as { code: number } | undefined, ended: false, events: [] as string[] };
          spans.push(span);
          return {
            setAttribute: (key: string, value: unknown) => void (span.attributes[key] = value),
            addEvent: (event: string) => void span.events.push(event),
            recordException: () => undefined,
            setStatus: (status: { code: number }) => void (span.status = status),
            end: () => void (span.ended = true),
          };
        },
      },
    });
    const seen: string[] = [];
    aiu.on('request:start', () => seen.push('start'));
    aiu.on('request:success', () => seen.push('success'));
    aiu.on('request:error', () => seen.push('error'));
    await aiu.chat({ model: 'openai:m', messages, stream: false });
    fake.set({ error: { status: 400, body: { error: { message: 'no' } } } });
    await aiu.chat({ model: 'openai:m', messages, stream: false }).catch(() => undefined);
    expect(seen).toEqual(['start', 'success', 'error']);
    expect(spans.map((s) => [s.name, s.status?.code, s.ended, s.attributes['aiu.model']])).toEqual([
      ['aiu.chat', 1, true, 'openai:m'],
      ['aiu.chat', 2, true, 'openai:m'],
    ]);
  });
});

describe('bookkeeping after a successful call', () => {
  /** Memory state whose breaker records (not admissions) wait until released, or fail. */
  function slowRecords(failWith?: Error) {
    const inner = memoryState();
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const records: string[] = [];
    const state: StateBackend = {
      ...inner,
      async breakerUpdate(key, update) {
        // An admission answers 'pass' | 'probe' | 'open'; a record answers nothing.
        const probe = update({ state: 'closed', consecutiveFailures: 0, successes: 0, failures: 0, windowStart: 0, openedAt: null, probeStartedAt: null });
        if (probe.result !== undefined) return inner.breakerUpdate(key, update);
        await released;
        if (failWith) throw failWith;
        records.push(key);
        return inner.breakerUpdate(key, update);
      },
    };
    return { state, release, records };
  }

  it('answers without waiting for the breaker and rate bookkeeping, and close() waits for it', async () => {
    const fake = await upstream();
    const slow = slowRecords();
    const aiu = aiuWith(fake, { state: slow.state });
    const result = await aiu.chat({ model: 'openai:gpt-4.1-nano', messages, stream: false });
    expect(result.text.length).toBeGreaterThan(0);
    const events = await collect(await aiu.chat({ model: 'openai:gpt-4.1-nano', messages }));
    expect(events.at(-1)?.type).toBe('finish');
    expect(slow.records).toHaveLength(0);
    let closed = false;
    const closing = aiu.close({ timeoutMs: 5_000 }).then(() => (closed = true));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(false);
    slow.release();
    await closing;
    expect(slow.records).toEqual(['breaker:openai:gpt-4.1-nano', 'breaker:openai:gpt-4.1-nano']);
  });

  it('keeps the answer when the bookkeeping fails, and says so in a warning', async () => {
    const fake = await upstream();
    const slow = slowRecords(new Error('state backend down'));
    slow.release();
    const warn = vi.fn();
    const aiu = aiuWith(fake, { state: slow.state, logger: { warn } });
    const result = await aiu.chat({ model: 'openai:gpt-4.1-nano', messages, stream: false });
    expect(result.text.length).toBeGreaterThan(0);
    await aiu.flush();
    expect((await lastEntry(aiu))?.status).toBe('success');
    await aiu.close();
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('state backend down'));
  });
});
