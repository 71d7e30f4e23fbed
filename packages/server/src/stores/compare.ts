import type { LogListQuery, LogRecord } from '../log/types';

/** Ordering and filtering shared by stores that work on plain arrays. */
export function newestFirst(a: LogRecord, b: LogRecord): number {
  return b.time - a.time || (a.id < b.id ? 1 : a.id > b.id ? -1 : 0);
}

export function matchesLogQuery(record: LogRecord, query: LogListQuery): boolean {
  if (query.id !== undefined && record.id !== query.id) return false;
  if (query.before) {
    const { time, id } = query.before;
    if (record.time > time || (record.time === time && record.id >= id)) return false;
  }
  if (query.userId !== undefined && record.userId !== query.userId) return false;
  if (query.projectId !== undefined && record.projectId !== query.projectId) return false;
  if (query.clientKeyId !== undefined && (record.clientKeyId ?? null) !== query.clientKeyId) return false;
  if (query.provider !== undefined && record.provider !== query.provider) return false;
  if (query.model !== undefined && record.model !== query.model) return false;
  if (query.status !== undefined && record.status !== query.status) return false;
  if (query.from !== undefined && record.time < query.from) return false;
  if (query.to !== undefined && record.time >= query.to) return false;
  return true;
}
