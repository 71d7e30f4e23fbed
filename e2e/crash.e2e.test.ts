import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { startFakeUpstream, type FakeUpstream } from '@aiu/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_URL, postgresReachable } from '../packages/server/test/postgres';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SERVER = join(root, 'e2e', 'servers', 'crash-server.mjs');
const CALLS = 40;
// The server package's own driver (the workspace root does not depend on pg).
const pg = createRequire(join(root, 'packages', 'server', 'package.json'))('pg') as { Client: new (options: { connectionString: string }) => { connect(): Promise<void>; query(sql: string): Promise<unknown>; end(): Promise<void> } };

interface Child {
  process: ChildProcess;
  url: string;
  warnings: string[];
}

function startServer(env: Record<string, string>): Promise<Child> {
  const child = spawn(process.execPath, [SERVER], { env: { ...process.env, NODE_ENV: 'development', ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`crash-server exited early (${code})`)));
    createInterface({ input: child.stdout! }).once('line', (line) => {
      const { url, warnings } = JSON.parse(line) as { url: string; warnings: string[] };
      resolve({ process: child, url, warnings });
    });
  });
}

function killHard(child: Child): Promise<void> {
  return new Promise((resolve) => {
    child.process.removeAllListeners('exit');
    child.process.once('exit', () => resolve());
    child.process.kill('SIGKILL');
  });
}

/** Which call (by the number in its prompt) each request the upstream received was. */
function callsSeen(upstream: FakeUpstream): number[] {
  return upstream.requests
    .map((request) => JSON.stringify(request.body).match(/crash-call-(\d+)/)?.[1])
    .filter((n): n is string => n !== undefined)
    .map(Number);
}

interface ExportedEntry {
  id: string;
  status: string;
  estimated: boolean;
  inputTokens: number;
  metadata: { call?: number } | null;
}

async function exportedLog(url: string): Promise<ExportedEntry[]> {
  const response = await fetch(`${url}/logs/export?format=jsonl`);
  expect(response.status).toBe(200);
  return (await response.text())
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as ExportedEntry);
}

const stores: Array<[string, () => Promise<{ env: Record<string, string>; dispose(): Promise<void> }>]> = [
  ['sqlite', async () => ({ env: { STORE: 'sqlite', DB_PATH: join(mkdtempSync(join(tmpdir(), 'aiu-crash-')), 'aiu.db') }, dispose: async () => {} })],
  [
    'postgres',
    async () => {
      const schema = `aiu_crash_${Date.now().toString(36)}`;
      return {
        env: { STORE: 'postgres', DATABASE_URL, DB_SCHEMA: schema },
        async dispose() {
          const client = new pg.Client({ connectionString: DATABASE_URL });
          await client.connect();
          await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
          await client.end();
        },
      };
    },
  ],
];

beforeAll(() => {
  if (!existsSync(join(root, 'packages', 'server', 'dist', 'index.js'))) execFileSync('pnpm', ['--filter', './packages/*', 'build'], { cwd: root, stdio: 'ignore' });
});

const postgresUp = await postgresReachable();

describe.each(stores)('a crash under load (%s)', (name, makeStore) => {
  let upstream: FakeUpstream;
  let store: Awaited<ReturnType<typeof makeStore>>;
  const skip = name === 'postgres' && !postgresUp;

  beforeAll(async () => {
    if (skip) return;
    // Slow streams: when the process dies, some calls have finished, some are mid-stream.
    upstream = await startFakeUpstream({ chunkDelayMs: 25 });
    store = await makeStore();
  });
  afterAll(async () => {
    await upstream?.close();
    await store?.dispose();
  });

  it.skipIf(skip)('leaves exactly one entry for every call the upstream saw, in-flight ones as interrupted', async () => {
    const env = { ...store.env, UPSTREAM_URL: upstream.url };
    const first = await startServer(env);
    const calls = Array.from({ length: CALLS }, (_, n) =>
      fetch(`${first.url}/chat`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({
          model: 'openai:gpt-4o-mini',
          stream: n % 4 !== 0,
          messages: [{ role: 'user', content: `Tell me about holidays (crash-call-${n}).` }],
          metadata: { call: n },
        }),
      })
        .then((response) => response.text())
        .catch(() => 'cut'),
    );
    // Kill once most calls reached the upstream, and while some are still streaming.
    while (upstream.requests.length < CALLS * 0.75) await new Promise((resolve) => setTimeout(resolve, 5));
    await new Promise((resolve) => setTimeout(resolve, 30));
    await killHard(first);
    await Promise.all(calls);
    const seen = callsSeen(upstream);
    expect(new Set(seen).size).toBe(seen.length);
    expect(upstream.requests.some((request) => request.completed)).toBe(true);
    expect(upstream.requests.some((request) => !request.completed)).toBe(true);

    const second = await startServer(env);
    try {
      const entries = await exportedLog(second.url);
      const logged = entries.map((entry) => entry.metadata?.call).filter((n): n is number => typeof n === 'number');
      expect(new Set(logged).size).toBe(logged.length);
      // Exactly one entry per call the provider saw: none lost, none twice.
      for (const call of seen) expect(logged.filter((n) => n === call), `call ${call}`).toHaveLength(1);
      // A call recorded in the instant before its bytes left has an entry too: interrupted, never a success.
      for (const entry of entries.filter((e) => !seen.includes(e.metadata?.call ?? -1))) expect(entry.status).toBe('interrupted');
      const interrupted = entries.filter((entry) => entry.status === 'interrupted');
      expect(interrupted.length).toBeGreaterThan(0);
      for (const entry of interrupted) {
        expect(entry.estimated).toBe(true);
        expect(entry.inputTokens).toBeGreaterThan(0);
      }
      // The next start finds nothing left to recover.
      await killHard(second);
      const third = await startServer(env);
      expect(await exportedLog(third.url)).toHaveLength(entries.length);
      await killHard(third);
    } finally {
      second.process.kill('SIGKILL');
    }
  });
});
