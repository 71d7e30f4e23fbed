import { matchesRollup, rollupDeltas } from '../../log/rollup';
import type { LogListQuery, LogRecord } from '../../log/types';
import { matchesLogQuery, newestFirst } from '../compare';
import type { AiuStore } from '../types';
import { memoryClientKeyStore } from './clientKeys';
import { memoryConversationStore } from './conversations';
import { memoryKeyStore } from './keys';

/** Keeps everything in memory: for tests and throwaway demos. */
export function memoryStore(): AiuStore {
  const logs: LogRecord[] = [];
  return {
    kind: 'memory',
    keys: memoryKeyStore(),
    clientKeys: memoryClientKeyStore(),
    conversations: memoryConversationStore(),
    async init() {},
    async insertLogs(records) {
      for (const record of records) logs.push({ ...record });
    },
    async listLogs(query: LogListQuery) {
      return logs
        .filter((record) => matchesLogQuery(record, query))
        .sort(newestFirst)
        .slice(0, query.limit)
        .map((record) => ({ ...record }));
    },
    async usageRollups(query) {
      return rollupDeltas(logs).filter((row) => matchesRollup(row, query));
    },
    async close() {},
  };
}
