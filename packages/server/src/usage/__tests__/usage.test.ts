import { ModelComparisonSchema, type UsageReport, UsageReportSchema } from '@aiu/core';
import { afterAll, describe, expect, it } from 'vitest';
import { storeMatrix } from '../../../test/postgres';
import { createAiu } from '../../createAiu';
import type { LogRecord } from '../../log/types';
import { rollupDeltas } from '../../log/rollup';
import { comparableRollups, EVERY_SLOT, summedOverUsers } from '../../../test/rollups';
import { memoryStore } from '../../stores/memory';
import type { AiuStore } from '../../stores/types';

/** A small seeded PRNG, so a failing case can be reproduced. */
function random(seed: number) {
  let state = seed >>> 0;
  return () => {
    state = (state * 1664525 + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
}

const MODELS = [['openai', 'openai:gpt-4o-mini'], ['anthropic', 'anthropic:claude-sonnet-4-5'], ['google', 'google:gemini-2.5-flash']] as const;
const STATUSES = ['success', 'success', 'success', 'error', 'aborted'] as const;

/** Random log records over [from, to): prices sometimes unknown, TTFT sometimes missing. */
function randomLogs(count: number, from: number, to: number, seed: number): LogRecord[] {
  const next = random(seed);
  const pick = <T,>(items: readonly T[]) => items[Math.floor(next() * items.length)] as T;
  return Array.from({ length: count }, (_, i) => {
    const [provider, model] = pick(MODELS);
    const input = Math.floor(next() * 5000);
    const cached = Math.floor(next() * input);
    const output = Math.floor(next() * 2000);
    const priced = next() > 0.15;
    const cost = priced ? Math.round(next() * 1e6) / 1e8 : null;
    return {
      id: `req_${seed}_${String(i).padStart(6, '0')}`,
      time: Math.floor(from + next() * (to - from)),
      userId: pick(['u1', 'u2', null]),
      projectId: null,
      provider,
      model,
      status: pick(STATUSES),
      errorCode: null,
      attempts: 1,
      inputTokens: input,
      outputTokens: output,
      cachedInputTokens: cached,
      cacheWriteTokens: 0,
      reasoningTokens: Math.floor(output / 3),
      totalTokens: input + output,
      estimated: false,
      costInput: cost,
      costOutput: cost === null ? null : 0,
      costTotal: cost,
      latencyMs: Math.round(20 + next() * next() * 8000),
      ttftMs: next() > 0.2 ? Math.round(5 + next() * 900) : null,
      queueMs: 0,
      attemptDetails: null,
      savedUsd: priced ? Math.round(next() * 1e5) / 1e8 : 0,
      prompt: null,
      response: null,
      metadata: null,
    };
  });
}

/** Nearest-rank percentile, exactly. */
function exactPercentile(values: number[], p: number): number | null {
  if (!values.length) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1] as number;
}

/** The local calendar label of an instant, by Intl alone (independent of the code under test). */
function localLabel(instant: number, tz: string, granularity: 'day' | 'month'): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone: tz, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(instant));
  return granularity === 'day' ? parts : parts.slice(0, 7);
}

function brute(records: LogRecord[]) {
  const latencies = records.map((r) => r.latencyMs);
  const ttfts = records.flatMap((r) => (r.ttftMs === null ? [] : [r.ttftMs]));
  const sum = (f: (r: LogRecord) => number) => records.reduce((total, r) => total + f(r), 0);
  return {
    requests: records.length,
    errors: records.filter((r) => r.status === 'error').length,
    inputTokens: sum((r) => r.inputTokens),
    outputTokens: sum((r) => r.outputTokens),
    cachedInputTokens: sum((r) => r.cachedInputTokens),
    reasoningTokens: sum((r) => r.reasoningTokens),
    cost: sum((r) => r.costTotal ?? 0),
    unpricedRequests: records.filter((r) => r.costTotal === null).length,
    savedByCache: sum((r) => r.savedUsd),
    latencyMean: records.length ? sum((r) => r.latencyMs) / records.length : null,
    p50: exactPercentile(latencies, 0.5),
    p95: exactPercentile(latencies, 0.95),
    ttft50: exactPercentile(ttfts, 0.5),
  };
}

