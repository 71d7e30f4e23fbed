import type { KeyRow, KeyStore } from '../../keyring/types';

export function memoryKeyStore(): KeyStore {
  const rows = new Map<string, KeyRow>();
  const id = (owner: string, provider: string, alias: string) => JSON.stringify([owner, provider, alias]);
  return {
    async get(owner, provider, alias) {
      const row = rows.get(id(owner, provider, alias));
      return row ? { ...row, scopes: [...row.scopes] } : null;
    },
    async list(owner) {
      return [...rows.values()].filter((row) => row.owner === owner).map((row) => ({ ...row, scopes: [...row.scopes] }));
    },
    async put(row, { replace }) {
      const key = id(row.owner, row.provider, row.alias);
      const existing = rows.get(key);
      if (existing && !replace) return 'conflict';
      rows.set(key, existing ? { ...row, createdAt: existing.createdAt } : { ...row });
      return existing ? 'replaced' : 'created';
    },
    async delete(owner, provider, alias) {
      return rows.delete(id(owner, provider, alias));
    },
    async setStatus(owner, provider, alias, status, validatedAt) {
      const row = rows.get(id(owner, provider, alias));
      if (row) rows.set(id(owner, provider, alias), { ...row, status, lastValidatedAt: validatedAt });
    },
    async rewriteAll(transform) {
      const next = await transform([...rows.values()].map((row) => ({ ...row })));
      rows.clear();
      for (const row of next) rows.set(id(row.owner, row.provider, row.alias), row);
      return next.length;
    },
  };
}
