import type { ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { LogPageSchema } from '@aiu/core';
// The official SDK, as an app pointed at the gateway would use it.
import OpenAI from 'openai';
import { startFakeUpstream, type FakeUpstream } from '@aiu/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { DATABASE_URL, postgresReachable } from '../../packages/server/test/postgres';
import { aiu, ensureBuilt, finished, root, spawnAiu, tempDir, waitForLine, type Ran } from './cli';

const pg = createRequire(join(root, 'packages', 'cli', 'package.json'))('pg') as { Client: new (options: { connectionString: string }) => { connect(): Promise<void>; query(sql: string): Promise<unknown>; end(): Promise<void> } };

const MODEL = 'openai:gpt-4.1-nano';
const MASTER = Buffer.alloc(32, 5).toString('base64');

let upstream: FakeUpstream;
beforeAll(async () => {
  ensureBuilt();
  upstream = await startFakeUpstream();
}, 300_000);
afterAll(() => upstream?.close());

interface Served {
  child: ChildProcess;
  url: string;
  listening: { url: string; store: string; providers: string[]; dashboard: boolean; metrics: boolean };
  done: Promise<Ran>;
  dir: string;
  env: Record<string, string>;
}

const running: Served[] = [];
afterEach(() => {
  for (const served of running.splice(0)) served.child.kill('SIGKILL');
});

async function serve(extraEnv: Record<string, string> = {}, args: string[] = []): Promise<Served> {
  const dir = tempDir();
  const env = { AIU_MASTER_KEY: MASTER, AIU_DATABASE_URL: join(dir, 'aiu.db'), OPENAI_BASE_URL: `${upstream.url}/v1`, OPENAI_API_KEY: 'sk-serve-test-000000000000000000', ...extraEnv };
  const child = spawnAiu(['serve', '--port', '0', '--json', ...args], { cwd: dir, env });
  child.stdin?.end();
  const done = finished(child);
  const line = await waitForLine(child, (text) => text.includes('"listening"'));
  const listening = JSON.parse(line) as Served['listening'];
  const served = { child, url: listening.url, listening, done, dir, env };
  running.push(served);
  return served;
}

async function clientKey(served: Served): Promise<string> {
  // Over HTTP, as an operator on the gateway's machine would: key routes answer loopback.
  const created = await aiu(['client-keys', 'create', '--name', 'sdk', '--json', '--url', served.url], { cwd: served.dir });
  expect(created.code, created.stderr).toBe(0);
  return (JSON.parse(created.stdout) as { key: string }).key;
}

async function stop(served: Served, signal: NodeJS.Signals = 'SIGTERM'): Promise<Ran> {
  served.child.kill(signal);
  const result = await served.done;
  running.splice(running.indexOf(served), 1);
  return result;
}

describe('aiu serve', () => {
  it('prints where it listens, its store and the providers it found', async () => {
    const served = await serve();
    expect(served.listening).toMatchObject({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), store: `SQLite ${join(served.dir, 'aiu.db')}`, providers: ['openai'], dashboard: true, metrics: true });
    await stop(served);

    const human = spawnAiu(['serve', '--port', '0'], { cwd: served.dir, env: served.env });
    human.stdin?.end();
    const done = finished(human);
    const first = await waitForLine(human, (text) => text.includes('serving on'));
    expect(first).toMatch(/^aiu \S+ serving on http:\/\/127\.0\.0\.1:\d+$/);
    human.kill('SIGINT');
    const result = await done;
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/OpenAI\s+http:\/\/127\.0\.0\.1:\d+\/v1/);
    expect(result.stdout).toMatch(/store\s+SQLite /);
    expect(result.stdout).toMatch(/providers\s+openai/);
  });

  it('answers the OpenAI SDK with a client key, streamed and not, and logs each call with its key', async () => {
    const served = await serve();
    const key = await clientKey(served);
    const client = new OpenAI({ baseURL: `${served.url}/v1`, apiKey: key });
    const completion = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Invent a holiday.' }] });
    expect(completion.choices[0]?.message.content?.length).toBeGreaterThan(20);
    const stream = await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Invent a holiday.' }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    let usage: unknown = null;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      usage = chunk.usage ?? usage;
    }
    expect(text.length).toBeGreaterThan(20);
    expect(usage).toMatchObject({ prompt_tokens: completion.usage?.prompt_tokens, completion_tokens: expect.any(Number) });
    const models = await client.models.list();
    expect(models.data.map((model) => model.id)).toContain(MODEL);

    // Without a key, /v1 is closed.
    await expect(new OpenAI({ baseURL: `${served.url}/v1`, apiKey: 'sk-not-ours' }).chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'hi' }] })).rejects.toMatchObject({ status: 401 });

    const page = LogPageSchema.parse(JSON.parse((await aiu(['logs', '--json', '--url', served.url], { cwd: served.dir })).stdout));
    expect(page.entries.filter((entry) => entry.status === 'success')).toHaveLength(2);
    expect(page.entries.map((entry) => entry.outputTokens)).toContain((usage as { completion_tokens: number }).completion_tokens);
    expect(page.entries.every((entry) => entry.clientKeyId?.startsWith('ck_'))).toBe(true);

    const metrics = await (await fetch(`${served.url}/metrics`)).text();
    expect(metrics).toContain(`aiu_requests_total{provider="openai",model="${MODEL}",status="success"} 2`);

    // The CLI over HTTP with AIU_URL and AIU_CLIENT_KEY: the same output, the call on that key.
    const other = await clientKey(served);
    const asClient = { AIU_URL: served.url, AIU_CLIENT_KEY: other };
    const chat = await aiu(['chat', '-m', MODEL, 'Invent a holiday.'], { cwd: served.dir, env: asClient });
    expect(chat.code, chat.stderr).toBe(0);
    expect(chat.stderr).toMatch(new RegExp(`^${MODEL} · \\d+ in · \\d+ out · \\$`));
    const own = LogPageSchema.parse(JSON.parse((await aiu(['logs', '--json'], { cwd: served.dir, env: asClient })).stdout));
    const otherId = own.entries[0]?.clientKeyId;
    expect(own.entries).toHaveLength(1);
    expect(otherId).not.toBe(page.entries[0]?.clientKeyId);
  });

  it('serves the dashboard at / with its assets, and the aiu routes both at / and under /api/aiu', async () => {
    const served = await serve();
    const page = await fetch(`${served.url}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toContain("default-src 'self'");
    const html = await page.text();
    expect(html).toContain('<div id="root">');
    const script = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    const asset = await fetch(`${served.url}${script}`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('cache-control')).toContain('immutable');
    expect((await fetch(`${served.url}/api/aiu/health`)).status).toBe(200);
    expect((await fetch(`${served.url}/health`)).status).toBe(200);
    expect((await fetch(`${served.url}/api/aiu/models`)).headers.get('content-type')).toContain('application/json');
    expect((await fetch(`${served.url}/nope`)).status).toBe(404);
  });

  it('answers only localhost names while bound to loopback (no DNS rebinding)', async () => {
    const served = await serve();
    const { port } = new URL(served.url);
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/health', headers: { host: `attacker.example:${port}` } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.once('error', reject);
      req.end();
    });
    expect(status).toBe(421);
  });

  it('on SIGTERM finishes the calls in flight and writes every log entry before it exits', async () => {
    const served = await serve();
    const key = await clientKey(served);
    upstream.set({ chunkDelayMs: 10 });
    try {
      const client = new OpenAI({ baseURL: `${served.url}/v1`, apiKey: key, maxRetries: 0 });
      const calls = Array.from({ length: 4 }, () => client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Invent a holiday.' }], stream: true }));
      const streams = await Promise.all(calls);
      const reading = streams.map(async (stream) => {
        let text = '';
        for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
        return text;
      });
      const result = await stop(served);
      expect(result.code).toBe(0);
      const texts = await Promise.all(reading);
      expect(texts.every((text) => text.length > 20)).toBe(true);
    } finally {
      upstream.reset();
    }
    // The gateway is gone; the store it wrote is read directly.
    const page = LogPageSchema.parse(JSON.parse((await aiu(['logs', '--json'], { cwd: served.dir, env: served.env })).stdout));
    expect(page.entries.filter((entry) => entry.status === 'success')).toHaveLength(4);
  });

  describe('on PostgreSQL', () => {
    const schema = `aiu_cli_serve_${Date.now().toString(36)}`;
    let reachable = false;
    const url = `${DATABASE_URL}${DATABASE_URL.includes('?') ? '&' : '?'}options=${encodeURIComponent(`-c search_path=${schema}`)}`;
    const admin = async (sql: string) => {
      const client = new pg.Client({ connectionString: DATABASE_URL });
      await client.connect();
      await client.query(sql);
      await client.end();
    };
    beforeAll(async () => {
      reachable = await postgresReachable();
      if (reachable) await admin(`CREATE SCHEMA "${schema}"`);
    });
    afterAll(async () => {
      if (reachable) await admin(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    });

    it('keeps the log in the database AIU_DATABASE_URL names, through a shutdown', async (context) => {
      if (!reachable) return context.skip();
      const served = await serve({ AIU_DATABASE_URL: url });
      expect(served.listening.store).toMatch(/^PostgreSQL postgres/);
      const key = await clientKey(served);
      const client = new OpenAI({ baseURL: `${served.url}/v1`, apiKey: key });
      await client.chat.completions.create({ model: MODEL, messages: [{ role: 'user', content: 'Invent a holiday.' }] });
      expect((await stop(served, 'SIGINT')).code).toBe(0);
      const page = LogPageSchema.parse(JSON.parse((await aiu(['logs', '--json'], { cwd: served.dir, env: served.env })).stdout));
      expect(page.entries).toEqual([expect.objectContaining({ status: 'success', model: MODEL, clientKeyId: expect.stringMatching(/^ck_/) })]);
    });
  });
});
