import type BetterSqlite3 from 'better-sqlite3';

const caches = new WeakMap<BetterSqlite3.Database, Map<string, BetterSqlite3.Statement>>();

/**
 * A prepared statement, compiled once per database and SQL text. Preparing on every call
 * costs a parse each time and leaves native statements for the garbage collector to find —
 * an export of a million rows otherwise compiles a thousand of them.
 */
export function prepared(db: BetterSqlite3.Database, sql: string): BetterSqlite3.Statement {
  let cache = caches.get(db);
  if (!cache) caches.set(db, (cache = new Map()));
  let statement = cache.get(sql);
  if (!statement) {
    // Filter combinations are few, but never let a cache grow without bound.
    if (cache.size >= 200) cache.clear();
    cache.set(sql, (statement = db.prepare(sql)));
  }
  return statement;
}
