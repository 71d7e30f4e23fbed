import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ErrorBodySchema, UsageReportSchema } from '@aiu/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toNodeListener } from '../adapters/node';
import { createAiu } from '../createAiu';
import { sqliteStore } from '../stores/sqlite';
import { createRig, TEST_KEY, type TestRig } from '../../test/helpers';
import { rawRequest, statusOf } from '../../test/rawHttp';

let rig: TestRig;
let server: Server;
let port: number;

beforeAll(async () => {
  rig = await createRig();
  server = createServer(toNodeListener(rig.aiu));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  await new Promise((resolve) => server.close(resolve));
  await rig.close();
});

describe('malformed request lines and Host headers are 400, never 500', () => {
  it.each([
    ['a Host of "["', 'GET /health HTTP/1.1\r\nHost: [\r\nConnection: close\r\n\r\n'],
    ['a port past 65535', 'GET /health HTTP/1.1\r\nHost: x:99999\r\nConnection: close\r\n\r\n'],
    ['a Host with a space', 'GET /health HTTP/1.1\r\nHost: a b\r\nConnection: close\r\n\r\n'],
    ['an absolute-form target', 'GET http://evil/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'],
    ['the asterisk target', 'GET * HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'],
    ['dot segments toward a key route', 'DELETE /keys/openai/../../keys/openai/default HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'],
    ['an encoded slash', 'GET /logs%2Fexport HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n'],
  ])('%s', async (_name, text) => {
    const answer = await rawRequest(port, text);
    expect(statusOf(answer)).toBe(400);
    const body = answer.slice(answer.indexOf('\r\n\r\n') + 4);
    expect(ErrorBodySchema.parse(JSON.parse(body)).error.code).toBe('invalid_request');
    expect(body).not.toMatch(/at .*\(|\/work\/|node_modules/);
  });

  it('still answers afterwards', async () => {
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
  });
});

describe('bad bodies', () => {
  it('metadata nested 5,000 deep is a 400 naming the limit', async () => {
    // Written as text: JSON.stringify itself would run out of stack on it.
    const nested = `${'{"a":'.repeat(5000)}"x"${'}'.repeat(5000)}`;
    const response = await fetch(`http://127.0.0.1:${port}/chat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: `{"model":"openai:gpt-4.1-nano","messages":[{"role":"user","content":"hi"}],"metadata":${nested}}`,
    });
    expect(response.status).toBe(400);
    expect(ErrorBodySchema.parse(await response.json()).error.message).toBe('The request body nests deeper than 64 levels.');
  });

  it('a body over the limit names aiu’s own limit, over the socket with and without a length', async () => {
    const big = JSON.stringify({ provider: 'openai', key: 'x'.repeat(2 * 1024 * 1024) });
    const declared = await fetch(`http://127.0.0.1:${port}/keys`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: big });
    expect(declared.status).toBe(413);
    expect(ErrorBodySchema.parse(await declared.json()).error.message).toBe('The request body is larger than the 1 MiB limit (raise createAiu({ maxBodyBytes })).');
    const chunked = await fetch(`http://127.0.0.1:${port}/keys`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: new Blob([big]).stream(),
      duplex: 'half',
    } as RequestInit);
    expect(chunked.status).toBe(413);
    expect(ErrorBodySchema.parse(await chunked.json()).error.message).toMatch(/larger than the 1 MiB limit/);
  });
});

describe('streams', () => {
  it('an SSE answer to a Connection: close request says close and ends the connection', async () => {
    const body = JSON.stringify({ model: 'openai:gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }] });
    const answer = await rawRequest(
      port,
      `POST /chat HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    );
    // The socket ended (rawRequest resolved on the server's end), after the whole stream.
    const head = answer.slice(0, answer.indexOf('\r\n\r\n')).toLowerCase();
    expect(head).toMatch(/^http\/1\.1 200/);
    expect(head).toContain('connection: close');
    expect(head).not.toContain('keep-alive');
    expect(answer).toContain('event: finish');
  });
});

describe('usage outside UTC on SQLite over dashboard ranges', () => {
  it.each([
    ['Asia/Kathmandu', 'day', 2 * 365],
    ['America/New_York', 'week', 10 * 365],
  ])('%s by %s over %i days answers', async (tz, granularity, days) => {
    const aiu = createAiu({ store: sqliteStore({ path: join(mkdtempSync(join(tmpdir(), 'aiu-tz-')), 'aiu.db') }), env: {}, logger: { warn() {} }, keyring: false, providers: { openai: { apiKey: TEST_KEY } } });
    try {
      const to = Date.parse('2026-11-30T00:00:00Z');
      const from = to - days * 86_400_000;
      const response = await aiu.handler(new Request(`http://localhost/usage?tz=${tz}&granularity=${granularity}&from=${new Date(from).toISOString()}&to=${new Date(to).toISOString()}`), { clientAddress: '127.0.0.1' });
      expect(response.status).toBe(200);
      const report = UsageReportSchema.parse(await response.json());
      expect(report.buckets.length).toBeGreaterThan(granularity === 'day' ? 700 : 500);
    } finally {
      await aiu.close();
    }
  });
});
