import { loadFixture, startFakeUpstream } from '@aiu/testing';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { Abort } from '../../util/abort';

const getBuiltinModule = process.getBuiltinModule;
afterEach(() => {
  process.getBuiltinModule = getBuiltinModule;
  vi.resetModules();
});

/** The transport as an edge runtime loads it: no Node built-ins, so no undici. */
async function edgeTransport(): Promise<typeof import('../transport')> {
  (process as { getBuiltinModule?: unknown }).getBuiltinModule = undefined;
  vi.resetModules();
  return import('../transport');
}

describe('upstreamFetch where undici cannot be loaded', () => {
  it('goes through fetch, body and all', async () => {
    const upstream = await startFakeUpstream({ fixture: 'openai/openai-text' });
    try {
      const { upstreamFetch } = await edgeTransport();
      const response = await upstreamFetch(`${upstream.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }], stream: true }),
        abort: new Abort(),
      });
      expect(response).toBeInstanceOf(Response);
      const lines = loadFixture('openai/openai-text').chunks ?? [];
      expect(await response.text()).toBe(`${lines.map((line) => `data: ${line}\n\n`).join('')}data: [DONE]\n\n`);
    } finally {
      await upstream.close();
    }
  });

  it('passes the call’s abort on to fetch', async () => {
    const upstream = await startFakeUpstream({ fixture: 'openai/openai-text', chunkDelayMs: 20 });
    try {
      const { upstreamFetch } = await edgeTransport();
      const abort = new Abort();
      const response = await upstreamFetch(`${upstream.url}/v1/chat/completions`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ model: 'gpt-4.1-nano', messages: [{ role: 'user', content: 'hi' }], stream: true }),
        abort,
      });
      const reading = response.text();
      abort.abort(new DOMException('stop', 'AbortError'));
      await expect(reading).rejects.toMatchObject({ name: 'AbortError' });
      await upstream.waitForClientClose(0);
      expect(upstream.requests[0]?.completed).toBe(false);
    } finally {
      await upstream.close();
    }
  });
});
