import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import type BetterSqlite3 from 'better-sqlite3';
import { exportText } from '../../log/exportFormat';
import { mergeEncodedHistograms, type RollupRow, rollupDeltas } from '../../log/rollup';
import type { LogListQuery, LogRecord } from '../../log/types';
import { fromRollupValues, ROLLUP_COLUMNS, ROLLUP_HISTOGRAMS, ROLLUP_KEY, ROLLUP_SUMS, rollupSelect, rollupValues, rollupWhere } from '../rollupRows';
import type { AiuStore } from '../types';
import { sqliteKeyStore } from './keys';
import { exportInWorker } from './exportInWorker';
import { LOG_COLUMNS, logParams } from '../logColumns';
import { sqliteClientKeyStore } from './clientKeys';
import { type ConversationRecord, sqlConversationStore } from '../conversationRows';
import { COLUMNS, fromRow, type Row, selectLogs } from './logRows';
import { prepared } from './statements';
import { InflightJournal } from './inflightJournal';
import { SQLITE_MIGRATIONS } from './migrations';

export interface SqliteStoreOptions {
  /** Database file; `:memory:` for a private in-memory database. Default `.aiu/aiu.db`. */
  path?: string;
  /** An already-open better-sqlite3 database (the store then does not close it). */
  database?: BetterSqlite3.Database;
}

const named = (params: unknown[]) => Object.fromEntries(params.map((value, i) => [`p${i + 1}`, value]));

/** The embedded default: one SQLite file, WAL mode, migrations applied on open. */
export function sqliteStore(options: SqliteStoreOptions = {}): AiuStore {
  const path = options.path ?? '.aiu/aiu.db';
  let db: BetterSqlite3.Database | undefined;
  let insert: ((records: ReadonlyArray<LogRecord>) => void) | undefined;
  let journal: InflightJournal | undefined;

  function open(): BetterSqlite3.Database {
    if (!db) throw new Error('sqliteStore used before init()');
    return db;
  }

  async function listLogs(query: LogListQuery): Promise<LogRecord[]> {
    const { sql, params } = selectLogs(query);
    return (prepared(open(), sql).all(params) as Row[]).map(fromRow);
  }

  return {
    kind: 'sqlite',
    keys: sqliteKeyStore(open),
    clientKeys: sqliteClientKeyStore(open),
    conversations: sqlConversationStore('aiu_conversations', {
      // Named, so a statement can use one parameter twice.
      placeholder: (n) => `@p${n}`,
      query: async (sql, params) => prepared(open(), sql).all(named(params)) as ConversationRecord[],
      execute: async (sql, params) => prepared(open(), sql).run(named(params)).changes,
    }),

    async init() {
      if (db) return;
      if (options.database) {
        db = options.database;
      } else {
        const Database = await loadDriver();
        if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
        db = new Database(path);
      }
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('busy_timeout = 5000');
      db.function('aiu_hist_merge', { deterministic: true }, mergeEncodedHistograms);
      migrate(db);
      // OR IGNORE: an entry already there (a retried batch, a call recovered as interrupted) is not written twice.
      const statement = db.prepare(`INSERT OR IGNORE INTO aiu_request_log (${LOG_COLUMNS.join(', ')}) VALUES (${LOG_COLUMNS.map(() => '?').join(', ')})`);
      const addToRollups = rollupWriter(db);
      // Raw rows and rollups in one transaction: they can never disagree.
      insert = db.transaction((records: ReadonlyArray<LogRecord>) => {
        const fresh: LogRecord[] = [];
        for (const record of records) if (statement.run(logParams(record, 'integer')).changes > 0) fresh.push(record);
        // Only rows that were new count in the rollups.
        addToRollups(fresh);
      });
      const file = options.database ? options.database.name : path;
      // A private in-memory database has nothing to survive a crash.
      if (file && file !== ':memory:' && !options.database?.memory) journal = new InflightJournal(`${resolve(file)}-inflight`, (records) => insert?.(records));
    },

    async insertLogs(records) {
      if (!insert) throw new Error('sqliteStore used before init()');
      insert(records);
      journal?.logged(records);
    },

    listLogs,

    get pending() {
      return journal;
    },

    exportLogs(filter, format) {
      const inProcess = () => exportText(listLogs, filter, format);
      // A private in-memory database or a caller's connection cannot be opened a second time.
      if (options.database || path === ':memory:') return inProcess();
      return exportInWorker({ path: resolve(path), filter, format }, inProcess);
    },

    async usageRollups(query) {
      // SQLite parses `a OR b OR …` into a tree it caps at 1,000 deep: two years of Kathmandu days
      // are thousands of ranges. Read them a slice at a time; no row falls in two slices' ranges.
      const rows: RollupRow[] = [];
      for (let i = 0; i < Math.max(1, query.ranges.length); i += RANGES_PER_QUERY) {
        const slice = { ...query, ranges: query.ranges.slice(i, i + RANGES_PER_QUERY) };
        const params: unknown[] = [];
        const where = rollupWhere(slice, (value) => {
          params.push(value);
          return '?';
        });
        const sql = rollupSelect(slice, 'aiu_usage_rollup', where, (column, grouped) => (grouped ? `group_concat(${column}, '')` : column));
        for (const values of prepared(open(), sql).raw().all(...params) as unknown[][]) rows.push(fromRollupValues(values));
      }
      return rows;
    },

    async close() {
      if (db && !options.database) db.close();
      db = undefined;
      insert = undefined;
      journal?.close();
      journal = undefined;
    },
  };
}

