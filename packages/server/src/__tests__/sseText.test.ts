import type { ChatEvent } from '@aiu/core';
import { describe, expect, it } from 'vitest';
import { sseBatch, sseText } from '../handler/sse';

/** What an event must look like on the wire, written the plain way. */
function expected(event: ChatEvent): string {
  const { type, ...data } = event;
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

const events: ChatEvent[] = [
  { type: 'start', requestId: 'req_1', model: 'openai:gpt-4.1-nano', provider: 'openai' },
  { type: 'delta', text: 'say "hi"\n' },
  { type: 'delta', text: 'café 😀 \u0001' },
  { type: 'reasoning', text: 'hmm', providerMetadata: { anthropic: { signature: 'sig' } } },
  { type: 'tool-input-start', toolCallId: 'call_1', toolName: 'weather' },
  { type: 'tool-input-delta', toolCallId: 'call_1', delta: '{"city":"Par\\u00e9' },
  { type: 'tool-call', toolCallId: 'call_1', toolName: 'weather', input: { city: 'Paré' }, approval: 'required' },
  { type: 'tool-result', toolCallId: 'call_1', toolName: 'weather', output: { type: 'sunny' }, isError: false },
  {
    type: 'step-finish',
    step: 1,
    finishReason: 'tool_calls',
    usage: { inputTokens: 210, outputTokens: 15, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, totalTokens: 225 },
    cost: { input: 0.000021, output: 0.000006, total: 0.000027, currency: 'USD' },
  },
  { type: 'error', code: 'upstream_error', message: 'boom', retryable: true },
];

describe('sseText', () => {
  it('writes every kind of event as `event: <type>` and its data without the type', () => {
    for (const event of events) expect(sseText(event)).toBe(expected(event));
    expect(sseBatch(events)).toBe(events.map(expected).join(''));
    // Enough of them to be written as bytes: the same text.
    const many = Array.from({ length: 40 }, () => events).flat();
    const bytes = sseBatch(many);
    expect(bytes).toBeInstanceOf(Uint8Array);
    expect(new TextDecoder().decode(bytes as Uint8Array)).toBe(many.map(expected).join(''));
  });

  it("writes an event built with its type last the same way", () => {
    const typeLast = { toolCallId: 'call_2', toolName: 'x', type: 'tool-input-start' } as unknown as ChatEvent;
    expect(sseText(typeLast)).toBe('event: tool-input-start\ndata: {"toolCallId":"call_2","toolName":"x"}\n\n');
  });
});
