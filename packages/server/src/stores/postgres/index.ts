import type { Pool, PoolClient, PoolConfig } from 'pg';
import type { ClientKeyStore } from '../../clientKeys/types';
import type { KeyStore } from '../../keyring/types';
import { type ConversationRecord, sqlConversationStore } from '../conversationRows';
import { CLIENT_KEY_COLUMNS, type ClientKeyRecord, fromClientKeyRecord, toClientKeyParams } from '../clientKeyRows';
import type { LogListQuery, LogRecord } from '../../log/types';
import { fromKeyRecord, KEY_COLUMNS, type KeyRecord, toKeyParams } from '../keyRows';
import { type BillingColumns, billingOf, LOG_COLUMNS, logParams } from '../logColumns';
import type { AiuStore } from '../types';
import { rollupDeltas } from '../../log/rollup';
import { fromRollupValues, ROLLUP_COLUMNS, ROLLUP_HISTOGRAMS, ROLLUP_KEY, ROLLUP_SUMS, rollupSelect, rollupValues, rollupWhere } from '../rollupRows';
import { POSTGRES_MIGRATIONS } from './migrations';
import { GroupCommit } from '../../util/groupCommit';

/** `($1, $2), ($3, $4)` for rows of values, with the flat parameter list. */
function multiRowInsert(rows: unknown[][]): { sql: string; params: unknown[] } {
  const params: unknown[] = [];
  const tuples = rows.map((values) => {
    const placeholders = values.map((_, i) => `$${params.length + i + 1}`);
    params.push(...values);
    return `(${placeholders.join(', ')})`;
  });
  return { sql: tuples.join(', '), params };
}

export interface PostgresStoreOptions {
  connectionString?: string;
  /** An existing pg Pool (the store then does not end it). */
  pool?: Pool;
  /** Schema for aiu's tables (created if missing). Default: the connection's search_path. */
  schema?: string;
  /** Extra pg pool settings when the store creates the pool. */
  poolConfig?: PoolConfig;
}

/** Rows per INSERT: as many as stay below PostgreSQL's 65,535 parameters. */
const INSERT_CHUNK = Math.min(1000, Math.floor(65_535 / LOG_COLUMNS.length));

interface LogRow {
  id: string; time: string; user_id: string | null; project_id: string | null; provider: string; model: string;
  status: LogRecord['status']; error_code: string | null; attempts: number; input_tokens: number; output_tokens: number;
  cached_input_tokens: number; cache_write_tokens: number; reasoning_tokens: number; total_tokens: number; estimated: boolean;
  cost_input: number | null; cost_output: number | null; cost_total: number | null; latency_ms: number; ttft_ms: number | null;
  queue_ms: number; attempt_details: string | null; saved_usd: number; prompt: string | null; response: string | null; metadata: string | null;
  step_details: string | null; tool_call_details: string | null; client_key_id: string | null;
}

type LogRowWithBilling = LogRow & BillingColumns;

function fromLogRow(row: LogRowWithBilling): LogRecord {
  return {
    id: row.id, time: Number(row.time), userId: row.user_id, projectId: row.project_id, provider: row.provider, model: row.model,
    status: row.status, errorCode: row.error_code, attempts: row.attempts, inputTokens: row.input_tokens,
    outputTokens: row.output_tokens, cachedInputTokens: row.cached_input_tokens, cacheWriteTokens: row.cache_write_tokens,
    reasoningTokens: row.reasoning_tokens, totalTokens: row.total_tokens, estimated: row.estimated, costInput: row.cost_input,
    costOutput: row.cost_output, costTotal: row.cost_total, latencyMs: row.latency_ms, ttftMs: row.ttft_ms, queueMs: row.queue_ms,
    attemptDetails: row.attempt_details, savedUsd: row.saved_usd, prompt: row.prompt, response: row.response, metadata: row.metadata,
    stepDetails: row.step_details, toolCallDetails: row.tool_call_details, clientKeyId: row.client_key_id,
    // pg reads DOUBLE PRECISION as a number and INTEGER as a number: no conversion needed.
    ...billingOf(row),
  };
}

