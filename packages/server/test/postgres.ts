import pg from 'pg';
import { postgresStore } from '../src/stores/postgres';
import type { AiuStore } from '../src/stores/types';

export const DATABASE_URL = process.env.AIU_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

/**
 * Whether the test PostgreSQL answers. Unreachable: a loud skip on a developer machine,
 * a failure under CI=true (CI must never pass by skipping the real database).
 */
export async function postgresReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: DATABASE_URL, connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
    await client.query('SELECT 1');
    return true;
  } catch (error) {
    const message = `PostgreSQL at ${DATABASE_URL.replace(/\/\/[^@]*@/, '//…@')} is not reachable (${(error as Error).message}); set AIU_TEST_DATABASE_URL.`;
    if (process.env.CI === 'true') throw new Error(`${message} CI requires it.`, { cause: error });
    console.warn(`\n⚠⚠⚠ SKIPPING PostgreSQL tests: ${message}\n`);
    return false;
  } finally {
    await client.end().catch(() => {});
  }
}

/** A store in a fresh schema of its own, dropped by `dispose`. */
export function postgresTestStore(): { store: AiuStore; schema: string; dispose(): Promise<void> } {
  const schema = `aiu_test_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
  const store = postgresStore({ connectionString: DATABASE_URL, schema });
  return {
    store,
    schema,
    async dispose() {
      await store.close();
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await client.end();
    },
  };
}

/**
 * The stores a conformance suite runs on: memory, SQLite in a temp file, and PostgreSQL in
 * a schema of its own (when reachable). Call `dispose` after the suite.
 */
export async function storeMatrix(options: { memory?: boolean } = {}): Promise<{ stores: Array<[string, () => AiuStore]>; dispose(): Promise<void> }> {
  const { mkdtempSync } = await import('node:fs');
  const { tmpdir } = await import('node:os');
  const { join } = await import('node:path');
  const { memoryStore } = await import('../src/stores/memory');
  const { sqliteStore } = await import('../src/stores/sqlite');
  const disposers: Array<() => Promise<void>> = [];
  const stores: Array<[string, () => AiuStore]> = [
    ...(options.memory === false ? [] : [['memory', () => memoryStore()] as [string, () => AiuStore]]),
    ['sqlite', () => sqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'aiu-store-')), 'nested', 'aiu.db') })],
  ];
  if (await postgresReachable()) {
    stores.push([
      'postgres',
      () => {
        const test = postgresTestStore();
        disposers.push(test.dispose);
        return test.store;
      },
    ]);
  }
  return {
    stores,
    async dispose() {
      for (const dispose of disposers) await dispose();
    },
  };
}
