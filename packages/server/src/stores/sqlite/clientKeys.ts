import type BetterSqlite3 from 'better-sqlite3';
import type { ClientKeyStore } from '../../clientKeys/types';
import { CLIENT_KEY_COLUMNS, type ClientKeyRecord, fromClientKeyRecord, toClientKeyParams } from '../clientKeyRows';
import { prepared } from './statements';

export function sqliteClientKeyStore(db: () => BetterSqlite3.Database): ClientKeyStore {
  const placeholders = CLIENT_KEY_COLUMNS.split(',').map(() => '?').join(', ');
  const one = (sql: string, ...params: unknown[]) => {
    const record = prepared(db(), sql).get(...params) as ClientKeyRecord | undefined;
    return record ? fromClientKeyRecord(record) : null;
  };
  return {
    async insert(row) {
      prepared(db(), `INSERT INTO aiu_client_keys (${CLIENT_KEY_COLUMNS}) VALUES (${placeholders})`).run(...toClientKeyParams(row));
    },
    async list(owner) {
      const records =
        owner === undefined
          ? prepared(db(), `SELECT ${CLIENT_KEY_COLUMNS} FROM aiu_client_keys ORDER BY created_at DESC, id DESC`).all()
          : prepared(db(), `SELECT ${CLIENT_KEY_COLUMNS} FROM aiu_client_keys WHERE owner = ? ORDER BY created_at DESC, id DESC`).all(owner);
      return (records as ClientKeyRecord[]).map(fromClientKeyRecord);
    },
    async get(id) {
      return one(`SELECT ${CLIENT_KEY_COLUMNS} FROM aiu_client_keys WHERE id = ?`, id);
    },
    async findByHash(secretHash) {
      return one(`SELECT ${CLIENT_KEY_COLUMNS} FROM aiu_client_keys WHERE secret_hash = ?`, secretHash);
    },
    async revoke(id, at) {
      return prepared(db(), 'UPDATE aiu_client_keys SET revoked_at = ? WHERE id = ? AND revoked_at IS NULL').run(at, id).changes > 0;
    },
    async touch(id, at) {
      prepared(db(), 'UPDATE aiu_client_keys SET last_used_at = ? WHERE id = ? AND (last_used_at IS NULL OR last_used_at < ?)').run(at, id, at);
    },
  };
}
