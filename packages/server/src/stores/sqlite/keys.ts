import type BetterSqlite3 from 'better-sqlite3';
import type { KeyStore } from '../../keyring/types';
import { fromKeyRecord, KEY_COLUMNS, type KeyRecord, toKeyParams } from '../keyRows';
import { prepared } from './statements';

export function sqliteKeyStore(db: () => BetterSqlite3.Database): KeyStore {
  const placeholders = KEY_COLUMNS.split(',').map(() => '?').join(', ');
  return {
    async get(owner, provider, alias) {
      const record = prepared(db(), `SELECT ${KEY_COLUMNS} FROM aiu_provider_keys WHERE owner = ? AND provider = ? AND alias = ?`)
        .get(owner, provider, alias) as KeyRecord | undefined;
      return record ? fromKeyRecord(record) : null;
    },
    async list(owner) {
      return (prepared(db(), `SELECT ${KEY_COLUMNS} FROM aiu_provider_keys WHERE owner = ? ORDER BY provider, alias`).all(owner) as KeyRecord[]).map(fromKeyRecord);
    },
    async put(row, { replace }) {
      const database = db();
      return database.transaction(() => {
        const exists = prepared(database, 'SELECT created_at FROM aiu_provider_keys WHERE owner = ? AND provider = ? AND alias = ?').get(row.owner, row.provider, row.alias) as
          | { created_at: number }
          | undefined;
        if (exists && !replace) return 'conflict' as const;
        const params = toKeyParams(exists ? { ...row, createdAt: exists.created_at } : row);
        prepared(database, `INSERT OR REPLACE INTO aiu_provider_keys (${KEY_COLUMNS}) VALUES (${placeholders})`).run(...params);
        return exists ? ('replaced' as const) : ('created' as const);
      })();
    },
    async delete(owner, provider, alias) {
      return prepared(db(), 'DELETE FROM aiu_provider_keys WHERE owner = ? AND provider = ? AND alias = ?').run(owner, provider, alias).changes > 0;
    },
    async setStatus(owner, provider, alias, status, validatedAt) {
      prepared(db(), 'UPDATE aiu_provider_keys SET status = ?, last_validated_at = ? WHERE owner = ? AND provider = ? AND alias = ?')
        .run(status, validatedAt, owner, provider, alias);
    },
    async rewriteAll(transform) {
      const database = db();
      // An IMMEDIATE transaction held across the (async) re-encryption: no write can slip in between.
      database.exec('BEGIN IMMEDIATE');
      try {
        const rows = (prepared(database, `SELECT ${KEY_COLUMNS} FROM aiu_provider_keys`).all() as KeyRecord[]).map(fromKeyRecord);
        const next = await transform(rows);
        const update = prepared(database, 
          'UPDATE aiu_provider_keys SET ciphertext = ?, iv = ?, master_key_id = ?, updated_at = ? WHERE owner = ? AND provider = ? AND alias = ?',
        );
        for (const row of next) update.run(row.ciphertext, row.iv, row.masterKeyId, row.updatedAt, row.owner, row.provider, row.alias);
        database.exec('COMMIT');
        return next.length;
      } catch (error) {
        database.exec('ROLLBACK');
        throw error;
      }
    },
  };
}