function expectStats(actual: UsageReport['totals'] | undefined, records: LogRecord[]): void {
  const want = brute(records);
  expect(actual?.requests).toBe(want.requests);
  expect(actual?.errors).toBe(want.errors);
  expect(actual?.inputTokens).toBe(want.inputTokens);
  expect(actual?.outputTokens).toBe(want.outputTokens);
  expect(actual?.cachedInputTokens).toBe(want.cachedInputTokens);
  expect(actual?.reasoningTokens).toBe(want.reasoningTokens);
  expect(actual?.unpricedRequests).toBe(want.unpricedRequests);
  expect(Math.abs((actual?.cost ?? 0) - want.cost)).toBeLessThan(1e-9);
  expect(Math.abs((actual?.savedByCache ?? 0) - want.savedByCache)).toBeLessThan(1e-9);
  if (want.latencyMean === null) expect(actual?.latencyMeanMs ?? null).toBeNull();
  else expect(Math.abs((actual?.latencyMeanMs ?? 0) - want.latencyMean)).toBeLessThanOrEqual(0.006);
  // Percentiles come from 2% histogram bins: never below exact, at most 2% above.
  for (const [got, exact] of [[actual?.latencyP50Ms, want.p50], [actual?.latencyP95Ms, want.p95], [actual?.ttftP50Ms, want.ttft50]] as const) {
    if (exact === null) expect(got ?? null).toBeNull();
    else {
      expect(got).toBeGreaterThanOrEqual(exact - 0.01);
      expect(got).toBeLessThanOrEqual(Math.max(exact * 1.02, 1) + 0.01);
    }
  }
}

async function report(store: AiuStore, query: string) {
  const aiu = createAiu({ store, env: {}, logger: { warn() {} }, keyring: false });
  const response = await aiu.handler(new Request(`http://localhost/usage?${query}`), { clientAddress: '127.0.0.1' });
  expect(response.status).toBe(200);
  return UsageReportSchema.parse(await response.json());
}

// Three weeks around the end of DST in Europe (25 Oct 2026) and the US (1 Nov 2026).
const FROM = Date.parse('2026-10-20T00:00:00Z');
const TO = Date.parse('2026-11-10T00:00:00Z');

