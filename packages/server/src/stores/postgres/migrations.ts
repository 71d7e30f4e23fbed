import type { Migration } from '../migration';

/** Versioned, append-only, like SQLite's; `{schema}` is replaced by the quoted schema prefix. */
export const POSTGRES_MIGRATIONS: ReadonlyArray<Migration> = [
  {
    version: 1,
    name: 'request_log',
    sql: `
      CREATE TABLE {schema}aiu_request_log (
        id TEXT PRIMARY KEY,
        time BIGINT NOT NULL,
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
        estimated BOOLEAN NOT NULL DEFAULT false,
        cost_input DOUBLE PRECISION,
        cost_output DOUBLE PRECISION,
        cost_total DOUBLE PRECISION,
        latency_ms DOUBLE PRECISION NOT NULL,
        ttft_ms DOUBLE PRECISION,
        metadata TEXT
      );
      CREATE INDEX aiu_request_log_time ON {schema}aiu_request_log (time DESC, id DESC);
      CREATE INDEX aiu_request_log_model_time ON {schema}aiu_request_log (model, time);
      CREATE INDEX aiu_request_log_provider_time ON {schema}aiu_request_log (provider, time);
      CREATE INDEX aiu_request_log_user_time ON {schema}aiu_request_log (user_id, time);
    `,
  },
  {
    version: 2,
    name: 'provider_keys',
    sql: `
      CREATE TABLE {schema}aiu_provider_keys (
        owner TEXT NOT NULL,
        provider TEXT NOT NULL,
        alias TEXT NOT NULL,
        ciphertext TEXT NOT NULL,
        iv TEXT NOT NULL,
        master_key_id TEXT NOT NULL,
        hint TEXT NOT NULL,
        scopes TEXT NOT NULL,
        status TEXT NOT NULL CHECK (status IN ('valid', 'invalid', 'unknown')),
        created_at BIGINT NOT NULL,
        updated_at BIGINT NOT NULL,
        last_validated_at BIGINT,
        PRIMARY KEY (owner, provider, alias)
      );
    `,
  },
  {
    version: 3,
    name: 'request_log_attempts',
    sql: `
      ALTER TABLE {schema}aiu_request_log ADD COLUMN queue_ms DOUBLE PRECISION NOT NULL DEFAULT 0;
      ALTER TABLE {schema}aiu_request_log ADD COLUMN attempt_details TEXT;
    `,
  },
  {
    version: 4,
    name: 'usage_rollups',
    sql: `
      ALTER TABLE {schema}aiu_request_log ADD COLUMN saved_usd DOUBLE PRECISION NOT NULL DEFAULT 0;
      ALTER TABLE {schema}aiu_request_log ADD COLUMN prompt TEXT;
      ALTER TABLE {schema}aiu_request_log ADD COLUMN response TEXT;
      CREATE TABLE {schema}aiu_usage_rollup (
        slot BIGINT NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL, status TEXT NOT NULL, user_id TEXT NOT NULL,
        requests BIGINT NOT NULL, input_tokens BIGINT NOT NULL, output_tokens BIGINT NOT NULL,
        cached_input_tokens BIGINT NOT NULL, cache_write_tokens BIGINT NOT NULL, reasoning_tokens BIGINT NOT NULL,
        cost_nano BIGINT NOT NULL, unpriced BIGINT NOT NULL, saved_nano BIGINT NOT NULL,
        latency_sum DOUBLE PRECISION NOT NULL, ttft_sum DOUBLE PRECISION NOT NULL, ttft_count BIGINT NOT NULL,
        PRIMARY KEY (slot, provider, model, status, user_id)
      );
      CREATE TABLE {schema}aiu_usage_histogram (
        slot BIGINT NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL, status TEXT NOT NULL, user_id TEXT NOT NULL,
        metric TEXT NOT NULL, bin INTEGER NOT NULL, count BIGINT NOT NULL,
        PRIMARY KEY (slot, provider, model, status, user_id, metric, bin)
      );
    `,
  },
  {
    version: 5,
    name: 'usage_rollup_spans',
    // A row per histogram bin made a month of rollups bigger than the log. Rollups now carry
    // their histograms inline (jsonb, merged by aiu_hist_merge), at three spans (day, hour,
    // 15 min). Rollups are derived data, so the new table is rebuilt from the log itself.
    sql: `
      CREATE FUNCTION {schema}aiu_hist_merge(a jsonb, b jsonb) RETURNS jsonb LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT COALESCE(jsonb_object_agg(bin, total), '{}'::jsonb)
        FROM (SELECT bin, SUM(count::bigint) AS total FROM (SELECT * FROM jsonb_each_text(a) UNION ALL SELECT * FROM jsonb_each_text(b)) AS e(bin, count) GROUP BY bin) AS t
      $$;
      DROP TABLE {schema}aiu_usage_histogram;
      DROP TABLE {schema}aiu_usage_rollup;
      CREATE TABLE {schema}aiu_usage_rollup (
        span BIGINT NOT NULL, slot BIGINT NOT NULL, provider TEXT NOT NULL, model TEXT NOT NULL, status TEXT NOT NULL, user_id TEXT NOT NULL,
        requests BIGINT NOT NULL, input_tokens BIGINT NOT NULL, output_tokens BIGINT NOT NULL,
        cached_input_tokens BIGINT NOT NULL, cache_write_tokens BIGINT NOT NULL, reasoning_tokens BIGINT NOT NULL,
        cost_nano BIGINT NOT NULL, unpriced BIGINT NOT NULL, saved_nano BIGINT NOT NULL,
        latency_sum DOUBLE PRECISION NOT NULL, ttft_sum DOUBLE PRECISION NOT NULL, ttft_count BIGINT NOT NULL,
        latency_hist jsonb NOT NULL, ttft_hist jsonb NOT NULL,
        PRIMARY KEY (span, slot, provider, model, status, user_id)
      );
    `,
    rebuildRollups: true,
  },
  {
    version: 6,
    name: 'usage_histograms_as_text',
    // Rendering jsonb as text on the way out was most of a /usage query's time (a month of New
    // York hours: 69 ms of SQL, 8 ms with text columns). Histograms are now stored as the text
    // the report scans, in the same `{"bin":count,…}` form SQLite keeps; merging still parses it
    // as jsonb, on the write path where there is time to spare. The conversion is jsonb's own
    // text (`{"12": 3, …}`, spaces and all: the report reads either), so a large table converts
    // at the speed of one cast per value; the next merge writes a row compactly.
    sql: `
      CREATE FUNCTION {schema}aiu_hist_merge(a text, b text) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
        SELECT '{' || COALESCE(string_agg('"' || bin || '":' || total, ',' ORDER BY bin::integer), '') || '}'
        FROM (SELECT bin, SUM(count::bigint) AS total FROM (SELECT * FROM jsonb_each_text(a::jsonb) UNION ALL SELECT * FROM jsonb_each_text(b::jsonb)) AS e(bin, count) GROUP BY bin) AS t
      $$;
      ALTER TABLE {schema}aiu_usage_rollup ALTER COLUMN latency_hist TYPE text, ALTER COLUMN ttft_hist TYPE text;
      DROP FUNCTION {schema}aiu_hist_merge(jsonb, jsonb);
    `,
  },
  {
    version: 7,
    name: 'request_log_trace',
    sql: `
      ALTER TABLE {schema}aiu_request_log ADD COLUMN step_details TEXT, ADD COLUMN tool_call_details TEXT;
    `,
  },
  {
    version: 8,
    name: 'client_keys',
    // Rollups gain the client key in their key. No call before this had one, so every existing row's is ''.
    sql: `
      CREATE TABLE {schema}aiu_client_keys (
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
        daily_usd DOUBLE PRECISION,
        monthly_usd DOUBLE PRECISION,
        created_at BIGINT NOT NULL,
        expires_at BIGINT,
        last_used_at BIGINT,
        revoked_at BIGINT
      );
      CREATE INDEX aiu_client_keys_owner ON {schema}aiu_client_keys (owner, created_at);
      ALTER TABLE {schema}aiu_request_log ADD COLUMN client_key_id TEXT;
      CREATE INDEX aiu_request_log_client_key_time ON {schema}aiu_request_log (client_key_id, time);
      ALTER TABLE {schema}aiu_usage_rollup ADD COLUMN client_key_id TEXT NOT NULL DEFAULT '';
      ALTER TABLE {schema}aiu_usage_rollup DROP CONSTRAINT aiu_usage_rollup_pkey;
      ALTER TABLE {schema}aiu_usage_rollup ADD PRIMARY KEY (span, slot, provider, model, status, user_id, client_key_id);
    `,
  },
  {
    version: 9,
    name: 'billing_dimensions',
    // Every new column is nullable or 0: an older row simply did not report the dimension.
    sql: `
      ALTER TABLE {schema}aiu_request_log
        ADD COLUMN cache_write_1h_tokens INTEGER, ADD COLUMN audio_input_tokens INTEGER, ADD COLUMN audio_output_tokens INTEGER,
        ADD COLUMN image_input_tokens INTEGER, ADD COLUMN tool_use_prompt_tokens INTEGER, ADD COLUMN server_tool_requests TEXT,
        ADD COLUMN service_tier TEXT, ADD COLUMN cost_source TEXT, ADD COLUMN catalog_cost DOUBLE PRECISION,
        ADD COLUMN cost_audio DOUBLE PRECISION, ADD COLUMN cost_server_tools DOUBLE PRECISION;
      ALTER TABLE {schema}aiu_usage_rollup
        ADD COLUMN cache_write_1h_tokens BIGINT NOT NULL DEFAULT 0, ADD COLUMN audio_input_tokens BIGINT NOT NULL DEFAULT 0,
        ADD COLUMN audio_output_tokens BIGINT NOT NULL DEFAULT 0, ADD COLUMN image_input_tokens BIGINT NOT NULL DEFAULT 0,
        ADD COLUMN server_tool_requests BIGINT NOT NULL DEFAULT 0, ADD COLUMN audio_cost_nano BIGINT NOT NULL DEFAULT 0,
        ADD COLUMN tier_cost_nano BIGINT NOT NULL DEFAULT 0, ADD COLUMN tier_requests BIGINT NOT NULL DEFAULT 0;
    `,
  },
  {
    version: 10,
    name: 'rollups_by_project',
    // Usage is scoped to (user, project): rollups gain the project in their key ('' for rows from
    // before), and are rebuilt from the log if any call had a project.
    sql: `
      ALTER TABLE {schema}aiu_usage_rollup ADD COLUMN project_id TEXT NOT NULL DEFAULT '';
      ALTER TABLE {schema}aiu_usage_rollup DROP CONSTRAINT aiu_usage_rollup_pkey;
      ALTER TABLE {schema}aiu_usage_rollup ADD PRIMARY KEY (span, slot, provider, model, status, user_id, client_key_id, project_id);
    `,
    rebuildRollupsIf: 'SELECT 1 FROM {schema}aiu_request_log WHERE project_id IS NOT NULL LIMIT 1',
  },
  {
    version: 11,
    name: 'guardrail_decisions',
    sql: `ALTER TABLE {schema}aiu_request_log ADD COLUMN guardrails TEXT;`,
  },
  {
    version: 12,
    name: 'calls_in_flight',
    // A call is recorded here before its first byte leaves for the provider, and removed in the
    // transaction that writes its entry: what a crash leaves becomes an `interrupted` entry.
    sql: `
      ALTER TABLE {schema}aiu_request_log DROP CONSTRAINT IF EXISTS aiu_request_log_status_check;
      ALTER TABLE {schema}aiu_request_log ADD CONSTRAINT aiu_request_log_status_check CHECK (status IN ('success', 'error', 'aborted', 'interrupted'));
      CREATE TABLE {schema}aiu_log_pending (
        id TEXT PRIMARY KEY, instance_id TEXT NOT NULL, started_at BIGINT NOT NULL, record TEXT NOT NULL
      );
      CREATE INDEX aiu_log_pending_instance ON {schema}aiu_log_pending (instance_id);
      CREATE TABLE {schema}aiu_instances (
        instance_id TEXT PRIMARY KEY, host TEXT NOT NULL, pid INTEGER NOT NULL, seen_at BIGINT NOT NULL
      );
    `,
  },
  {
    version: 13,
    name: 'conversations',
    // Threads apps save (`/conversations`): ids are per owner; the body is the thread as JSON text.
    sql: `
      CREATE TABLE {schema}aiu_conversations (
        owner TEXT NOT NULL, id TEXT NOT NULL, title TEXT NOT NULL, model TEXT, message_count INTEGER NOT NULL,
        body TEXT NOT NULL, created_at BIGINT NOT NULL, updated_at BIGINT NOT NULL, version INTEGER NOT NULL,
        PRIMARY KEY (owner, id)
      );
      CREATE INDEX aiu_conversations_recent ON {schema}aiu_conversations (owner, updated_at DESC, id DESC);
    `,
  },
];
