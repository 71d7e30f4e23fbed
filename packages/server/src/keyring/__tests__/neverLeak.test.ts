import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeUpstream } from '@aiu/testing';
import pg from 'pg';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { DATABASE_URL, postgresReachable, postgresTestStore } from '../../../test/postgres';
import { createAiu } from '../../createAiu';
import { toNodeListener } from '../../node';
import { sqliteStore } from '../../stores/sqlite';
import type { AiuStore } from '../../stores/types';
import { toBase64 } from '../crypto';

/** Recognisable, and shaped like a real key so redaction patterns are exercised too. */
const SECRET = 'sk-proj-NEVERLEAK7f3c9e1d2b4a6f8e0c1d3b5a7f9e2c4d';
const FRAGMENT = 'NEVERLEAK7f3c9e1d2b4a6f8e';

const pgReady = await postgresReachable();

interface Seen {
  texts: string[];
}

let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const step of cleanup.reverse()) await step();
  cleanup = [];
  vi.restoreAllMocks();
});

/** Runs the whole key workflow over real HTTP and returns every text a person or log could see. */
async function workflow(store: AiuStore): Promise<Seen> {
  const seen: Seen = { texts: [] };
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      seen.texts.push(args.map((a) => (a instanceof Error ? `${a.message}\n${a.stack}` : typeof a === 'string' ? a : JSON.stringify(a))).join(' '));
    });
  }
  const upstream = await startFakeUpstream();
  cleanup.push(() => upstream.close());
  const aiu = createAiu({
    store,
    env: {},
    masterKey: toBase64(new Uint8Array(32).fill(5)),
    logger: { warn: (message) => seen.texts.push(message) },
    providers: { openai: { baseURL: `${upstream.url}/v1` } },
  });
  const entries: unknown[] = [];
  aiu.on('request:success', (event) => entries.push(event));
  aiu.on('request:error', (event) => entries.push(event));
  const server: Server = createServer(toNodeListener(aiu));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const call = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${base}${path}`, { ...init, headers: { 'content-type': 'application/json' } });
    const headers: string[] = [];
    response.headers.forEach((value, name) => headers.push(`${name}: ${value}`));
    seen.texts.push(headers.join('\n'), await response.text());
    return response.status;
  };
  const post = (body: unknown) => ({ method: 'POST', body: JSON.stringify(body) });
  const chat = { model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }] };

  expect(await call('/keys/validate', post({ provider: 'openai', key: SECRET }))).toBe(200);
  expect(await call('/keys', post({ provider: 'openai', key: SECRET, validate: true }))).toBe(201);
  expect(await call('/chat', post(chat))).toBe(200);
  expect(await call('/chat', post({ ...chat, stream: false }))).toBe(200);
  // Provider error bodies that echo the key back, before and during streaming.
  upstream.set({ error: { status: 400, body: { error: { message: `Invalid request for key ${SECRET}` } } } });
  expect(await call('/chat', post(chat))).toBe(400);
  upstream.set({ error: { status: 401, body: { error: { message: `Incorrect API key provided: ${SECRET}. You can find your API key at …` } } } });
  expect(await call('/chat', post(chat))).toBe(401);
  expect(await call('/keys/validate', post({ provider: 'openai', key: SECRET }))).toBe(200);
  upstream.set({ error: undefined });
  expect(await call('/providers')).toBe(200);
  expect(await call('/logs?limit=100')).toBe(200);
  expect(await call('/keys/openai/default', { method: 'DELETE' })).toBe(204);

  // The provider really received the key: the scan below is not vacuous.
  expect(upstream.requests.some((r) => r.headers.authorization === `Bearer ${SECRET}`)).toBe(true);

  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  const logs = await (await aiu.store()).listLogs({ limit: 1000 });
  seen.texts.push(JSON.stringify(logs), JSON.stringify(entries));
  expect(logs.length).toBeGreaterThanOrEqual(4);
  await aiu.close();
  return seen;
}

function expectNoSecret(texts: string[]): void {
  const hits = texts.filter((text) => text.includes(FRAGMENT));
  expect(hits).toEqual([]);
}

describe('a stored key never leaks', () => {
  it('SQLite: no response, header, log entry, console line or database byte holds the key', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'aiu-leak-'));
    const path = join(dir, 'aiu.db');
    const seen = await workflow(sqliteStore({ path }));
    expectNoSecret(seen.texts);
    const needle = Buffer.from(FRAGMENT);
    for (const file of [path, `${path}-wal`, `${path}-shm`]) {
      if (existsSync(file)) expect(readFileSync(file).includes(needle), file).toBe(false);
    }
  });

  it.runIf(pgReady)('PostgreSQL: the same, including the raw table files', async () => {
    const { store, schema, dispose } = postgresTestStore();
    cleanup.push(dispose);
    const seen = await workflow(store);
    expectNoSecret(seen.texts);

    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    cleanup.push(() => client.end());
    for (const table of ['aiu_provider_keys', 'aiu_request_log']) {
      const rows = await client.query(`SELECT * FROM "${schema}".${table}`);
      expect(JSON.stringify(rows.rows)).not.toContain(FRAGMENT);
    }
    // The bytes on disk, after a checkpoint writes them out (deleted tuples included until vacuum).
    await client.query('CHECKPOINT');
    for (const table of ['aiu_provider_keys', 'aiu_request_log']) {
      const { rows } = await client.query<{ path: string }>(`SELECT pg_relation_filepath('"${schema}".${table}') AS path`);
      const bytes = await client.query<{ data: Buffer }>('SELECT pg_read_binary_file($1) AS data', [rows[0]?.path]);
      expect(bytes.rows[0]?.data.includes(Buffer.from(FRAGMENT)), table).toBe(false);
    }
  });
});
