import type { ClientKeyRow, ClientKeyStore } from '../../clientKeys/types';

const copy = (row: ClientKeyRow): ClientKeyRow => ({ ...row, models: row.models && [...row.models] });

export function memoryClientKeyStore(): ClientKeyStore {
  const rows = new Map<string, ClientKeyRow>();
  return {
    async insert(row) {
      if (rows.has(row.id) || [...rows.values()].some((other) => other.secretHash === row.secretHash)) throw new Error('client key already exists');
      rows.set(row.id, copy(row));
    },
    async list(owner) {
      return [...rows.values()]
        .filter((row) => owner === undefined || row.owner === owner)
        .sort((a, b) => b.createdAt - a.createdAt || (a.id < b.id ? 1 : -1))
        .map(copy);
    },
    async get(id) {
      const row = rows.get(id);
      return row ? copy(row) : null;
    },
    async findByHash(secretHash) {
      for (const row of rows.values()) if (row.secretHash === secretHash) return copy(row);
      return null;
    },
    async revoke(id, at) {
      const row = rows.get(id);
      if (!row || row.revokedAt !== null) return false;
      row.revokedAt = at;
      return true;
    },
    async touch(id, at) {
      const row = rows.get(id);
      if (row && (row.lastUsedAt === null || row.lastUsedAt < at)) row.lastUsedAt = at;
    },
  };
}
