import { mkdtempSync } from 'node:fs';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sqliteStore } from '@aiu/server/sqlite';
import { loadFixture, startFakeUpstream, type FakeUpstream } from '@aiu/testing';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
// @ts-expect-error — the example's app is plain JavaScript, as users would copy it.
import { createApp } from '../app.js';

interface Running {
  base: string;
  dbPath: string;
  upstream: FakeUpstream;
  stop(): Promise<void>;
}

let running: Running | undefined;
afterEach(async () => {
  await running?.stop();
  running = undefined;
});

/** The example server (SQLite log, its real Express app) with providers pointed at the fake upstream. */
async function startExample(fixture: string): Promise<Running> {
  const upstream = await startFakeUpstream({ fixture });
  const dbPath = join(mkdtempSync(join(tmpdir(), 'aiu-example-')), 'aiu.db');
  const baseURL = `${upstream.url}/v1`;
  const apiKey = 'sk-test-example-0000000000';
  const { app, close } = await createApp({
    client: 'none',
    aiu: {
      store: sqliteStore({ path: dbPath }),
      env: {},
      providers: { openai: { baseURL, apiKey }, mistral: { baseURL, apiKey }, deepseek: { baseURL, apiKey }, xai: { baseURL, apiKey } },
    },
  });
  const server: Server = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    dbPath,
    upstream,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await close();
      await upstream.close();
    },
  };
}

function expectedStream(chunks: string[]) {
  const parsed = chunks.map((line) => JSON.parse(line) as { service_tier?: string; choices?: Array<{ delta?: { content?: string } }>; usage?: Record<string, number> & { completion_tokens_details?: { reasoning_tokens?: number }; prompt_tokens_details?: { cached_tokens?: number } } });
  const text = parsed.map((chunk) => chunk.choices?.[0]?.delta?.content ?? '').join('');
  const usage = parsed.map((chunk) => chunk.usage).filter(Boolean).at(-1);
  const serviceTier = parsed.map((chunk) => chunk.service_tier).filter(Boolean).at(-1);
  return { text, usage: usage as NonNullable<typeof usage>, serviceTier };
}

async function chat(base: string, model: string) {
  const response = await fetch(`${base}/api/aiu/chat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Invent a holiday.' }] }),
  });
  expect(response.status).toBe(200);
  const events = (await response.text())
    .split('\n\n')
    .filter((block) => block.startsWith('event: '))
    .map((block) => {
      const [eventLine, dataLine] = block.split('\n');
      return { event: eventLine?.slice(7), data: JSON.parse(dataLine?.slice(6) ?? 'null') as Record<string, unknown> };
    });
  return {
    text: events.filter((e) => e.event === 'delta').map((e) => e.data.text).join(''),
    finish: events.find((e) => e.event === 'finish')?.data as { usage: Record<string, number> } | undefined,
  };
}

const cases: Array<[fixture: string, model: string]> = [
  ['openai/openai-text', 'openai:gpt-4.1-nano'],
  ['openai-compatible/mistral-text', 'mistral:mistral-small-latest'],
  ['openai-compatible/deepseek-text', 'deepseek:deepseek-chat'],
  ['openai-compatible/xai-text', 'xai:grok-3-mini'],
];

describe('examples/express-vite end to end', () => {
  it.each(cases)('%s: the text, finish.usage and exactly one SQLite log row match the recording', async (fixture, model) => {
    running = await startExample(fixture);
    const expected = expectedStream(loadFixture(fixture).chunks ?? []);
    const { text, finish } = await chat(running.base, model);

    expect(text).toBe(expected.text);
    const reasoning = expected.usage.completion_tokens_details?.reasoning_tokens ?? 0;
    expect(finish?.usage).toEqual({
      inputTokens: expected.usage.prompt_tokens,
      outputTokens: (expected.usage.total_tokens ?? 0) - (expected.usage.prompt_tokens ?? 0),
      cachedInputTokens: expected.usage.prompt_tokens_details?.cached_tokens ?? 0,
      cacheWriteTokens: 0,
      reasoningTokens: reasoning,
      totalTokens: expected.usage.total_tokens,
      ...(expected.serviceTier ? { serviceTier: expected.serviceTier } : {}),
    });

    // The log is written off the response path: a read through /logs flushes it first.
    const logs = (await (await fetch(`${running.base}/api/aiu/logs`)).json()) as { entries: unknown[] };
    expect(logs.entries).toHaveLength(1);
    const db = new Database(running.dbPath, { readonly: true });
    const rows = db.prepare('SELECT model, status, input_tokens, output_tokens, total_tokens FROM aiu_request_log').all();
    db.close();
    expect(rows).toEqual([
      {
        model,
        status: 'success',
        input_tokens: expected.usage.prompt_tokens,
        output_tokens: finish?.usage.outputTokens,
        total_tokens: expected.usage.total_tokens,
      },
    ]);
  });

  it("answers malformed JSON with aiu's own JSON error (aiu is mounted before express.json)", async () => {
    running = await startExample('openai/openai-text');
    const response = await fetch(`${running.base}/api/aiu/chat`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"model": "openai:gpt-4.1-nano", "messages": [' });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/json');
    const text = await response.text();
    expect(JSON.parse(text)).toMatchObject({ error: { code: 'invalid_json' } });
    expect(text).not.toMatch(/<html|at \S+ \(|node_modules/);
  });

  it('tells the page whether replies are recorded (demo mode)', async () => {
    running = await startExample('openai/openai-text');
    expect(await (await fetch(`${running.base}/api/dashboard`)).json()).toEqual({ demo: false });
  });
});
