// Serves an existing SQLite log from the published build, so the export's memory is measured
// in a process of its own, without a TypeScript loader in it. Started with --expose-gc:
// GET /__live-heap runs a full collection and answers the heap still in use — what the export
// keeps alive, as opposed to what the collector has not got round to freeing yet.
import { createServer } from 'node:http';
import v8 from 'node:v8';
import { createAiu } from '@aiu/server';
import { toNodeListener } from '@aiu/server/node';
import { sqliteStore } from '@aiu/server/sqlite';

const aiu = createAiu({ store: sqliteStore({ path: process.env.DB_PATH }), env: {}, keyring: false, logger: { warn() {} } });
const listener = toNodeListener(aiu);
const server = createServer((req, res) => {
  if (req.url !== '/__live-heap') return listener(req, res);
  globalThis.gc?.();
  res.end(JSON.stringify({ liveHeapMb: v8.getHeapStatistics().used_heap_size / 2 ** 20 }));
}).listen(0, '127.0.0.1', () => console.log(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })));
