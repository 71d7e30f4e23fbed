import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { MessageChannel } from 'node:worker_threads';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import type { LogRecord } from '../../log/types';
import { DAY_RANGE_ALL_TIME, loggedCall } from '../../../test/logRecords';
import pg from 'pg';
import { DATABASE_URL, postgresTestStore, storeMatrix } from '../../../test/postgres';
import { POSTGRES_MIGRATIONS } from '../postgres/migrations';
import { rollupDeltas } from '../../log/rollup';
import { comparableRollups, EVERY_SLOT } from '../../../test/rollups';
import { ROLLUP_COLUMNS, rollupValues } from '../rollupRows';
import { sqliteStore } from '../sqlite';
import { SQLITE_MIGRATIONS } from '../sqlite/migrations';
import { type ExportMessage, runExport } from '../sqlite/exportWorker';
import { exportText } from '../../log/exportFormat';
import type { AiuStore } from '../types';

function record(overrides: Partial<LogRecord> & { id: string; time: number }): LogRecord {
  return loggedCall(overrides);
}

/** A record as release 4 stored it: without the columns later migrations added (the call's trace, its client key). */
/** A record as a v4 log row has it: none of the columns later migrations added. */
function asV4(r: LogRecord): Partial<LogRecord> {
  const later = new Set<string>(['stepDetails', 'toolCallDetails', 'clientKeyId', 'cacheWrite1hTokens', 'audioInputTokens', 'audioOutputTokens', 'imageInputTokens', 'toolUsePromptTokens', 'serverToolRequests', 'serviceTier', 'costSource', 'catalogCost', 'costAudio', 'costServerTools', 'guardrails']);
  return Object.fromEntries(Object.entries(r).filter(([key]) => !later.has(key)));
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
      clientKeyId: 'ck_0123456789abcdef01',
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
      stepDetails: JSON.stringify([{ step: 1, model: 'openai:x', finishReason: 'tool_calls', inputTokens: 10, outputTokens: 5, costUsd: 0.001, latencyMs: 20 }]),
      toolCallDetails: JSON.stringify([{ step: 1, toolCallId: 'call_1', toolName: 'weather', runs: 'server', outcome: 'success', durationMs: 1.5 }]),
      cacheWrite1hTokens: 1,
      audioInputTokens: 2,
      audioOutputTokens: 3,
      imageInputTokens: 1,
      toolUsePromptTokens: 2,
      serverToolRequests: JSON.stringify({ webSearch: 2 }),
      serviceTier: 'priority',
      costSource: 'provider',
      catalogCost: 0.0001215,
      costAudio: 0.00001,
      costServerTools: 0.00002,
      guardrails: JSON.stringify([{ rule: 'jwt', action: 'redact', where: 'prompt', message: 0 }]),
    });
    await store.insertLogs([full]);
    expect(await store.listLogs({ limit: 10 })).toEqual([full]);
    // One entry by its id (what GET /logs/:id reads), and nothing for an id that is not there.
    expect(await store.listLogs({ limit: 1, id: 'req_a' })).toEqual([full]);
    expect(await store.listLogs({ limit: 1, id: 'req_missing' })).toEqual([]);
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
      record({ id: 'c', time: 3000, userId: null, status: 'aborted', clientKeyId: 'ck_c' }),
    ]);
    const ids = async (query: Parameters<AiuStore['listLogs']>[0]) => (await store.listLogs(query)).map((r) => r.id);
    expect(await ids({ limit: 10, userId: 'u1' })).toEqual(['a']);
    expect(await ids({ limit: 10, userId: null })).toEqual(['c']);
    expect(await ids({ limit: 10, provider: 'mistral' })).toEqual(['b']);
    expect(await ids({ limit: 10, model: 'mistral:small' })).toEqual(['b']);
    expect(await ids({ limit: 10, status: 'aborted' })).toEqual(['c']);
    expect(await ids({ limit: 10, clientKeyId: 'ck_c' })).toEqual(['c']);
    expect(await ids({ limit: 10, from: 2000, to: 3000 })).toEqual(['b']);
    await store.close();
  });
});

