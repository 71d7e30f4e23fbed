// aiu as users run it: the published build (dist), SQLite request log on, through toExpress
// or the bare Node bridge.
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAiu } from '@aiu/server';
import { toExpress } from '@aiu/server/express';
import { toNodeListener } from '@aiu/server/node';
import { sqliteStore } from '@aiu/server/sqlite';
import express from 'express';

const upstream = process.env.UPSTREAM_URL;
const aiu = createAiu({
  store: sqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'aiu-bench-')), 'aiu.db') }),
  env: {},
  keyring: false,
  logger: { warn() {} },
  providers: { openai: { baseURL: `${upstream}/v1`, apiKey: 'sk-bench-0000000000000000' } },
  // SERVER_TOOL=1: a server tool that answers at once, for the step loop (tools/profile.ts).
  ...(process.env.SERVER_TOOL ? { tools: { weather: { description: 'Current weather', inputSchema: { type: 'object', properties: {} }, execute: () => ({ temperatureC: 21 }) } } } : {}),
});
await aiu.store();
// The /v1 and /ui routes need a client key, as every OpenAI or Anthropic SDK caller would have one.
const issued = await aiu.handler(
  new Request('http://localhost/client-keys', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"name":"bench"}' }),
  { clientAddress: '127.0.0.1' },
);
const { key: clientKey } = await issued.json();
// A failed call during a benchmark must be explained: say which error it was (stderr, shown with BENCH_VERBOSE).
aiu.on('request:error', ({ error, entry }) => console.error(`aiu request failed: ${error.code} (${error.message}) after ${entry.attempts} attempt(s)`));
aiu.on('request:retry', ({ error, attempt }) => console.error(`aiu retry ${attempt}: ${error.code} (${error.message})`));

let server;
if (process.env.MODE === 'express') {
  const app = express();
  app.use(express.json());
  app.use('/api/aiu', toExpress(aiu));
  server = app.listen(0, '127.0.0.1');
} else {
  server = createServer(toNodeListener(aiu)).listen(0, '127.0.0.1');
}
server.keepAliveTimeout = 60_000;
server.on('listening', () => console.log(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}`, clientKey })));
process.on('SIGTERM', () => void aiu.close().finally(() => process.exit(0)));