/** Slot ranges per rollup query: far below SQLite's expression-depth cap, and few distinct statements to cache. */
const RANGES_PER_QUERY = 100;

async function loadDriver(): Promise<typeof BetterSqlite3> {
  try {
    const module = (await import('better-sqlite3')) as { default?: typeof BetterSqlite3 };
    return module.default ?? (module as unknown as typeof BetterSqlite3);
  } catch (error) {
    throw new Error(
      'The SQLite store needs the optional peer dependency better-sqlite3: run `npm install better-sqlite3`, ' +
        'or pass another store to createAiu({ store }) (memoryStore() for tests).',
      { cause: error },
    );
  }
}

function migrate(db: BetterSqlite3.Database): void {
  db.exec(
    'CREATE TABLE IF NOT EXISTS aiu_schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)',
  );
  const applied = new Set(
    (db.prepare('SELECT version FROM aiu_schema_migrations').all() as Array<{ version: number }>).map((row) => row.version),
  );
  const record = db.prepare('INSERT INTO aiu_schema_migrations (version, name, applied_at) VALUES (?, ?, ?)');
  const pending = SQLITE_MIGRATIONS.filter((migration) => !applied.has(migration.version));
  if (!pending.length) return;
  // All in one transaction, rollups rebuilt once at the end: a rebuild reads the log's current
  // columns, which later migrations may still be adding.
  db.transaction(() => {
    let rebuild = false;
    for (const migration of pending) {
      db.exec(migration.sql);
      migration.run?.(db);
      record.run(migration.version, migration.name, Date.now());
      rebuild ||= migration.rebuildRollups === true || (migration.rebuildRollupsIf !== undefined && db.prepare(migration.rebuildRollupsIf).get() !== undefined);
    }
    if (rebuild) rebuildRollups(db);
  })();
}

/** Adds records to the rollups (call inside the transaction that inserts them). */
function rollupWriter(db: BetterSqlite3.Database): (records: ReadonlyArray<LogRecord>) => void {
  const upsert = db.prepare(
    `INSERT INTO aiu_usage_rollup (${ROLLUP_COLUMNS}) VALUES (${ROLLUP_COLUMNS.split(', ').map(() => '?').join(', ')})
     ON CONFLICT (${ROLLUP_KEY}) DO UPDATE SET ${[
       ...ROLLUP_SUMS.map((c) => `${c} = ${c} + excluded.${c}`),
       ...ROLLUP_HISTOGRAMS.map((c) => `${c} = aiu_hist_merge(${c}, excluded.${c})`),
     ].join(', ')}`,
  );
  return (records) => {
    for (const row of rollupDeltas(records)) upsert.run(...rollupValues(row));
  };
}

/** Recomputes every rollup from the log, a page at a time (rollups are derived data). */
function rebuildRollups(db: BetterSqlite3.Database): void {
  db.exec('DELETE FROM aiu_usage_rollup');
  const add = rollupWriter(db);
  const page = db.prepare(`SELECT rowid AS position, ${COLUMNS} FROM aiu_request_log WHERE rowid > ? ORDER BY rowid LIMIT 5000`);
  for (let after = 0; ; ) {
    const rows = page.all(after) as Array<Row & { position: number }>;
    const last = rows[rows.length - 1];
    if (!last) break;
    add(rows.map(fromRow));
    after = last.position;
  }
}