describe('GET /usage against a brute-force reference (random logs, several zones, a DST change)', () => {
  const cases = [
    { tz: 'UTC', granularity: 'day', groupBy: 'model', seed: 1 },
    { tz: 'Europe/Berlin', granularity: 'day', groupBy: 'provider', seed: 2 },
    { tz: 'America/New_York', granularity: 'day', groupBy: 'status', seed: 3 },
    { tz: 'Asia/Kolkata', granularity: 'day', groupBy: 'user', seed: 4 },
    { tz: 'America/New_York', granularity: 'hour', groupBy: 'model', seed: 5 },
    { tz: 'Europe/Berlin', granularity: 'month', groupBy: 'model', seed: 6 },
    { tz: 'Australia/Adelaide', granularity: 'week', groupBy: 'model', seed: 7 },
  ] as const;

  it.each(cases)('$tz, $granularity, by $groupBy', async ({ tz, granularity, groupBy, seed }) => {
    const from = granularity === 'hour' ? Date.parse('2026-11-01T00:00:00Z') : FROM;
    const to = granularity === 'hour' ? Date.parse('2026-11-02T12:00:00Z') : TO;
    const logs = randomLogs(3000, from - 3 * 86_400_000, to + 3 * 86_400_000, seed);
    const store = memoryStore();
    await store.init();
    await store.insertLogs(logs);
    const result = await report(store, new URLSearchParams({ from: new Date(from).toISOString(), to: new Date(to).toISOString(), granularity, groupBy, tz }).toString());

    // Gap-filled: consecutive buckets, each ending where the next starts.
    for (let i = 1; i < result.buckets.length; i++) expect(Date.parse(result.buckets[i]?.start ?? '')).toBe(Date.parse(result.buckets[i - 1]?.end ?? ''));
    const rangeStart = Date.parse(result.buckets[0]?.start ?? '');
    const rangeEnd = Date.parse(result.buckets.at(-1)?.end ?? '');
    const inRange = logs.filter((r) => r.time >= rangeStart && r.time < rangeEnd);
    expectStats(result.totals, inRange);

    const labelOf = new Map(
      granularity === 'day' || granularity === 'month' ? inRange.map((r) => [r.id, localLabel(r.time, tz, granularity)]) : [],
    );
    for (const bucket of result.buckets) {
      const start = Date.parse(bucket.start);
      const end = Date.parse(bucket.end);
      const label = granularity === 'day' || granularity === 'month' ? localLabel(start, tz, granularity) : null;
      // Days and months are checked by their local calendar label; hours and weeks by their span.
      const members = inRange.filter((r) => (label ? labelOf.get(r.id) === label : r.time >= start && r.time < end));
      const keyOf = (r: LogRecord) => (groupBy === 'user' ? (r.userId ?? 'anonymous') : groupBy === 'model' ? r.model : groupBy === 'provider' ? r.provider : r.status);
      const keys = new Set(members.map(keyOf));
      expect(Object.keys(bucket.groups).sort()).toEqual([...keys].sort());
      for (const key of keys) expectStats(bucket.groups[key], members.filter((r) => keyOf(r) === key));
    }
  });

  it('compares models side by side', async () => {
    const logs = randomLogs(2000, FROM, TO, 9);
    const store = memoryStore();
    await store.init();
    await store.insertLogs(logs);
    const aiu = createAiu({ store, env: {}, logger: { warn() {} }, keyring: false });
    const response = await aiu.handler(new Request(`http://localhost/usage?view=compare&from=${new Date(FROM).toISOString()}&to=${new Date(TO).toISOString()}`), { clientAddress: '127.0.0.1' });
    const { models } = ModelComparisonSchema.parse(await response.json());
    expect(models.map((m) => m.model).sort()).toEqual(MODELS.map(([, m]) => m).sort());
    for (const row of models) {
      const mine = logs.filter((r) => r.model === row.model);
      const priced = mine.filter((r) => r.costTotal !== null);
      expect(row.requests).toBe(mine.length);
      expect(row.errorRate).toBeCloseTo(mine.filter((r) => r.status === 'error').length / mine.length, 12);
      expect(row.meanCost).toBeCloseTo(priced.reduce((t, r) => t + (r.costTotal ?? 0), 0) / priced.length, 12);
    }
  });

  it('rejects a bad zone, a reversed range and too many buckets with 400', async () => {
    const store = memoryStore();
    const aiu = createAiu({ store, env: {}, logger: { warn() {} }, keyring: false });
    for (const query of ['tz=Nowhere/Else', 'from=2026-02-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'granularity=hour&from=2020-01-01T00:00:00Z&to=2026-01-01T00:00:00Z', 'granularity=minute']) {
      expect((await aiu.handler(new Request(`http://localhost/usage?${query}`), { clientAddress: '127.0.0.1' })).status).toBe(400);
    }
  });
});

const matrix = await storeMatrix({ memory: false });
afterAll(() => matrix.dispose());

describe.each(matrix.stores)('rollups on %s', (_kind, make) => {
  it('match the raw rows, batch after batch', async () => {
    const store = make();
    await store.init();
    const logs = randomLogs(2500, FROM, TO, 11);
    for (let i = 0; i < logs.length; i += 400) await store.insertLogs(logs.slice(i, i + 400));
    const raw = await store.listLogs({ limit: 10_000 });
    expect(raw).toHaveLength(logs.length);
    const expected = rollupDeltas(raw);
    const actual = await store.usageRollups(EVERY_SLOT);
    expect(actual.length).toBeGreaterThan(0);
    expect(comparableRollups(actual)).toEqual(comparableRollups(expected));
    // A hint: both stores sum over users in the database (histogram text concatenated), which
    // must equal summing the rows here.
    const acrossUsers = await store.usageRollups({ ...EVERY_SLOT, acrossUsers: true });
    expect(comparableRollups(acrossUsers)).toEqual(comparableRollups(summedOverUsers(expected)));

    const usage = await report(store, `from=${new Date(FROM).toISOString()}&to=${new Date(TO).toISOString()}&groupBy=model`);
    expectStats(usage.totals, logs);
    // The report from stored rollups must equal the one built from raw rows.
    const reference = memoryStore();
    await reference.init();
    await reference.insertLogs(logs);
    for (const query of ['groupBy=model&tz=Europe/Berlin', 'groupBy=provider&tz=Asia/Kathmandu', 'groupBy=model&tz=Asia/Kolkata&granularity=hour&from=2026-10-25T00:00:00Z&to=2026-10-27T00:00:00Z', 'groupBy=user&granularity=week', 'groupBy=status&granularity=hour&from=2026-10-25T00:00:00Z&to=2026-10-26T00:00:00Z', 'view=compare']) {
      const range = query.includes('from=') ? '' : `&from=${new Date(FROM).toISOString()}&to=${new Date(TO).toISOString()}`;
      const aiuSql = createAiu({ store, env: {}, logger: { warn() {} }, keyring: false });
      const aiuRef = createAiu({ store: reference, env: {}, logger: { warn() {} }, keyring: false });
      const [fromSql, fromRaw] = await Promise.all([aiuSql, aiuRef].map(async (aiu) => (await aiu.handler(new Request(`http://localhost/usage?${query}${range}`), { clientAddress: '127.0.0.1' })).json()));
      expect(fromSql).toEqual(fromRaw);
    }
    await store.close();
  });
});
