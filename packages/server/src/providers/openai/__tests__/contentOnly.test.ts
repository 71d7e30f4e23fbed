import { listFixtures, loadFixture, textStreamAsToolCall } from '@aiu/testing';
import { describe, expect, it } from 'vitest';
import { FastChunks } from '../stream';

// One chunk on its own: a fresh search, as the first chunk of a stream meets it.
const contentOnlyChunk = (data: string) => new FastChunks().content(data);
const argumentsOnlyChunk = (data: string) => new FastChunks().argumentsPiece(data);

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

describe('FastChunks (the fast paths over one stream, matched where the last chunk had its choices)', () => {
  const full = (line: string) => (JSON.parse(line) as Chunk).choices?.[0]?.delta?.content;

  it('reads every recorded stream as a fresh search does, chunk by chunk', () => {
    for (const name of [...listFixtures('openai'), ...listFixtures('openai-compatible')]) {
      const fast = new FastChunks();
      for (const line of (loadFixture(name).chunks ?? []).filter((chunk) => chunk !== '[DONE]')) expect(fast.content(line)).toBe(contentOnlyChunk(line));
    }
  });

  it('follows the choices when they move, and never takes look-alike text at the old offset', () => {
    const chunk = (id: string, content: string) =>
      `{"id":${JSON.stringify(id)},"object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":${JSON.stringify(content)}},"logprobs":null,"finish_reason":null}],"usage":null}`;
    const fast = new FastChunks();
    expect(fast.content(chunk('a', 'one'))).toBe('one');
    // Longer and shorter ids move the choices; the text at the old offset is now inside a string.
    for (const [id, content] of [['a-much-longer-id', 'two'], ['b', 'three'], ['a', '"choices":[{"index":0,"delta":{"content":"x"},"logprobs":null,"finish_reason":null}],"usage":null}']]) {
      const line = chunk(id as string, content as string);
      expect(fast.content(line)).toBe(full(line));
    }
    const moved = '{"id":"a","choices":[{"index":0,"delta":{"content":"lookalike"},"logprobs":null,"finish_reason":null}],"usage":null}'.replace('"id":"a"', '"id":"a","object":"chat.completion.chunk"');
    expect(fast.content(moved)).toBe('lookalike');
    // An escape JSON refuses is the full parser's to report, not a raw SyntaxError from the fast path.
    expect(fast.content(chunk('a', 'x').replace('"x"', '"bad \\q escape"'))).toBeUndefined();
    expect(argumentsOnlyChunk('{"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":"\\q"}}]},"logprobs":null,"finish_reason":null}],"usage":null}')).toBeUndefined();
    // A chunk that is more than text at the remembered offset goes to the full parser.
    expect(fast.content(chunk('a', 'x').replace('"finish_reason":null', '"finish_reason":"stop"'))).toBeUndefined();
    expect(fast.content(chunk('a', 'back'))).toBe('back');
  });
});

describe('argumentsOnlyChunk (the fast path for the pieces of a streamed tool call)', () => {
  // OpenAI's layout for every piece of a call after its first: index and arguments, nothing else.
  const piece = (args: string, index = 0) =>
    `{"id":"chatcmpl-x","object":"chat.completion.chunk","created":1,"model":"gpt-4.1-nano","service_tier":"default","system_fingerprint":"fp","choices":[{"index":0,"delta":{"tool_calls":[{"index":${index},"function":{"arguments":${JSON.stringify(args)}}}]},"logprobs":null,"finish_reason":null}],"usage":null,"obfuscation":"Q7"}`;

  it('takes only chunks whose full parse is one argument piece, and agrees with it', () => {
    for (const { line } of recorded) {
      const fast = argumentsOnlyChunk(line);
      if (fast === undefined) continue;
      const chunk = JSON.parse(line) as { choices: Array<{ delta: { tool_calls: Array<{ index: number; id?: string; function: { name?: string; arguments: string } }> } }> };
      const call = chunk.choices[0]?.delta.tool_calls[0];
      expect(call?.id).toBeUndefined();
      expect(call?.function.name).toBeUndefined();
      expect(fast).toEqual({ index: call?.index, piece: call?.function.arguments });
    }
    // A first piece (with id and name) and Mistral's pieces (which repeat an empty name) go to the full parser.
    const mistral = loadFixture('openai-compatible/mistral-incremental-tool-call').chunks ?? [];
    expect(mistral.map((line) => argumentsOnlyChunk(line))).toEqual(mistral.map(() => undefined));
    // OpenAI's long calls: every piece after the first takes the fast path.
    const long = textStreamAsToolCall(loadFixture('openai/openai-text').chunks ?? [], { id: 'call_1', name: 'record' });
    const taken = long.map((line) => argumentsOnlyChunk(line)).filter((fast) => fast !== undefined);
    expect(taken.length).toBeGreaterThan(long.length * 0.9);
    expect(JSON.parse(`{"text":"${taken.map((fast) => fast.piece).join('')}`)).toEqual({ text: expect.stringContaining('Harmony Day') });
  });

  it('decodes escapes and the index, and refuses anything more than a piece', () => {
    for (const args of ['{"city":', ' "Par\\"is', '\\u00e9 😀', '"}]},"logprobs":null', '']) expect(argumentsOnlyChunk(piece(args))).toEqual({ index: 0, piece: args });
    expect(argumentsOnlyChunk(piece('x', 12))).toEqual({ index: 12, piece: 'x' });
    expect(argumentsOnlyChunk(piece('x').replace('"finish_reason":null', '"finish_reason":"tool_calls"'))).toBeUndefined();
    expect(argumentsOnlyChunk(piece('x').replace('"usage":null', '"usage":{"prompt_tokens":1}'))).toBeUndefined();
    expect(argumentsOnlyChunk(piece('x').replace('"function":{', '"id":"call_2","function":{'))).toBeUndefined();
    expect(argumentsOnlyChunk(piece('x').replace('}}]}', '}},{"index":1,"function":{"arguments":"y"}}]}'))).toBeUndefined();
  });
});
