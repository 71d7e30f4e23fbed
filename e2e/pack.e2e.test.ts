import { execFileSync, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadFixture, startFakeUpstream } from '@aiu/testing';
import { beforeAll, describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const PACKAGES = ['core', 'server', 'react', 'testing', 'cli'];

/** A fresh app outside the workspace that knows aiu only through the packed tarballs. */
let app: string;

beforeAll(() => {
  if (PACKAGES.some((name) => !existsSync(join(root, 'packages', name, 'dist')))) {
    execFileSync('pnpm', ['--filter', './packages/*', 'build'], { cwd: root, stdio: 'ignore' });
  }
  const tarballs = mkdtempSync(join(tmpdir(), 'aiu-tarballs-'));
  for (const name of PACKAGES) execFileSync('pnpm', ['pack', '--pack-destination', tarballs], { cwd: join(root, 'packages', name), stdio: 'ignore' });
  const tgz = (name: string) => join(tarballs, readdirSync(tarballs).find((file) => file.startsWith(`aiu-${name}-`)) as string);
  app = mkdtempSync(join(tmpdir(), 'aiu-packed-app-'));
  mkdirSync(join(app, 'src'));
  writeFileSync(
    join(app, 'package.json'),
    JSON.stringify({
      name: 'packed-app',
      private: true,
      type: 'module',
      dependencies: {
        '@aiu/core': `file:${tgz('core')}`,
        '@aiu/server': `file:${tgz('server')}`,
        '@aiu/react': `file:${tgz('react')}`,
        '@aiu/testing': `file:${tgz('testing')}`,
        '@aiu/cli': `file:${tgz('cli')}`,
        '@tanstack/react-query': '^5.90.0',
        'better-sqlite3': '^12.4.1',
        express: '^5.1.0',
        react: '^19.1.0',
        'react-dom': '^19.1.0',
      },
    }),
  );
  execFileSync('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: app, stdio: 'ignore', env: { ...process.env, npm_config_nodedir: process.env.npm_config_nodedir ?? '/usr' } });
}, 600_000);

describe('the published packages, installed from their tarballs', () => {
  it('serve a chat through Express on SQLite and stream it into @aiu/react (ESM)', () => {
    writeFileSync(
      join(app, 'src/chat.mjs'),
      `
import express from 'express';
import { createAiu } from '@aiu/server';
import { toExpress } from '@aiu/server/express';
import { startFakeUpstream } from '@aiu/testing';
import { ChatController, ModelSelect, StreamingOutput } from '@aiu/react';
import { createElement } from 'react';
import { renderToString } from 'react-dom/server';

const upstream = await startFakeUpstream();
const aiu = createAiu({ env: {}, keyring: false, logger: { warn() {} }, providers: { openai: { baseURL: upstream.url + '/v1', apiKey: 'sk-packed-000000000000' } } });
const app = express();
app.use('/api/aiu', toExpress(aiu));
const server = app.listen(0, '127.0.0.1');
await new Promise((resolve) => server.once('listening', resolve));
const baseUrl = 'http://127.0.0.1:' + server.address().port + '/api/aiu';

const chat = new ChatController({ baseUrl }, { model: 'openai:gpt-4.1-nano' });
await chat.send('Invent a holiday.');
const state = chat.getSnapshot();
const html = renderToString(createElement(ModelSelect, { models: [{ id: 'openai:x', provider: 'openai', name: 'X', kind: 'chat', contextWindow: 1, maxOutput: 1, pricing: null, capabilities: [], deprecated: false }], children: (api) => createElement('input', api.getInputProps()) }));
const output = renderToString(createElement(StreamingOutput, { source: null }));
const logs = await (await fetch(baseUrl + '/logs')).json();
console.log(JSON.stringify({ status: state.status, text: state.text, usage: state.usage, html, output, logged: logs.entries.length, store: (await aiu.store()).kind }));
server.close();
await aiu.close();
await upstream.close();
process.exit(0);
`,
    );
    const result = JSON.parse(execFileSync('node', ['src/chat.mjs'], { cwd: app }).toString()) as {
      status: string;
      text: string;
      usage: { totalTokens: number };
      html: string;
      output: string;
      logged: number;
      store: string;
    };
    const chunks = (loadFixture('openai/openai-text').chunks ?? []).map((line) => JSON.parse(line) as { choices?: Array<{ delta?: { content?: string } }> });
    expect(result.status).toBe('done');
    expect(result.text).toBe(chunks.map((c) => c.choices?.[0]?.delta?.content ?? '').join(''));
    expect(result.usage.totalTokens).toBe(316);
    expect(result.html).toContain('role="combobox"');
    expect(result.output).toContain('data-state="idle"');
    expect(result.logged).toBe(1);
    expect(result.store).toBe('sqlite');
  });

  // The SQLite store exports from a worker thread, which only the built package has (the
  // sources under the test runner export in-process): both module formats must find it.
  it.each([
    ['ESM', 'export.mjs', 'import'],
    ['CommonJS', 'export.cjs', 'require'],
  ])('export a SQLite log from a worker thread (%s)', (_format, file, style) => {
    const modules = { createAiu: '@aiu/server', sqliteStore: '@aiu/server/sqlite', readdirSync: 'node:fs', mkdtempSync: 'node:fs', tmpdir: 'node:os', join: 'node:path' };
    const imports = Object.entries(modules)
      .map(([name, from]) => (style === 'import' ? `import { ${name} } from '${from}';` : `const { ${name} } = require('${from}');`))
      .join('\n');
    writeFileSync(
      join(app, 'src', file),
      `
${imports}
(async () => {
  const store = sqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'aiu-export-')), 'aiu.db') });
  await store.init();
  const records = Array.from({ length: 1000 }, (_, i) => ({
    id: 'req_' + String(i).padStart(4, '0'), time: 1_700_000_000_000 + i * 1000, userId: null, projectId: null, provider: 'openai',
    model: 'openai:gpt-4.1-nano', status: 'success', errorCode: null, attempts: 1, inputTokens: i, outputTokens: 2 * i, cachedInputTokens: 0,
    cacheWriteTokens: 0, reasoningTokens: 0, totalTokens: 3 * i, estimated: false, costInput: 0.001, costOutput: 0.002, costTotal: 0.003,
    latencyMs: 10, ttftMs: 5, queueMs: 0, attemptDetails: null, savedUsd: 0, prompt: null, response: null, metadata: JSON.stringify({ note: 'a, "b"' }),
  }));
  await store.insertLogs(records);
  const aiu = createAiu({ store, env: {}, keyring: false, logger: { warn() {} } });
  // A worker is a thread of this process (Linux: one more entry in /proc/self/task).
  const threads = () => readdirSync('/proc/self/task').length;
  const idle = threads();
  const reader = (await aiu.handler(new Request('http://localhost/logs/export?format=jsonl'), { clientAddress: '127.0.0.1' })).body.getReader();
  let text = '';
  let during = 0;
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    during = Math.max(during, threads());
    text += new TextDecoder().decode(chunk.value);
  }
  const csv = await (await aiu.handler(new Request('http://localhost/logs/export?format=csv'), { clientAddress: '127.0.0.1' })).text();
  // A download the client gives up on stops its worker.
  const abandoned = (await aiu.handler(new Request('http://localhost/logs/export?format=csv'), { clientAddress: '127.0.0.1' })).body.getReader();
  await abandoned.read();
  await abandoned.cancel();
  for (let waited = 0; threads() > idle && waited < 5000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
  const leftAfterCancel = threads() - idle;
  const lines = text.trim().split('\\n').map((line) => JSON.parse(line));
  console.log(JSON.stringify({ extraThreads: during - idle, ids: lines.map((e) => e.id), metadata: lines[0].metadata, tokens: lines[0].totalTokens, csvRows: csv.trim().split('\\r\\n').length, leftAfterCancel }));
  await aiu.close();
})();
`,
    );
    const result = JSON.parse(execFileSync('node', [`src/${file}`], { cwd: app }).toString()) as {
      extraThreads: number;
      ids: string[];
      metadata: unknown;
      tokens: number;
      csvRows: number;
      leftAfterCancel: number;
    };
    expect(result.extraThreads).toBe(1);
    expect(result.ids).toEqual(Array.from({ length: 1000 }, (_, i) => `req_${String(999 - i).padStart(4, '0')}`));
    expect(result.metadata).toEqual({ note: 'a, "b"' });
    expect(result.tokens).toBe(2997);
    expect(result.csvRows).toBe(1001);
    expect(result.leftAfterCancel).toBe(0);
  });

  it('load through require() too (CommonJS builds)', () => {
    writeFileSync(
      join(app, 'src/require.cjs'),
      `
const core = require('@aiu/core');
const server = require('@aiu/server');
const express = require('@aiu/server/express');
const react = require('@aiu/react');
const lite = require('@aiu/core/lite');
console.log(JSON.stringify([typeof core.parseModelId, typeof server.createAiu, typeof express.toExpress, typeof react.useChat, core.parseModelId('openrouter:a/b:free').model, lite.ErrorBodySchema.safeParse({ error: { code: 'x', message: 'y', extra: 1 } }).data, lite.ApiKeySchema.safeParse('a b').success]));
`,
    );
    expect(JSON.parse(execFileSync('node', ['src/require.cjs'], { cwd: app }).toString())).toEqual(['function', 'function', 'function', 'function', 'a/b:free', { error: { code: 'x', message: 'y' } }, false]);
  });

  it("run the README's CLI quick start in a fresh folder: npx @aiu/cli init && npx @aiu/cli serve, dashboard included", async () => {
    const upstream = await startFakeUpstream();
    const folder = join(app, 'gateway');
    mkdirSync(folder);
    const env = { ...process.env, OPENAI_BASE_URL: `${upstream.url}/v1`, OPENAI_API_KEY: 'sk-packed-cli-0000000000000000', AIU_MASTER_KEY: '', AIU_DATABASE_URL: '' };
    try {
      const init = execFileSync('npx', ['@aiu/cli', 'init', '--yes', '--json'], { cwd: folder, env }).toString();
      expect(JSON.parse(init)).toMatchObject({ masterKey: 'created', store: 'sqlite', migrated: true });

      const server = spawn('npx', ['@aiu/cli', 'serve', '--port', '0', '--json'], { cwd: folder, env, stdio: ['ignore', 'pipe', 'inherit'] });
      const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => server.once('exit', (code, signal) => resolve({ code, signal })));
      const listening = JSON.parse(await new Promise<string>((resolve) => createInterface({ input: server.stdout }).on('line', (line) => line.includes('listening') && resolve(line)))) as { url: string; providers: string[] };
      expect(listening.providers).toEqual(['openai']);
      const page = await (await fetch(`${listening.url}/`)).text();
      expect(page).toContain('<div id="root">');
      const { key } = JSON.parse(execFileSync('npx', ['@aiu/cli', 'client-keys', 'create', '--name', 'packed', '--json', '--url', listening.url], { cwd: folder, env }).toString()) as { key: string };
      const completion = await fetch(`${listening.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content: 'Invent a holiday.' }] }),
      });
      expect(completion.status).toBe(200);
      server.kill('SIGTERM');
      // npx passes the signal on to the gateway (and then ends by that signal itself, as npm does).
      const { code, signal } = await exited;
      expect(code === 0 || signal === 'SIGTERM').toBe(true);
      const logs = JSON.parse(execFileSync('npx', ['@aiu/cli', 'logs', '--json'], { cwd: folder, env }).toString()) as { entries: Array<{ status: string }> };
      expect(logs.entries.map((entry) => entry.status)).toEqual(['success']);
    } finally {
      await upstream.close();
    }
  });
});
