import { Abort } from '../../util/abort';
import { loadFixture, startFakeUpstream } from '@aiu/testing';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { upstreamFetch } from '../transport';

describe('upstreamFetch on Node', () => {
  it('hands over what one socket read held as one chunk, not one chunk per HTTP chunk', async () => {
    const upstream = await startFakeUpstream({ fixture: 'openai/openai-text' });
    try {
      const response = await upstreamFetch(`${upstream.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }], stream: true }),
        abort: new Abort(),
      });
      let chunks = 0;
      let text = '';
      for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
        chunks++;
        text += Buffer.from(chunk).toString('utf8');
      }
      const lines = loadFixture('openai/openai-text').chunks ?? [];
      // Every byte, in order…
      expect(text).toBe(`${lines.map((line) => `data: ${line}\n\n`).join('')}data: [DONE]\n\n`);
      // …in far fewer pieces than the upstream's 300-odd writes (one HTTP chunk each).
      expect(lines.length).toBeGreaterThan(100);
      expect(chunks).toBeLessThan(lines.length / 4);
    } finally {
      await upstream.close();
    }
  });
});

describe('upstreamFetch backpressure', () => {
  it('stops reading from the provider while nobody reads the body, and loses nothing when reading resumes', async () => {
    const total = 16 * 1024 * 1024;
    const piece = Buffer.alloc(64 * 1024, 'x');
    let sent = 0;
    // Bytes, not a provider's wire format: this is about the HTTP connection alone.
    const server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      const pump = () => {
        while (sent < total) {
          sent += piece.length;
          if (!res.write(piece)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as AddressInfo;
      const response = await upstreamFetch(`http://127.0.0.1:${port}/`, { method: 'GET', headers: {}, body: null, abort: new Abort() });
      const chunks = (response.body as AsyncIterable<Uint8Array>)[Symbol.asyncIterator]();
      let received = (await chunks.next()).value?.byteLength ?? 0;
      await new Promise((resolve) => setTimeout(resolve, 500));
      // The provider is held back by what the sockets buffer, not allowed to send it all.
      expect(sent).toBeLessThan(total / 2);
      for (let next = await chunks.next(); !next.done; next = await chunks.next()) received += next.value.byteLength;
      expect(received).toBe(total);
    } finally {
      server.close();
    }
  });
});
