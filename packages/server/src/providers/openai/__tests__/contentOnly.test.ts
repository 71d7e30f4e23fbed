import { listFixtures, loadFixture } from '@aiu/testing';
import { describe, expect, it } from 'vitest';
import { contentOnlyChunk } from '../stream';

interface Chunk {
  choices?: Array<{ delta?: { content?: string | null }; finish_reason?: string | null }>;
  usage?: unknown;
}

const recorded = [...listFixtures('openai'), ...listFixtures('openai-compatible')].flatMap((name) =>
  (loadFixture(name).chunks ?? []).filter((line) => line !== '[DONE]').map((line) => ({ name, line })),
);

describe('contentOnlyChunk (the fast path for text-only stream chunks)', () => {
  it('agrees with a full parse on every recorded chunk, and only takes chunks that carry nothing but text', () => {
    let taken = 0;
    for (const { line } of recorded) {
      const fast = contentOnlyChunk(line);
      if (fast === undefined) continue;
      taken++;
      const chunk = JSON.parse(line) as Chunk;
      expect(chunk.choices).toHaveLength(1);
      expect(fast).toBe(chunk.choices?.[0]?.delta?.content);
      expect(chunk.choices?.[0]?.finish_reason ?? null).toBeNull();
      expect(chunk.usage ?? null).toBeNull();
    }
    // Most of OpenAI's own stream takes the fast path (otherwise it is not doing its job).
    const openai = recorded.filter((r) => r.name === 'openai/openai-text');
    expect(openai.filter((r) => contentOnlyChunk(r.line) !== undefined).length).toBeGreaterThan(openai.length * 0.9);
    expect(taken).toBeGreaterThan(0);
  });

  it('decodes escapes, and is not fooled by look-alike text inside the content', () => {
    const wrap = (content: string) =>
      `{"id":"x","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"a"}`;
    for (const content of ['say \\"hi\\"', 'back\\\\slash', 'é ✓ \u2028 😀', 'line\nbreak\ttab', '"},"logprobs":null,"finish_reason":null}],"usage":null}', '']) {
      expect(contentOnlyChunk(wrap(content))).toBe(content);
    }
    // Anything more than text goes to the full parser.
    expect(contentOnlyChunk(wrap('a').replace('"finish_reason":null', '"finish_reason":"stop"'))).toBeUndefined();
    expect(contentOnlyChunk(wrap('a').replace('"usage":null', '"usage":{"prompt_tokens":1}'))).toBeUndefined();
    expect(contentOnlyChunk(wrap('a').replace('}],"usage"', '},{"index":1,"delta":{"content":"b"},"logprobs":null,"finish_reason":null}],"usage"'))).toBeUndefined();
    expect(contentOnlyChunk('{"choices":[{"index":0,"delta":{"role":"assistant","content":"a"},"logprobs":null,"finish_reason":null}],"usage":null}')).toBeUndefined();
  });
});
