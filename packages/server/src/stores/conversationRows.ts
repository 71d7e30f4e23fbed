import type { ConversationRow, ConversationStore, ConversationSummaryRow } from '../conversations/types';

/** A thread as SQL stores keep it (snake_case; times as epoch milliseconds). */
export interface ConversationRecord {
  owner: string;
  id: string;
  title: string;
  model: string | null;
  message_count: number | string;
  body?: string;
  created_at: number | string;
  updated_at: number | string;
  version: number | string;
}

export const CONVERSATION_SUMMARY_COLUMNS = 'owner, id, title, model, message_count, created_at, updated_at, version';
export const CONVERSATION_COLUMNS = `${CONVERSATION_SUMMARY_COLUMNS}, body`;

export function fromConversationSummary(record: ConversationRecord): ConversationSummaryRow {
  return {
    owner: record.owner,
    id: record.id,
    title: record.title,
    model: record.model,
    messageCount: Number(record.message_count),
    createdAt: Number(record.created_at),
    updatedAt: Number(record.updated_at),
    version: Number(record.version),
  };
}

export function fromConversationRecord(record: ConversationRecord): ConversationRow {
  return { ...fromConversationSummary(record), body: record.body ?? '{}' };
}

/**
 * One statement for both SQL stores (`?` or `$n` placeholders) that saves in one step, or returns
 * no row when the stored version is not the expected one (a conflict). Without an expected
 * version (or with 0, "none yet") it inserts or replaces; with one, it only replaces that version.
 * `createdAt` stays the first save's; the version goes up by one.
 */
function saveConversationStatement(
  table: string,
  placeholder: (n: number) => string,
  row: Omit<ConversationRow, 'version'>,
  expectedVersion: number | undefined,
): { sql: string; params: unknown[] } {
  const p = placeholder;
  if (expectedVersion !== undefined && expectedVersion > 0) {
    return {
      sql: `UPDATE ${table} SET title = ${p(1)}, model = ${p(2)}, message_count = ${p(3)}, body = ${p(4)}, updated_at = ${p(5)}, version = version + 1
        WHERE owner = ${p(6)} AND id = ${p(7)} AND version = ${p(8)} RETURNING ${CONVERSATION_COLUMNS}`,
      params: [row.title, row.model, row.messageCount, row.body, row.updatedAt, row.owner, row.id, expectedVersion],
    };
  }
  // With 0 the update never applies: an existing thread is a conflict.
  const onlyNew = expectedVersion === 0 ? ' WHERE 1 = 0' : '';
  return {
    sql: `INSERT INTO ${table} AS t (owner, id, title, model, message_count, body, created_at, updated_at, version)
      VALUES (${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}, ${p(7)}, ${p(8)}, 1)
      ON CONFLICT (owner, id) DO UPDATE SET title = excluded.title, model = excluded.model, message_count = excluded.message_count,
        body = excluded.body, updated_at = excluded.updated_at, version = t.version + 1${onlyNew}
      RETURNING ${CONVERSATION_COLUMNS}`,
    params: [row.owner, row.id, row.title, row.model, row.messageCount, row.body, row.createdAt, row.updatedAt],
  };
}

/** Newest save first; with a cursor, what comes after it. */
function listConversationsSql(table: string, p: (n: number) => string, paged: boolean): string {
  const after = paged ? ` AND (updated_at < ${p(2)} OR (updated_at = ${p(2)} AND id < ${p(3)}))` : '';
  return `SELECT ${CONVERSATION_SUMMARY_COLUMNS} FROM ${table} WHERE owner = ${p(1)}${after} ORDER BY updated_at DESC, id DESC LIMIT ${p(paged ? 4 : 2)}`;
}

/** How a SQL store runs a statement: its rows, and how many rows it changed. */
export interface SqlRunner {
  placeholder: (n: number) => string;
  query(sql: string, params: unknown[]): Promise<ConversationRecord[]>;
  execute(sql: string, params: unknown[]): Promise<number>;
}

/** The conversation store of both SQL stores: the same statements, told apart by their runner. */
export function sqlConversationStore(table: string, sql: SqlRunner): ConversationStore {
  const p = sql.placeholder;
  return {
    async list(owner, { limit, before }) {
      const params = before ? [owner, before.updatedAt, before.id, limit] : [owner, limit];
      return (await sql.query(listConversationsSql(table, p, Boolean(before)), params)).map(fromConversationSummary);
    },
    async get(owner, id) {
      const [record] = await sql.query(`SELECT ${CONVERSATION_COLUMNS} FROM ${table} WHERE owner = ${p(1)} AND id = ${p(2)}`, [owner, id]);
      return record ? fromConversationRecord(record) : null;
    },
    async save(row, expectedVersion) {
      const statement = saveConversationStatement(table, p, row, expectedVersion);
      const [saved] = await sql.query(statement.sql, statement.params);
      if (saved) return { saved: fromConversationRecord(saved) };
      const [current] = await sql.query(`SELECT version FROM ${table} WHERE owner = ${p(1)} AND id = ${p(2)}`, [row.owner, row.id]);
      return { conflict: { version: current ? Number(current.version) : null } };
    },
    async remove(owner, id) {
      return (await sql.execute(`DELETE FROM ${table} WHERE owner = ${p(1)} AND id = ${p(2)}`, [owner, id])) > 0;
    },
  };
}