/** PostgreSQL through `pg` (an optional peer): the request log and encrypted keys. */
export function postgresStore(options: PostgresStoreOptions = {}): AiuStore {
  let pool: Pool | undefined = options.pool;
  const ownsPool = !options.pool;
  const prefix = options.schema ? `"${options.schema.replace(/"/g, '""')}".` : '';
  const table = (name: string) => `${prefix}${name}`;

  function db(): Pool {
    if (!pool) throw new Error('postgresStore used before init()');
    return pool;
  }

  async function transaction<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await db().connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  const keys: KeyStore = {
    async get(owner, provider, alias) {
      const { rows } = await db().query<KeyRecord>(
        `SELECT ${KEY_COLUMNS} FROM ${table('aiu_provider_keys')} WHERE owner = $1 AND provider = $2 AND alias = $3`,
        [owner, provider, alias],
      );
      return rows[0] ? fromKeyRecord(rows[0]) : null;
    },
    async list(owner) {
      const { rows } = await db().query<KeyRecord>(`SELECT ${KEY_COLUMNS} FROM ${table('aiu_provider_keys')} WHERE owner = $1 ORDER BY provider, alias`, [owner]);
      return rows.map(fromKeyRecord);
    },
    async put(row, { replace }) {
      const params = toKeyParams(row);
      const values = params.map((_, i) => `$${i + 1}`).join(', ');
      const conflict = replace
        ? 'DO UPDATE SET ciphertext = EXCLUDED.ciphertext, iv = EXCLUDED.iv, master_key_id = EXCLUDED.master_key_id, hint = EXCLUDED.hint, scopes = EXCLUDED.scopes, status = EXCLUDED.status, updated_at = EXCLUDED.updated_at, last_validated_at = EXCLUDED.last_validated_at'
        : 'DO NOTHING';
      const { rows } = await db().query<{ inserted: boolean }>(
        `INSERT INTO ${table('aiu_provider_keys')} (${KEY_COLUMNS}) VALUES (${values}) ON CONFLICT (owner, provider, alias) ${conflict} RETURNING (xmax = 0) AS inserted`,
        params,
      );
      if (!rows[0]) return 'conflict';
      return rows[0].inserted ? 'created' : 'replaced';
    },
    async delete(owner, provider, alias) {
      const result = await db().query(`DELETE FROM ${table('aiu_provider_keys')} WHERE owner = $1 AND provider = $2 AND alias = $3`, [owner, provider, alias]);
      return (result.rowCount ?? 0) > 0;
    },
    async setStatus(owner, provider, alias, status, validatedAt) {
      await db().query(
        `UPDATE ${table('aiu_provider_keys')} SET status = $1, last_validated_at = $2 WHERE owner = $3 AND provider = $4 AND alias = $5`,
        [status, validatedAt, owner, provider, alias],
      );
    },
    async rewriteAll(transform) {
      return transaction(async (client) => {
        const { rows } = await client.query<KeyRecord>(`SELECT ${KEY_COLUMNS} FROM ${table('aiu_provider_keys')} FOR UPDATE`);
        const next = await transform(rows.map(fromKeyRecord));
        for (const row of next) {
          await client.query(
            `UPDATE ${table('aiu_provider_keys')} SET ciphertext = $1, iv = $2, master_key_id = $3, updated_at = $4 WHERE owner = $5 AND provider = $6 AND alias = $7`,
            [row.ciphertext, row.iv, row.masterKeyId, row.updatedAt, row.owner, row.provider, row.alias],
          );
        }
        return next.length;
      });
    },
  };

  const clientKeys: ClientKeyStore = {
    async insert(row) {
      const params = toClientKeyParams(row);
      await db().query(`INSERT INTO ${table('aiu_client_keys')} (${CLIENT_KEY_COLUMNS}) VALUES (${params.map((_, i) => `$${i + 1}`).join(', ')})`, params);
    },
    async list(owner) {
      const order = 'ORDER BY created_at DESC, id DESC';
      const { rows } =
        owner === undefined
          ? await db().query<ClientKeyRecord>(`SELECT ${CLIENT_KEY_COLUMNS} FROM ${table('aiu_client_keys')} ${order}`)
          : await db().query<ClientKeyRecord>(`SELECT ${CLIENT_KEY_COLUMNS} FROM ${table('aiu_client_keys')} WHERE owner = $1 ${order}`, [owner]);
      return rows.map(fromClientKeyRecord);
    },
    async get(id) {
      const { rows } = await db().query<ClientKeyRecord>(`SELECT ${CLIENT_KEY_COLUMNS} FROM ${table('aiu_client_keys')} WHERE id = $1`, [id]);
      return rows[0] ? fromClientKeyRecord(rows[0]) : null;
    },
    async findByHash(secretHash) {
      const { rows } = await db().query<ClientKeyRecord>(`SELECT ${CLIENT_KEY_COLUMNS} FROM ${table('aiu_client_keys')} WHERE secret_hash = $1`, [secretHash]);
      return rows[0] ? fromClientKeyRecord(rows[0]) : null;
    },
    async revoke(id, at) {
      const result = await db().query(`UPDATE ${table('aiu_client_keys')} SET revoked_at = $1 WHERE id = $2 AND revoked_at IS NULL`, [at, id]);
      return (result.rowCount ?? 0) > 0;
    },
    async touch(id, at) {
      await db().query(`UPDATE ${table('aiu_client_keys')} SET last_used_at = $1 WHERE id = $2 AND (last_used_at IS NULL OR last_used_at < $1)`, [at, id]);
    },
  };

  /** Adds records to the rollups (inside the transaction that inserts them). */
  async function addToRollups(client: PoolClient, records: ReadonlyArray<LogRecord>): Promise<void> {
    const rows = rollupDeltas(records);
    // 1,000 rows × 20 columns stays under PostgreSQL's 65,535 bind parameters.
    for (let start = 0; start < rows.length; start += 1000) {
      const rollup = multiRowInsert(rows.slice(start, start + 1000).map(rollupValues));
      await client.query(
        `INSERT INTO ${table('aiu_usage_rollup')} (${ROLLUP_COLUMNS}) VALUES ${rollup.sql} ON CONFLICT (${ROLLUP_KEY}) DO UPDATE SET ${[
          ...ROLLUP_SUMS.map((c) => `${c} = aiu_usage_rollup.${c} + EXCLUDED.${c}`),
          ...ROLLUP_HISTOGRAMS.map((c) => `${c} = ${table('aiu_hist_merge')}(aiu_usage_rollup.${c}, EXCLUDED.${c})`),
        ].join(', ')}`,
        rollup.params,
      );
    }
  }

  /** Recomputes every rollup from the log, a page at a time (rollups are derived data). */
  async function rebuildRollups(client: PoolClient): Promise<void> {
    await client.query(`DELETE FROM ${table('aiu_usage_rollup')}`);
    let after: { time: number; id: string } | null = null;
    for (;;) {
      const page = await client.query<LogRowWithBilling>(
        `SELECT ${LOG_COLUMNS.join(', ')} FROM ${table('aiu_request_log')} ${after ? 'WHERE (time, id) > ($1, $2)' : ''} ORDER BY time, id LIMIT 5000`,
        after ? [after.time, after.id] : [],
      );
      const records: LogRecord[] = page.rows.map(fromLogRow);
      const last: LogRecord | undefined = records[records.length - 1];
      if (!last) return;
      await addToRollups(client, records);
      after = { time: last.time, id: last.id };
    }
  }

  // Calls that start in the same loop turn share one INSERT (one round trip instead of one each).
  const beginGroup = new GroupCommit<[string, string, number, string]>(async (rows) => {
    const { sql, params } = multiRowInsert([...new Map(rows.map((row) => [row[0], row])).values()]);
    await db().query(`INSERT INTO ${table('aiu_log_pending')} (id, instance_id, started_at, record) VALUES ${sql} ON CONFLICT (id) DO UPDATE SET record = EXCLUDED.record`, params);
  });

  async function insertWith(client: PoolClient, records: ReadonlyArray<LogRecord>): Promise<void> {
    for (let start = 0; start < records.length; start += INSERT_CHUNK) {
      const chunk = records.slice(start, start + INSERT_CHUNK);
      const { sql, params } = multiRowInsert(chunk.map((record) => logParams(record, 'native')));
      const inserted = await client.query<{ id: string }>(
        `INSERT INTO ${table('aiu_request_log')} (${LOG_COLUMNS.join(', ')}) VALUES ${sql} ON CONFLICT (id) DO NOTHING RETURNING id`,
        params,
      );
      await client.query(`DELETE FROM ${table('aiu_log_pending')} WHERE id = ANY($1)`, [chunk.map((record) => record.id)]);
      // Only rows that were new count: a retried flush must not count twice.
      const fresh = new Set(inserted.rows.map((row) => row.id));
      await addToRollups(client, chunk.filter((record) => fresh.has(record.id)));
    }
  }

  return {
    kind: 'postgres',
    keys,
    clientKeys,
    conversations: sqlConversationStore(table('aiu_conversations'), {
      placeholder: (n) => `$${n}`,
      query: async (sql, params) => (await db().query<ConversationRecord>(sql, params)).rows,
      execute: async (sql, params) => (await db().query(sql, params)).rowCount ?? 0,
    }),

    async init() {
      if (!pool) {
        const pg = await loadDriver();
        pool = new pg.Pool({ connectionString: options.connectionString, ...options.poolConfig });
      }
      await transaction(async (client) => {
        // One migrator at a time across every instance sharing the database.
        await client.query('SELECT pg_advisory_xact_lock(74215001)');
        if (options.schema) await client.query(`CREATE SCHEMA IF NOT EXISTS ${prefix.slice(0, -1)}`);
        await client.query(
          `CREATE TABLE IF NOT EXISTS ${table('aiu_schema_migrations')} (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)`,
        );
        const { rows } = await client.query<{ version: number }>(`SELECT version FROM ${table('aiu_schema_migrations')}`);
        const applied = new Set(rows.map((row) => row.version));
        // Rollups are rebuilt once, after every pending migration: a rebuild reads the log's
        // current columns, which later migrations may still be adding.
        let rebuild = false;
        for (const migration of POSTGRES_MIGRATIONS) {
          if (applied.has(migration.version)) continue;
          await client.query(migration.sql.replaceAll('{schema}', prefix));
          rebuild ||=
            migration.rebuildRollups === true ||
            (migration.rebuildRollupsIf !== undefined && (await client.query(migration.rebuildRollupsIf.replaceAll('{schema}', prefix))).rowCount !== 0);
          await client.query(`INSERT INTO ${table('aiu_schema_migrations')} (version, name, applied_at) VALUES ($1, $2, $3)`, [
            migration.version,
            migration.name,
            Date.now(),
          ]);
        }
        if (rebuild) await rebuildRollups(client);
      });
    },

    async insertLogs(records) {
      // Raw rows, rollups and the end of the calls' pending records in one transaction: they can never disagree.
      await transaction((client) => insertWith(client, records));
    },

    pending: {
      begin(record, instanceId) {
        return beginGroup.add([record.id, instanceId, record.time, JSON.stringify(record)]);
      },
      async heartbeat(instance, now) {
        await db().query(
          `INSERT INTO ${table('aiu_instances')} (instance_id, host, pid, seen_at) VALUES ($1, $2, $3, $4) ON CONFLICT (instance_id) DO UPDATE SET seen_at = EXCLUDED.seen_at`,
          [instance.id, instance.host, instance.pid, now],
        );
      },
      async instancesWithPending() {
        const { rows } = await db().query<{ id: string; host: string | null; pid: number | null; seen_at: string | null }>(
          `SELECT p.instance_id AS id, i.host, i.pid, i.seen_at
           FROM (SELECT DISTINCT instance_id FROM ${table('aiu_log_pending')}) p LEFT JOIN ${table('aiu_instances')} i ON i.instance_id = p.instance_id`,
        );
        return rows.map((row) => ({ id: row.id, host: row.host, pid: row.pid, seenAt: row.seen_at === null ? null : Number(row.seen_at) }));
      },
      async recover(instanceIds) {
        if (!instanceIds.length) return 0;
        return transaction(async (client) => {
          // DELETE … RETURNING takes the rows: two instances recovering at once cannot both log a call.
          const { rows } = await client.query<{ record: string }>(`DELETE FROM ${table('aiu_log_pending')} WHERE instance_id = ANY($1) RETURNING record`, [instanceIds]);
          await client.query(`DELETE FROM ${table('aiu_instances')} WHERE instance_id = ANY($1)`, [instanceIds]);
          await insertWith(client, rows.map((row) => JSON.parse(row.record) as LogRecord));
          return rows.length;
        });
      },
      async leave(instanceId) {
        await db().query(`DELETE FROM ${table('aiu_instances')} WHERE instance_id = $1`, [instanceId]);
      },
    },

    async usageRollups(query) {
      const params: unknown[] = [];
      const where = rollupWhere(query, (value) => {
        params.push(value);
        return `$${params.length}`;
      });
      const text = rollupSelect(query, table('aiu_usage_rollup'), where, (column, grouped) => (grouped ? `string_agg(${column}, '')` : column));
      const { rows } = await db().query({ text, values: params, rowMode: 'array' });
      return (rows as unknown[][]).map(fromRollupValues);
    },

    async listLogs(query: LogListQuery) {
      const where: string[] = [];
      const params: unknown[] = [];
      const param = (value: unknown) => {
        params.push(value);
        return `$${params.length}`;
      };
      if (query.id !== undefined) where.push(`id = ${param(query.id)}`);
      if (query.before) where.push(`(time, id) < (${param(query.before.time)}, ${param(query.before.id)})`);
      if (query.userId !== undefined) where.push(query.userId === null ? 'user_id IS NULL' : `user_id = ${param(query.userId)}`);
      if (query.projectId !== undefined) where.push(query.projectId === null ? 'project_id IS NULL' : `project_id = ${param(query.projectId)}`);
      if (query.clientKeyId !== undefined) where.push(`client_key_id = ${param(query.clientKeyId)}`);
      if (query.provider !== undefined) where.push(`provider = ${param(query.provider)}`);
      if (query.model !== undefined) where.push(`model = ${param(query.model)}`);
      if (query.status !== undefined) where.push(`status = ${param(query.status)}`);
      if (query.from !== undefined) where.push(`time >= ${param(query.from)}`);
      if (query.to !== undefined) where.push(`time < ${param(query.to)}`);
      const sql =
        `SELECT ${LOG_COLUMNS.join(', ')} FROM ${table('aiu_request_log')}` +
        (where.length ? ` WHERE ${where.join(' AND ')}` : '') +
        ` ORDER BY time DESC, id DESC LIMIT ${param(query.limit)}`;
      const { rows } = await db().query<LogRowWithBilling>(sql, params);
      return rows.map(fromLogRow);
    },

    async close() {
      if (pool && ownsPool) await pool.end();
      pool = undefined;
    },
  };
}

async function loadDriver(): Promise<typeof import('pg')> {
  try {
    const module = (await import('pg')) as typeof import('pg') & { default?: typeof import('pg') };
    return module.default ?? module;
  } catch (error) {
    throw new Error('The PostgreSQL store needs the optional peer dependency pg: run `npm install pg`.', { cause: error });
  }
}
