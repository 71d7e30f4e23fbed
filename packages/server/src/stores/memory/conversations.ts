import type { ConversationRow, ConversationStore } from '../../conversations/types';

export function memoryConversationStore(): ConversationStore {
  const rows = new Map<string, ConversationRow>();
  const keyOf = (owner: string, id: string) => `${owner}\u0000${id}`;
  return {
    async list(owner, { limit, before }) {
      return [...rows.values()]
        .filter((row) => row.owner === owner && (!before || row.updatedAt < before.updatedAt || (row.updatedAt === before.updatedAt && row.id < before.id)))
        .sort((a, b) => b.updatedAt - a.updatedAt || (a.id < b.id ? 1 : -1))
        .slice(0, limit)
        .map(({ body: _body, ...summary }) => summary);
    },
    async get(owner, id) {
      const row = rows.get(keyOf(owner, id));
      return row ? { ...row } : null;
    },
    async save(row, expectedVersion) {
      const key = keyOf(row.owner, row.id);
      const current = rows.get(key);
      if (expectedVersion !== undefined && (current?.version ?? 0) !== expectedVersion) return { conflict: { version: current?.version ?? null } };
      const saved: ConversationRow = { ...row, createdAt: current?.createdAt ?? row.createdAt, version: (current?.version ?? 0) + 1 };
      rows.set(key, saved);
      return { saved: { ...saved } };
    },
    async remove(owner, id) {
      return rows.delete(keyOf(owner, id));
    },
  };
}
