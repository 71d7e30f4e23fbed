import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { LogRecord } from '../../log/types';
import { storeMatrix } from '../../../test/postgres';
import { sqliteStore } from '../sqlite';
import type { AiuStore } from '../types';

function record(overrides: Partial<LogRecord> & { id: string; time: number }): LogRecord {
  return {
    userId: null,
    projectId: null,
    provider: 'openai',
    model: 'openai:gpt-4o-mini',
    status: 'success',
    errorCode: null,
    attempts: 1,
    inputTokens: 10,
    outputTokens: 20,
    cachedInputTokens: 0,
    cacheWriteTokens: 0,
    reasoningTokens: 0,
    totalTokens: 30,
    estimated: false,
    costInput: null,
    costOutput: null,
    costTotal: null,
    latencyMs: 12.5,
    ttftMs: 3.25,
    queueMs: 0,
    attemptDetails: null,
    savedUsd: 0,
    prompt: null,
    response: null,
    metadata: null,
    ...overrides,
  };
}

const matrix = await storeMatrix();
afterAll(() => matrix.dispose());
const stores = matrix.stores;

describe.each(stores)('log store conformance: %s', (_kind, make) => {
  it('round-trips every field', async () => {
    const store = make();
    await store.init();
    const full = record({
      id: 'req_a',
      time: 1_700_000_000_123,
      userId: 'u1',
      projectId: 'p1',
      status: 'error',
      errorCode: 'stream_truncated',
      attempts: 2,
      cachedInputTokens: 4,
      cacheWriteTokens: 1,
      reasoningTokens: 5,
      estimated: true,
      costInput: 0.0000016,
      costOutput: 0.00012,
      costTotal: 0.0001216,
      ttftMs: null,
      queueMs: 12.5,
      attemptDetails: JSON.stringify([{ model: 'openai:x', outcome: 'error', code: 'upstream_error', latencyMs: 3 }]),
      metadata: JSON.stringify({ a: 'b,"c"\n' }),
    });
    await store.insertLogs([full]);
    expect(await store.listLogs({ limit: 10 })).toEqual([full]);
    await store.close();
  });

  it('lists newest first by (time, id) and pages with a position', async () => {
    const store = make();
    await store.init();
    await store.insertLogs([
      record({ id: 'req_1', time: 1000 }),
      record({ id: 'req_3', time: 2000 }),
      record({ id: 'req_2', time: 2000 }),
      record({ id: 'req_4', time: 3000 }),
    ]);
    const first = await store.listLogs({ limit: 2 });
    expect(first.map((r) => r.id)).toEqual(['req_4', 'req_3']);
    const last = first[1] as LogRecord;
    const second = await store.listLogs({ limit: 2, before: { time: last.time, id: last.id } });
    expect(second.map((r) => r.id)).toEqual(['req_2', 'req_1']);
    await store.close();
  });

  it('filters by owner, provider, model, status and time range', async () => {
    const store = make();
    await store.init();
    await store.insertLogs([
      record({ id: 'a', time: 1000, userId: 'u1', provider: 'openai' }),
      record({ id: 'b', time: 2000, userId: 'u2', provider: 'mistral', model: 'mistral:small' }),
      record({ id: 'c', time: 3000, userId: null, status: 'aborted' }),
    ]);
    const ids = async (query: Parameters<AiuStore['listLogs']>[0]) => (await store.listLogs(query)).map((r) => r.id);
    expect(await ids({ limit: 10, userId: 'u1' })).toEqual(['a']);
    expect(await ids({ limit: 10, userId: null })).toEqual(['c']);
    expect(await ids({ limit: 10, provider: 'mistral' })).toEqual(['b']);
    expect(await ids({ limit: 10, model: 'mistral:small' })).toEqual(['b']);
    expect(await ids({ limit: 10, status: 'aborted' })).toEqual(['c']);
    expect(await ids({ limit: 10, from: 2000, to: 3000 })).toEqual(['b']);
    await store.close();
  });
});

describe('sqliteStore', () => {
  it('uses WAL and applies migrations once, however often it is opened', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'aiu-sqlite-')), 'aiu.db');
    const first = sqliteStore({ path });
    await first.init();
    await first.insertLogs([record({ id: 'kept', time: 1 })]);
    await first.close();
    const second = sqliteStore({ path });
    await second.init();
    expect((await second.listLogs({ limit: 5 })).map((r) => r.id)).toEqual(['kept']);
    await second.close();

    const db = new Database(path, { readonly: true });
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(db.prepare('SELECT version FROM aiu_schema_migrations ORDER BY version').all()).toEqual([{ version: 1 }, { version: 2 }, { version: 3 }, { version: 4 }]);
    const indexes = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'aiu_request_log'").all() as Array<{ name: string }>).map((r) => r.name);
    expect(indexes).toEqual(expect.arrayContaining(['aiu_request_log_time', 'aiu_request_log_model_time', 'aiu_request_log_provider_time', 'aiu_request_log_user_time']));
    db.close();
  });
});
