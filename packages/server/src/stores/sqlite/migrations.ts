import type BetterSqlite3 from 'better-sqlite3';
import type { Migration } from '../migration';

export interface SqliteMigration extends Migration {
  run?: (db: BetterSqlite3.Database) => void;
}

/** Versioned, append-only: never edit a shipped migration, add the next one. */
export const SQLITE_MIGRATIONS: ReadonlyArray<SqliteMigration> = [
  {
    version: 1,
    name: 'request_log',
    sql: `
      CREATE TABLE aiu_request_log (
        id TEXT PRIMARY KEY,
        time INTEGER NOT NULL,
        user_id TEXT,
        project_id TEXT,
        provider TEXT NOT NULL,
        model TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('success', 'error', 'aborted')),
        error_code TEXT,
        attempts INTEGER NOT NULL DEFAULT 1,
        input_tokens INTEGER NOT NULL DEFAULT 0,
        output_tokens INTEGER NOT NULL DEFAULT 0,
        cached_input_tokens INTEGER NOT NULL DEFAULT 0,
        cache_write_tokens INTEGER NOT NULL DEFAULT 0,
        reasoning_tokens INTEGER NOT NULL DEFAULT 0,
        total_tokens INTEGER NOT NULL DEFAULT 0,
        estimated INTEGER NOT NULL DEFAULT 0,
        cost_input REAL,
        cost_output REAL,
        cost_total REAL,
        latency_ms REAL NOT NULL,
        ttft_ms REAL,
        metadata TEXT
      ) STRICT;
      CREATE INDEX aiu_request_log_time ON aiu_request_log (time DESC, id DESC);
      CREATE INDEX aiu_request_log_model_time ON aiu_request_log (model, time);
      CREATE INDEX aiu_request_log_provider_time ON aiu_request_log (provider, time);
      CREATE INDEX aiu_request_log_user_time ON aiu_request_log (user_id, time);
    `,
  },
  {
    version: 2,
    name: 'provider_keys',
    sql: `
      CREATE TABLE aiu_provider_keys (
        owner TEXT NOT NULL,
        provider TEXT NOT NULL,
        alias TEXT NOT NULL,
        ciphertext TEXT NOT NULL,
        iv TEXT NOT NULL,
        master_key_id TEXT NOT NULL,
        hint TEXT NOT NULL,
        scopes TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('valid', 'invalid', 'unknown')),
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        last_validated_at INTEGER,
        PRIMARY KEY (owner, provider, alias)
      ) STRICT;
    `,
  },
  {
    version: 3,
    name: 'request_log_attempts',
    sql: `
      ALTER TABLE aiu_request_log ADD COLUMN queue_ms REAL NOT NULL DEFAULT 0;
      ALTER TABLE aiu_request_log ADD COLUMN attempt_details TEXT;
    `,
  },
  {
    version: 4,
    name: 'usage_rollups',
    sql: `
      ALTER TABLE aiu_request_log ADD COLUMN saved_usd REAL NOT NULL DEFAULT 0;
      ALTER TABLE aiu_request_log ADD COLUMN prompt TEXT;
      ALTER TABLE aiu_request_log ADD COLUMN response TEXT;
      CREATE TABLE aiu_usage_rollup (
        slot INTEGER NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL, status TEXT NOT NULL, user_id TEXT NOT NULL,
        requests INTEGER NOT NULL, input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL,
        cached_input_tokens INTEGER NOT NULL, cache_write_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL,
        cost_nano INTEGER NOT NULL, unpriced INTEGER NOT NULL, saved_nano INTEGER NOT NULL,
        latency_sum REAL NOT NULL, ttft_sum REAL NOT NULL, ttft_count INTEGER NOT NULL,
        PRIMARY KEY (slot, provider, model, status, user_id)
      ) STRICT;
      CREATE TABLE aiu_usage_histogram (
        slot INTEGER NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL, status TEXT NOT NULL, user_id TEXT NOT NULL,
        metric TEXT NOT NULL, bin INTEGER NOT NULL, count INTEGER NOT NULL,
        PRIMARY KEY (slot, provider, model, status, user_id, metric, bin)
      ) STRICT;
    `,
  },
  {
    version: 5,
    name: 'usage_rollup_spans',
    // A row per histogram bin made a month of rollups bigger than the log. Rollups now carry
    // their histograms inline, at three spans (day, hour, 15 min). Rollups are derived data,
    // so the new table is rebuilt from the log itself.
    sql: `
      DROP TABLE aiu_usage_histogram;
      DROP TABLE aiu_usage_rollup;
      CREATE TABLE aiu_usage_rollup (
        span INTEGER NOT NULL, slot INTEGER NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL, status TEXT NOT NULL, user_id TEXT NOT NULL,
        requests INTEGER NOT NULL, input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL,
        cached_input_tokens INTEGER NOT NULL, cache_write_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL,
        cost_nano INTEGER NOT NULL, unpriced INTEGER NOT NULL, saved_nano INTEGER NOT NULL,
        latency_sum REAL NOT NULL, ttft_sum REAL NOT NULL, ttft_count INTEGER NOT NULL,
        latency_hist TEXT NOT NULL, ttft_hist TEXT NOT NULL,
        PRIMARY KEY (span, slot, provider, model, status, user_id)
      ) STRICT;
    `,
    rebuildRollups: true,
  },
  {
    version: 6,
    name: 'request_log_trace',
    sql: `
      ALTER TABLE aiu_request_log ADD COLUMN step_details TEXT;
      ALTER TABLE aiu_request_log ADD COLUMN tool_call_details TEXT;
    `,
  },
  {
    version: 7,
    name: 'client_keys',
    // Rollups gain the client key in their key, so the table is made again (SQLite cannot change a
    // primary key) and its rows copied: no call before this had a client key, so each row's is ''.
    sql: `
      CREATE TABLE aiu_client_keys (
        id TEXT PRIMARY KEY,
        owner TEXT NOT NULL,
        user_id TEXT,
        project_id TEXT,
        name TEXT NOT NULL,
        secret_hash TEXT NOT NULL UNIQUE,
        hint TEXT NOT NULL,
        models TEXT,
        rpm INTEGER,
        tpm INTEGER,
        daily_usd REAL,
        monthly_usd REAL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER,
        last_used_at INTEGER,
        revoked_at INTEGER
      ) STRICT;
      CREATE INDEX aiu_client_keys_owner ON aiu_client_keys (owner, created_at);
      ALTER TABLE aiu_request_log ADD COLUMN client_key_id TEXT;
      CREATE INDEX aiu_request_log_client_key_time ON aiu_request_log (client_key_id, time);
      CREATE TABLE aiu_usage_rollup_v7 (
        span INTEGER NOT NULL, slot INTEGER NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL, status TEXT NOT NULL, user_id TEXT NOT NULL,
        client_key_id TEXT NOT NULL,
        requests INTEGER NOT NULL, input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL,
        cached_input_tokens INTEGER NOT NULL, cache_write_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL,
        cost_nano INTEGER NOT NULL, unpriced INTEGER NOT NULL, saved_nano INTEGER NOT NULL,
        latency_sum REAL NOT NULL, ttft_sum REAL NOT NULL, ttft_count INTEGER NOT NULL,
        latency_hist TEXT NOT NULL, ttft_hist TEXT NOT NULL,
        PRIMARY KEY (span, slot, provider, model, status, user_id, client_key_id)
      ) STRICT;
      INSERT INTO aiu_usage_rollup_v7
        SELECT span, slot, provider, model, status, user_id, '', requests, input_tokens, output_tokens, cached_input_tokens, cache_write_tokens,
          reasoning_tokens, cost_nano, unpriced, saved_nano, latency_sum, ttft_sum, ttft_count, latency_hist, ttft_hist
        FROM aiu_usage_rollup;
      DROP TABLE aiu_usage_rollup;
      ALTER TABLE aiu_usage_rollup_v7 RENAME TO aiu_usage_rollup;
    `,
  },
  {
    version: 8,
    name: 'billing_dimensions',
    // Every new column is nullable or 0: an older row simply did not report the dimension.
    sql: `
      ALTER TABLE aiu_request_log ADD COLUMN cache_write_1h_tokens INTEGER;
      ALTER TABLE aiu_request_log ADD COLUMN audio_input_tokens INTEGER;
      ALTER TABLE aiu_request_log ADD COLUMN audio_output_tokens INTEGER;
      ALTER TABLE aiu_request_log ADD COLUMN image_input_tokens INTEGER;
      ALTER TABLE aiu_request_log ADD COLUMN tool_use_prompt_tokens INTEGER;
      ALTER TABLE aiu_request_log ADD COLUMN server_tool_requests TEXT;
      ALTER TABLE aiu_request_log ADD COLUMN service_tier TEXT;
      ALTER TABLE aiu_request_log ADD COLUMN cost_source TEXT;
      ALTER TABLE aiu_request_log ADD COLUMN catalog_cost REAL;
      ALTER TABLE aiu_request_log ADD COLUMN cost_audio REAL;
      ALTER TABLE aiu_request_log ADD COLUMN cost_server_tools REAL;
      ALTER TABLE aiu_usage_rollup ADD COLUMN cache_write_1h_tokens INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE aiu_usage_rollup ADD COLUMN audio_input_tokens INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE aiu_usage_rollup ADD COLUMN audio_output_tokens INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE aiu_usage_rollup ADD COLUMN image_input_tokens INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE aiu_usage_rollup ADD COLUMN server_tool_requests INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE aiu_usage_rollup ADD COLUMN audio_cost_nano INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE aiu_usage_rollup ADD COLUMN tier_cost_nano INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE aiu_usage_rollup ADD COLUMN tier_requests INTEGER NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 9,
    name: 'rollups_by_project',
    // Usage is scoped to (user, project): rollups gain the project in their key. Made again, as in
    // version 7, rows copied with no project — and rebuilt from the log if any call had one.
    sql: `
      CREATE TABLE aiu_usage_rollup_v9 (
        span INTEGER NOT NULL, slot INTEGER NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL, status TEXT NOT NULL, user_id TEXT NOT NULL,
        client_key_id TEXT NOT NULL, project_id TEXT NOT NULL,
        requests INTEGER NOT NULL, input_tokens INTEGER NOT NULL, output_tokens INTEGER NOT NULL,
        cached_input_tokens INTEGER NOT NULL, cache_write_tokens INTEGER NOT NULL, reasoning_tokens INTEGER NOT NULL,
        cost_nano INTEGER NOT NULL, unpriced INTEGER NOT NULL, saved_nano INTEGER NOT NULL,
        latency_sum REAL NOT NULL, ttft_sum REAL NOT NULL, ttft_count INTEGER NOT NULL,
        cache_write_1h_tokens INTEGER NOT NULL DEFAULT 0, audio_input_tokens INTEGER NOT NULL DEFAULT 0,
        audio_output_tokens INTEGER NOT NULL DEFAULT 0, image_input_tokens INTEGER NOT NULL DEFAULT 0,
        server_tool_requests INTEGER NOT NULL DEFAULT 0, audio_cost_nano INTEGER NOT NULL DEFAULT 0,
        tier_cost_nano INTEGER NOT NULL DEFAULT 0, tier_requests INTEGER NOT NULL DEFAULT 0,
        latency_hist TEXT NOT NULL, ttft_hist TEXT NOT NULL,
        PRIMARY KEY (span, slot, provider, model, status, user_id, client_key_id, project_id)
      ) STRICT;
      INSERT INTO aiu_usage_rollup_v9
        SELECT span, slot, provider, model, status, user_id, client_key_id, '', requests, input_tokens, output_tokens, cached_input_tokens,
          cache_write_tokens, reasoning_tokens, cost_nano, unpriced, saved_nano, latency_sum, ttft_sum, ttft_count, cache_write_1h_tokens,
          audio_input_tokens, audio_output_tokens, image_input_tokens, server_tool_requests, audio_cost_nano, tier_cost_nano, tier_requests,
          latency_hist, ttft_hist
        FROM aiu_usage_rollup;
      DROP TABLE aiu_usage_rollup;
      ALTER TABLE aiu_usage_rollup_v9 RENAME TO aiu_usage_rollup;
    `,
    rebuildRollupsIf: 'SELECT 1 FROM aiu_request_log WHERE project_id IS NOT NULL LIMIT 1',
  },
  {
    version: 10,
    name: 'guardrail_decisions',
    sql: `ALTER TABLE aiu_request_log ADD COLUMN guardrails TEXT;`,
  },
  {
    version: 11,
    name: 'interrupted_status',
    // Calls a crash cut short are logged as `interrupted` (their in-flight records are files beside
    // the database: stores/sqlite/inflightJournal.ts).
    sql: '',
    run: allowInterruptedStatus,
  },
  {
    version: 12,
    name: 'conversations',
    // Threads apps save (`/conversations`): ids are per owner; the body is the thread as JSON.
    sql: `
      CREATE TABLE aiu_conversations (
        owner TEXT NOT NULL, id TEXT NOT NULL, title TEXT NOT NULL, model TEXT, message_count INTEGER NOT NULL,
        body TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, version INTEGER NOT NULL,
        PRIMARY KEY (owner, id)
      ) STRICT;
      CREATE INDEX aiu_conversations_recent ON aiu_conversations (owner, updated_at DESC, id DESC);
    `,
  },
];

/**
 * SQLite cannot alter a CHECK constraint: the log table is made again with `interrupted` among
 * its statuses (SQLite's documented twelve-step rebuild), its indexes recreated as they were.
 */
function allowInterruptedStatus(db: BetterSqlite3.Database): void {
  const table = db.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'aiu_request_log'").get() as { sql: string } | undefined;
  if (!table) throw new Error('aiu_request_log is missing: the database was not made by aiu.');
  const indexes = (db.prepare("SELECT sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'aiu_request_log' AND sql IS NOT NULL").all() as Array<{ sql: string }>).map((row) => row.sql);
  const widened = table.sql
    .replace(/^CREATE TABLE\s+"?aiu_request_log"?/, 'CREATE TABLE aiu_request_log_v11')
    .replace("CHECK (status IN ('success', 'error', 'aborted'))", "CHECK (status IN ('success', 'error', 'aborted', 'interrupted'))");
  if (!widened.includes("'interrupted'")) throw new Error('aiu_request_log has an unexpected status constraint.');
  db.exec(widened);
  db.exec('INSERT INTO aiu_request_log_v11 SELECT * FROM aiu_request_log');
  db.exec('DROP TABLE aiu_request_log');
  db.exec('ALTER TABLE aiu_request_log_v11 RENAME TO aiu_request_log');
  for (const sql of indexes) db.exec(sql);
}