describe.each(stores.filter(([kind]) => kind !== 'memory'))('calls in flight: %s', (_kind, make) => {
  const started = (id: string, _instance: string) => record({ id, time: 1_700_000_100_000, status: 'interrupted', errorCode: 'interrupted', estimated: true, outputTokens: 0, totalTokens: 10 });

  it('forgets a pending call once its entry is written, and recovers one that never was', async () => {
    const store = make();
    await store.init();
    const pending = store.pending!;
    await pending.heartbeat({ id: 'i1', host: 'h', pid: 1 }, Date.now());
    await pending.begin(started('req_p1', 'i1'), 'i1');
    await pending.begin(started('req_p2', 'i1'), 'i1');
    await pending.begin(started('req_p3', 'i1'), 'i1');
    expect((await pending.instancesWithPending()).map((i) => i.id)).toContain('i1');
    await store.insertLogs([record({ id: 'req_p1', time: 1_700_000_100_500 })]);
    await store.insertLogs([record({ id: 'req_p2', time: 1_700_000_100_600 })]);
    // Only the call whose entry was never written comes back, as recorded.
    expect(await pending.recover(['i1'])).toBe(1);
    expect(await pending.recover(['i1'])).toBe(0);
    expect((await store.listLogs({ limit: 10 })).map((r) => [r.id, r.status])).toEqual([
      ['req_p2', 'success'],
      ['req_p1', 'success'],
      ['req_p3', 'interrupted'],
    ]);
    await store.close();
  });

  it("moves a dead instance's calls into the log once, rollups included, and leaves a live one's", async () => {
    const store = make();
    await store.init();
    const pending = store.pending!;
    const now = Date.now();
    await pending.heartbeat({ id: 'dead', host: 'h', pid: 3 }, now);
    await pending.heartbeat({ id: 'alive', host: 'h', pid: 2 }, now);
    await pending.begin(started('req_q1', 'dead'), 'dead');
    await pending.begin(started('req_q2', 'alive'), 'alive');
    const instances = await pending.instancesWithPending();
    expect(instances.map((i) => i.id).sort()).toEqual(['alive', 'dead']);
    expect(instances.find((i) => i.id === 'alive')).toMatchObject({ host: 'h', pid: 2 });
    expect(await pending.recover(['dead'])).toBe(1);
    expect(await pending.recover(['dead'])).toBe(0);
    expect(await store.listLogs({ limit: 10 })).toEqual([started('req_q1', 'dead')]);
    const rollups = await store.usageRollups({ ranges: DAY_RANGE_ALL_TIME });
    expect(rollups.reduce((sum, row) => sum + row.requests, 0)).toBe(1);
    expect((await pending.instancesWithPending()).map((i) => i.id)).toEqual(['alive']);
    // An entry already logged is not logged again when its record is recovered.
    await store.insertLogs([record({ id: 'req_q2', time: 1_700_000_100_700 })]);
    expect(await pending.recover(['alive'])).toBe(0);
    expect(await store.listLogs({ limit: 10 })).toHaveLength(2);
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
    expect(db.prepare('SELECT version FROM aiu_schema_migrations ORDER BY version').all()).toEqual(Array.from({ length: 12 }, (_, i) => ({ version: i + 1 })));
    const indexes = (db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'aiu_request_log'").all() as Array<{ name: string }>).map((r) => r.name);
    expect(indexes).toEqual(expect.arrayContaining(['aiu_request_log_time', 'aiu_request_log_model_time', 'aiu_request_log_provider_time', 'aiu_request_log_user_time']));
    db.close();
  });

  it('exports a log file as the worker does: one piece per credit, the same text as paging in-process', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'aiu-export-job-')), 'aiu.db');
    const store = sqliteStore({ path });
    await store.init();
    await store.insertLogs(
      Array.from({ length: 900 }, (_, i) =>
        record({ id: `req_${String(i).padStart(3, '0')}`, time: 1_700_000_000_000 + i, status: i % 3 ? 'success' : 'error', metadata: i % 2 ? JSON.stringify({ n: i, note: 'x, "y"\n' }) : null }),
      ),
    );
    const filter = { status: 'success' as const };
    const { port1, port2 } = new MessageChannel();
    const pieces: string[] = [];
    let finished: () => void = () => {};
    const done = new Promise<void>((resolve) => (finished = resolve));
    port2.on('message', (message: ExportMessage) => {
      if ('piece' in message) pieces.push(message.piece);
      else if ('done' in message) finished();
      else throw new Error(message.error);
    });
    const job = runExport({ path, filter, format: 'csv' }, port1);
    port2.postMessage(2);
    for (let turn = 0; turn < 100; turn++) await new Promise((resolve) => setImmediate(resolve));
    // Without more credit the job waits: a slow download holds the reads back.
    expect(pieces).toHaveLength(2);
    port2.postMessage(1_000);
    await Promise.all([job, done]);
    port1.close();
    let expected = '';
    for await (const text of exportText((query) => store.listLogs(query), filter, 'csv')) expected += text;
    expect(pieces.length).toBeGreaterThan(3);
    expect(pieces.join('')).toBe(expected);
    expect(expected.split('\r\n').filter(Boolean)).toHaveLength(1 + 600);
    await store.close();
  });

  it('rebuilds the rollups from the log when it upgrades a v4 database (a row per histogram bin)', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'aiu-sqlite-')), 'aiu.db');
    const records = Array.from({ length: 40 }, (_, i) =>
      record({ id: `r${i}`, time: 1_700_000_000_000 + i * 5 * 60_000, latencyMs: 100 + i * 37, ttftMs: i % 4 ? 20 + i : null, userId: i % 3 ? 'u1' : null }),
    );
    // A database as the previous release left it: migrations 1–4 and logged calls.
    const old = new Database(path);
    old.exec('CREATE TABLE aiu_schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)');
    for (const migration of SQLITE_MIGRATIONS.filter((m) => m.version <= 4)) {
      old.exec(migration.sql);
      old.prepare('INSERT INTO aiu_schema_migrations VALUES (?, ?, ?)').run(migration.version, migration.name, 0);
    }
    // The log rows as v4 wrote them (its rollup tables are dropped, so their contents do not matter).
    const columns = Object.keys(asV4(records[0] as LogRecord)).map((key) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
    const insert = old.prepare(`INSERT INTO aiu_request_log (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
    for (const r of records) insert.run(...Object.values({ ...asV4(r), estimated: r.estimated ? 1 : 0 }));
    old.close();

    const store = sqliteStore({ path });
    await store.init();
    const migrated = await store.usageRollups(EVERY_SLOT);
    const expected = rollupDeltas(records);
    expect(migrated.length).toBe(expected.length);
    expect(comparableRollups(migrated)).toEqual(comparableRollups(expected));
    // New writes merge into the rebuilt histograms.
    await store.insertLogs([record({ id: 'late', time: 1_700_000_000_000, latencyMs: 100 })]);
    const after = await store.usageRollups(EVERY_SLOT);
    expect(comparableRollups(after)).toEqual(comparableRollups(rollupDeltas([...records, record({ id: 'late', time: 1_700_000_000_000, latencyMs: 100 })])));
    await store.close();
  });
});

describe.skipIf(!stores.some(([kind]) => kind === 'postgres'))('postgresStore', () => {
  const records = Array.from({ length: 40 }, (_, i) =>
    record({ id: `r${i}`, time: 1_700_000_000_000 + i * 5 * 60_000, latencyMs: 100 + i * 37, ttftMs: i % 4 ? 20 + i : null, userId: i % 3 ? 'u1' : null }),
  );

  /** A test store's schema as an earlier release left it (migrations up to `version`), filled by `fill` before the store opens it. */
  async function upgraded(version: number, fill: (client: pg.Client, prefix: string) => Promise<void>, check: (store: AiuStore, client: pg.Client, schema: string) => Promise<void>) {
    const test = postgresTestStore();
    const client = new pg.Client({ connectionString: DATABASE_URL });
    await client.connect();
    try {
      const prefix = `"${test.schema}".`;
      await client.query(`CREATE SCHEMA "${test.schema}"`);
      await client.query(`CREATE TABLE ${prefix}aiu_schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`);
      for (const migration of POSTGRES_MIGRATIONS.filter((m) => m.version <= version)) {
        await client.query(migration.sql.replaceAll('{schema}', prefix));
        await client.query(`INSERT INTO ${prefix}aiu_schema_migrations VALUES ($1, $2, 0)`, [migration.version, migration.name]);
      }
      await fill(client, prefix);
      await test.store.init();
      await check(test.store, client, test.schema);
    } finally {
      await client.end();
      await test.dispose();
    }
  }

  const insert = (client: pg.Client, table: string, columns: string, values: unknown[]) =>
    client.query(`INSERT INTO ${table} (${columns}) VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')})`, values);

  it('rebuilds the rollups from the log when it upgrades a v4 schema', async () => {
    // Migrations 1–4 and logged calls.
    const columns = Object.keys(asV4(records[0] as LogRecord)).map((key) => key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`));
    await upgraded(
      4,
      async (client, prefix) => {
        for (const r of records) await insert(client, `${prefix}aiu_request_log`, columns.join(', '), Object.values(asV4(r)));
      },
      async (store) => {
        expect(comparableRollups(await store.usageRollups(EVERY_SLOT))).toEqual(comparableRollups(rollupDeltas(records)));
        const late = record({ id: 'late', time: 1_700_000_000_000, latencyMs: 100 });
        await store.insertLogs([late]);
        expect(comparableRollups(await store.usageRollups(EVERY_SLOT))).toEqual(comparableRollups(rollupDeltas([...records, late])));
      },
    );
  });

  it('keeps every histogram when it upgrades a v5 schema (jsonb histograms become text, read without rendering jsonb)', async () => {
    // Histograms in jsonb columns, merged by aiu_hist_merge(jsonb, jsonb).
    await upgraded(
      5,
      async (client, prefix) => {
        // v5 rollups had no client key column.
        // v5 rollups had no client key or project column, nor the billing sums (the 8 before the two histograms).
        const columns = ROLLUP_COLUMNS.split(', ');
        const kept = (_: unknown, i: number) => !['client_key_id', 'project_id'].includes(columns[i] as string) && (i < columns.length - 10 || i >= columns.length - 2);
        const v5Columns = columns.filter(kept).join(', ');
        for (const row of rollupDeltas(records)) await insert(client, `${prefix}aiu_usage_rollup`, v5Columns, rollupValues(row).filter(kept));
      },
      async (store, client, schema) => {
        const { rows: types } = await client.query(
          `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = 'aiu_usage_rollup' AND column_name LIKE '%hist' ORDER BY column_name`,
          [schema],
        );
        expect(types).toEqual([{ column_name: 'latency_hist', data_type: 'text' }, { column_name: 'ttft_hist', data_type: 'text' }]);
        expect(comparableRollups(await store.usageRollups(EVERY_SLOT))).toEqual(comparableRollups(rollupDeltas(records)));
        // New writes merge into the converted histograms, bins that exist and bins that do not.
        const late = [record({ id: 'late', time: 1_700_000_000_000, latencyMs: 100 }), record({ id: 'later', time: 1_700_000_000_000, latencyMs: 90_000, ttftMs: 7 })];
        await store.insertLogs(late);
        expect(comparableRollups(await store.usageRollups(EVERY_SLOT))).toEqual(comparableRollups(rollupDeltas([...records, ...late])));
      },
    );
  });
});
