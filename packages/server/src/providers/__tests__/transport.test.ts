import { loadFixture, startFakeUpstream } from '@aiu/testing';
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
        abort: new AbortController().signal,
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
