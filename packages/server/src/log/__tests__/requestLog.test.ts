import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LogEntry, LogPageSchema } from '@aiu/core';
import { startFakeUpstream } from '@aiu/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { chatRequest, TEST_KEY } from '../../../test/helpers';
import { createAiu } from '../../createAiu';
import { memoryStore } from '../../stores/memory';
import { sqliteStore } from '../../stores/sqlite';
import type { LogRecord } from '../types';

let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
});

function record(id: string, time: number, metadata: unknown = null): LogRecord {
  return {
    id, time, userId: null, projectId: null, provider: 'openai', model: 'openai:gpt-4o-mini', status: 'success', errorCode: null, attempts: 1,
    inputTokens: 10, outputTokens: 20, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, totalTokens: 30, estimated: false,
    costInput: 0.000001, costOutput: 0.000012, costTotal: 0.000013, latencyMs: 120.5, ttftMs: 30.25, queueMs: 0, attemptDetails: null,
    savedUsd: 0, prompt: null, response: null, metadata: metadata === null ? null : JSON.stringify(metadata),
  };
}

/** RFC 4180, small and independent of the code under test. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i] as string;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
      i++;
    } else field += c;
  }
  if (field || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

describe('GET /logs pagination', () => {
  it('never skips or repeats an entry while new ones arrive', async () => {
    const store = memoryStore();
    const aiu = createAiu({ store, env: {}, logger: { warn() {} }, keyring: false });
    cleanup.push(() => aiu.close());
    const base = Date.now() - 1_000_000;
    // Many entries share a millisecond: the id breaks ties.
    const existing = Array.from({ length: 500 }, (_, i) => record(`req_${String(i).padStart(4, '0')}`, base + Math.floor(i / 7)));
    await store.insertLogs(existing);
    const seen: string[] = [];
    let cursor: string | null = null;
    let added = 0;
    do {
      const response = await aiu.handler(new Request(`http://localhost/logs?limit=37${cursor ? `&cursor=${cursor}` : ''}`), { clientAddress: '127.0.0.1' });
      const page = LogPageSchema.parse(await response.json());
      seen.push(...page.entries.map((e) => e.id));
      cursor = page.nextCursor;
      // New entries land between page reads, as they do in production.
      await store.insertLogs(Array.from({ length: 15 }, (_, i) => record(`req_new_${added}_${i}`, Date.now())));
      added += 1;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    expect(existing.every((e) => seen.includes(e.id))).toBe(true);
  });
});

describe('GET /logs/export', () => {
  const tricky = [
    { note: 'comma, separated' },
    { note: 'a "quoted" word' },
    { note: 'two\nlines\r\nand CRLF' },
    { note: ' leading and trailing ', emoji: '💸', nested: { list: [1, 2] } },
  ];

  it('streams CSV that parses back to exactly the logged entries', async () => {
    const store = memoryStore();
    const aiu = createAiu({ store, env: {}, logger: { warn() {} }, keyring: false });
    cleanup.push(() => aiu.close());
    // Tricky metadata, and rows that exercise every other column's edge: nulls, no price, an error, an estimate.
    await store.insertLogs([
      ...tricky.map((metadata, i) => record(`req_${i}`, Date.now() - i * 1000, metadata)),
      { ...record('req_unpriced', Date.now() - 10_000), costInput: null, costOutput: null, costTotal: null, ttftMs: null, userId: 'u "1", x', projectId: 'p1' },
      { ...record('req_error', Date.now() - 11_000), status: 'error', errorCode: 'rate_limited', attempts: 3, latencyMs: 0, attemptDetails: '[{"model":"m","outcome":"error"}]' },
      { ...record('req_aborted', Date.now() - 12_000), status: 'aborted', estimated: true, cachedInputTokens: 7, cacheWriteTokens: 2, reasoningTokens: 5, savedUsd: 0.5, queueMs: 3 },
      { ...record('req_bad_metadata', Date.now() - 13_000), metadata: '{not json' },
    ]);
    const response = await aiu.handler(new Request('http://localhost/logs/export?format=csv'), { clientAddress: '127.0.0.1' });
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(response.headers.get('content-disposition')).toMatch(/attachment; filename="aiu-logs-.*\.csv"/);
    const [header, ...rows] = parseCsv(await response.text());
    const logs = (await (await aiu.handler(new Request('http://localhost/logs?limit=100'), { clientAddress: '127.0.0.1' })).json()) as { entries: LogEntry[] };
    expect(rows).toHaveLength(tricky.length + 4);
    expect(logs.entries).toHaveLength(rows.length);
    // Every column, read back the way a spreadsheet user would, equals what GET /logs says.
    const columns = header as string[];
    const expected = (entry: LogEntry, column: string): string => {
      const value = column.startsWith('cost')
        ? entry.cost?.[column.slice(4).toLowerCase() as 'input' | 'output' | 'total']
        : (entry as unknown as Record<string, unknown>)[column];
      return value === null || value === undefined ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
    };
    rows.forEach((row, i) => {
      const entry = logs.entries[i] as LogEntry;
      expect(row).toHaveLength(columns.length);
      for (const [k, column] of columns.entries()) expect([column, row[k]]).toEqual([column, expected(entry, column)]);
    });
  });

  it('neutralises cells a spreadsheet would run as formulas (OWASP), and leaves JSON Lines as they are', async () => {
    const store = memoryStore();
    const aiu = createAiu({ store, env: {}, logger: { warn() {} }, keyring: false });
    cleanup.push(() => aiu.close());
    const hostile = ['=HYPERLINK("http://evil","x")', '+cmd|/c calc', '-2+3', '@SUM(1)', '\tpadded', '\rreturn'];
    await store.insertLogs(hostile.map((userId, i) => ({ ...record(`req_${i}`, Date.now() - i * 1000), userId, projectId: userId })));
    const [header, ...rows] = parseCsv(await (await aiu.handler(new Request('http://localhost/logs/export?format=csv'), { clientAddress: '127.0.0.1' })).text());
    const columns = header as string[];
    const userIds = rows.map((row) => row[columns.indexOf('userId')]);
    expect(userIds).toEqual(hostile.map((value) => `'${value}`));
    expect(rows.map((row) => row[columns.indexOf('projectId')])).toEqual(hostile.map((value) => `'${value}`));
    // Numbers keep their sign and stay numbers.
    expect(rows.every((row) => !String(row[columns.indexOf('inputTokens')]).startsWith("'"))).toBe(true);
    const lines = (await (await aiu.handler(new Request('http://localhost/logs/export?format=jsonl'), { clientAddress: '127.0.0.1' })).text()).trim().split('\n');
    expect(lines.map((line) => (JSON.parse(line) as LogEntry).userId)).toEqual(hostile);
  });

  it('streams JSON Lines, honours filters, and stays paged (more rows than one page)', async () => {
    const store = memoryStore();
    const aiu = createAiu({ store, env: {}, logger: { warn() {} }, keyring: false });
    cleanup.push(() => aiu.close());
    await store.insertLogs(Array.from({ length: 2500 }, (_, i) => ({ ...record(`req_${String(i).padStart(5, '0')}`, 1_700_000_000_000 + i), status: i % 5 === 0 ? 'error' : 'success' }) as LogRecord));
    const all = (await (await aiu.handler(new Request('http://localhost/logs/export?format=jsonl'), { clientAddress: '127.0.0.1' })).text()).trim().split('\n');
    expect(all).toHaveLength(2500);
    expect(new Set(all.map((line) => (JSON.parse(line) as LogEntry).id)).size).toBe(2500);
    const errors = (await (await aiu.handler(new Request('http://localhost/logs/export?format=jsonl&status=error'), { clientAddress: '127.0.0.1' })).text()).trim().split('\n');
    expect(errors).toHaveLength(500);
    expect((await aiu.handler(new Request('http://localhost/logs/export?format=xml'), { clientAddress: '127.0.0.1' })).status).toBe(400);
  });

  it('gives the event loop back between pages, so a long export never stalls other requests', async () => {
    const store = memoryStore();
    const aiu = createAiu({ store, env: {}, logger: { warn() {} }, keyring: false });
    cleanup.push(() => aiu.close());
    await store.insertLogs(Array.from({ length: 5000 }, (_, i) => record(`req_${String(i).padStart(5, '0')}`, 1_700_000_000_000 + i)));
    const response = await aiu.handler(new Request('http://localhost/logs/export?format=jsonl'), { clientAddress: '127.0.0.1' });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    let bytes = 0;
    let bytesWhenOtherWorkRan: number | null = null;
    // Stands for every other request and timer the server has: it runs only when the loop turns.
    setImmediate(() => (bytesWhenOtherWorkRan = bytes));
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) bytes += chunk.value.byteLength;
    expect(bytesWhenOtherWorkRan).not.toBeNull();
    expect(bytesWhenOtherWorkRan).toBeLessThan(bytes);
  });
});

describe('shutdown', () => {
  it('loses nothing: 1,000 calls in flight, close(), every completed call is in the store', async () => {
    const upstream = await startFakeUpstream({ fixture: 'openai-compatible/mistral-text', firstByteDelayMs: 150 });
    cleanup.push(() => upstream.close());
    const path = join(mkdtempSync(join(tmpdir(), 'aiu-shutdown-')), 'aiu.db');
    const aiu = createAiu({
      store: sqliteStore({ path }),
      env: {},
      logger: { warn() {} },
      keyring: false,
      providers: { mistral: { baseURL: `${upstream.url}/v1`, apiKey: TEST_KEY } },
      // Nothing is written before close(): only a graceful shutdown can save these entries.
      log: { flushIntervalMs: 60_000, maxBatch: 100_000 },
    });
    await aiu.store();
    const calls = Array.from({ length: 1000 }, (_, i) =>
      aiu.handler(chatRequest({ model: 'mistral:mistral-small-latest', messages: [{ role: 'user', content: `#${i}` }], stream: false })).then((r) => r.status),
    );
    await new Promise((resolve) => setTimeout(resolve, 50));
    const closing = aiu.close();
    const statuses = await Promise.all(calls);
    await closing;
    const completed = statuses.filter((s) => s === 200).length;
    expect(completed).toBe(1000);

    const reopened = sqliteStore({ path });
    await reopened.init();
    const rows = await reopened.listLogs({ limit: 5000 });
    expect(rows.filter((r) => r.status === 'success')).toHaveLength(completed);
    await reopened.close();
  });
});

describe('shutdown that runs out of patience', () => {
  it('aborts the calls still running after timeoutMs, upstream included, and logs them as aborted', async () => {
    const upstream = await startFakeUpstream({ fixture: 'openai-compatible/mistral-text', chunkDelayMs: 200 });
    cleanup.push(() => upstream.close());
    const store = memoryStore();
    const aiu = createAiu({ store, env: {}, logger: { warn() {} }, keyring: false, providers: { mistral: { baseURL: `${upstream.url}/v1`, apiKey: TEST_KEY } } });
    // Streams that would take a minute: started, then left running.
    const responses = await Promise.all(
      Array.from({ length: 3 }, () => aiu.handler(chatRequest({ model: 'mistral:mistral-small-latest', messages: [{ role: 'user', content: 'hi' }] }))),
    );
    const reading = responses.map((response) => response.text().catch(() => ''));
    await aiu.close({ timeoutMs: 100 });
    await Promise.all(reading);
    const entries = await store.listLogs({ limit: 10 });
    expect(entries.map((entry) => entry.status)).toEqual(['aborted', 'aborted', 'aborted']);
    // Every upstream request was cut, not left streaming to its end.
    expect(upstream.requests).toHaveLength(3);
    await Promise.all(upstream.requests.map((_, index) => upstream.waitForClientClose(index)));
    expect(upstream.requests.map((request) => request.completed)).toEqual([false, false, false]);
  });
});

describe('scope and bodies', () => {
  it('shows an owner only their own entries unless authorize allows more', async () => {
    const upstream = await startFakeUpstream({ fixture: 'openai-compatible/mistral-text' });
    cleanup.push(() => upstream.close());
    const aiu = createAiu({
      store: memoryStore(),
      env: {},
      logger: { warn() {} },
      keyring: false,
      providers: { mistral: { baseURL: `${upstream.url}/v1`, apiKey: TEST_KEY } },
      identify: (request) => ({ userId: request.headers.get('x-user') }),
      // Everyone may read their own; only the admin another's (the log routes ask authorize for both).
      authorize: ({ identity, action, resource }) => (action === 'logs:read' || action === 'usage:read') && (resource.owner === undefined || identity.userId === 'admin'),
    });
    cleanup.push(() => aiu.close());
    const as = (user: string, url: string, init: RequestInit = {}) =>
      aiu.handler(new Request(`http://localhost${url}`, { ...init, headers: { 'content-type': 'application/json', 'x-user': user } }));
    for (const user of ['alice', 'alice', 'bob']) {
      await as(user, '/chat', { method: 'POST', body: JSON.stringify({ model: 'mistral:mistral-small-latest', messages: [{ role: 'user', content: 'hi' }], stream: false }) });
    }
    const alice = LogPageSchema.parse(await (await as('alice', '/logs')).json());
    expect(alice.entries.map((e) => e.userId)).toEqual(['alice', 'alice']);
    expect((await (await as('bob', '/usage')).json()) as { totals: { requests: number } }).toMatchObject({ totals: { requests: 1 } });
    expect((await as('bob', '/logs?user=alice')).status).toBe(403);
    expect((await as('bob', '/usage?user=*')).status).toBe(403);
    expect(((await (await as('admin', '/usage?user=*')).json()) as { totals: { requests: number } }).totals.requests).toBe(3);
    const exported = (await (await as('bob', '/logs/export?format=jsonl')).text()).trim().split('\n');
    expect(exported).toHaveLength(1);
  });

  it('logs no bodies by default, and redacted ones with logBodies', async () => {
    const upstream = await startFakeUpstream({ fixture: 'openai-compatible/mistral-text' });
    cleanup.push(() => upstream.close());
    const secret = 'sk-proj-abcdefghijklmnop1234567890';
    for (const logBodies of [undefined, { redact: (text: string) => text.replace(/\d{3}-\d{4}/g, '[phone]') }]) {
      const store = memoryStore();
      const aiu = createAiu({ store, env: {}, logger: { warn() {} }, keyring: false, logBodies, providers: { mistral: { baseURL: `${upstream.url}/v1`, apiKey: TEST_KEY } } });
      await aiu.chat({ model: 'mistral:mistral-small-latest', messages: [{ role: 'user', content: `call 555-1234, key ${secret}` }], stream: false });
      await aiu.close();
      const [entry] = await store.listLogs({ limit: 1 });
      if (!logBodies) {
        expect(entry?.prompt).toBeNull();
        expect(entry?.response).toBeNull();
      } else {
        expect(entry?.prompt).toContain('call [phone]');
        expect(entry?.prompt).not.toContain(secret);
        expect(entry?.response).toContain('Kindness');
      }
    }
  });

  it('caps metadata at 8 kB with a clear 400', async () => {
    const aiu = createAiu({ store: memoryStore(), env: {}, logger: { warn() {} }, keyring: false });
    cleanup.push(() => aiu.close());
    const response = await aiu.handler(chatRequest({ model: 'openai:x', messages: [{ role: 'user', content: 'hi' }], metadata: { blob: 'x'.repeat(9000) } }));
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain('8 kB');
  });
});
