// aiu as a gateway would run it (the built package, a durable store), for the crash test:
// killed with SIGKILL mid-load, then started again on the same store.
import { createServer } from 'node:http';
import { createAiu } from '../../packages/server/dist/index.js';
import { toNodeListener } from '../../packages/server/dist/node.js';

const { STORE, UPSTREAM_URL, DB_PATH, DATABASE_URL, DB_SCHEMA } = process.env;
const store =
  STORE === 'postgres'
    ? (await import('../../packages/server/dist/postgres.js')).postgresStore({ connectionString: DATABASE_URL, schema: DB_SCHEMA })
    : (await import('../../packages/server/dist/sqlite.js')).sqliteStore({ path: DB_PATH });

const warnings = [];
const aiu = createAiu({
  store,
  env: {},
  keyring: false,
  retries: { maxAttempts: 1 },
  // Finished entries wait up to a second to be written: a crash catches some of them queued too.
  log: { flushIntervalMs: 1_000 },
  logger: { warn: (message) => warnings.push(message) },
  providers: { openai: { baseURL: `${UPSTREAM_URL}/v1`, apiKey: 'sk-crash-test-0000000000000000' } },
});
await aiu.store();
const server = createServer(toNodeListener(aiu)).listen(0, '127.0.0.1');
server.on('listening', () => console.log(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}`, warnings })));
process.on('SIGTERM', () => void aiu.close().finally(() => process.exit(0)));
