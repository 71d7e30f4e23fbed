// Serves an existing SQLite log from the published build, so the export's memory is measured
// in a process of its own, without a TypeScript loader in it.
import { createServer } from 'node:http';
import { createAiu } from '@aiu/server';
import { toNodeListener } from '@aiu/server/node';
import { sqliteStore } from '@aiu/server/sqlite';

const aiu = createAiu({ store: sqliteStore({ path: process.env.DB_PATH }), env: {}, keyring: false, logger: { warn() {} } });
const server = createServer(toNodeListener(aiu)).listen(0, '127.0.0.1', () => console.log(JSON.stringify({ url: `http://127.0.0.1:${server.address().port}` })));
