import { ChatRequestSchema } from '@aiu/core';
import { describe, expect, it } from 'vitest';
import { toChatRequest, UIChatRequestSchema } from '../compat/aisdk/uiChat';

// What @ai-sdk/react's useChat sends on a later turn: earlier answers with their steps, tools and files.
const body = UIChatRequestSchema.parse({
  id: 'chat_1',
  trigger: 'submit-message',
  model: 'openai:gpt-4.1-nano',
  messages: [
    { id: 'u1', role: 'user', parts: [{ type: 'text', text: 'Weather and this photo?' }, { type: 'file', mediaType: 'image/png', url: 'data:image/png;base64,AAAA' }, { type: 'file', mediaType: 'application/pdf', url: 'data:application/pdf;base64,BBBB', filename: 'a.pdf' }] },
    {
      id: 'a1',
      role: 'assistant',
      parts: [
        { type: 'step-start' },
        { type: 'reasoning', text: 'Let me look.', providerMetadata: { anthropic: { signature: 'sig' } } },
        { type: 'tool-weather', toolCallId: 'call_1', state: 'output-available', input: { city: 'Berlin' }, output: { temperatureC: 21 } },
        { type: 'tool-lookup', toolCallId: 'call_2', state: 'output-error', input: {}, errorText: 'down' },
        { type: 'tool-pending', toolCallId: 'call_3', state: 'input-available', input: {} },
        { type: 'step-start' },
        { type: 'text', text: 'It is 21 °C.' },
        { type: 'source-url', sourceId: 's', url: 'https://example.com' },
      ],
    },
    { id: 'u2', role: 'user', parts: [{ type: 'text', text: 'Thanks' }] },
  ],
});

describe('the AI SDK UI messages as aiu’s request', () => {
  it('splits each step into an assistant turn and its tool results, and keeps files, reasoning signatures and answered calls only', () => {
    const request = ChatRequestSchema.parse(toChatRequest(body));
    expect(request.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather and this photo?' }, { type: 'image', image: 'data:image/png;base64,AAAA', mediaType: 'image/png' }, { type: 'file', data: 'data:application/pdf;base64,BBBB', mediaType: 'application/pdf', filename: 'a.pdf' }] },
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'Let me look.', providerMetadata: { anthropic: { signature: 'sig' } } },
          { type: 'tool-call', toolCallId: 'call_1', toolName: 'weather', input: { city: 'Berlin' } },
          { type: 'tool-call', toolCallId: 'call_2', toolName: 'lookup', input: {} },
        ],
      },
      {
        role: 'tool',
        content: [
          { type: 'tool-result', toolCallId: 'call_1', toolName: 'weather', output: { temperatureC: 21 } },
          { type: 'tool-result', toolCallId: 'call_2', toolName: 'lookup', output: { error: 'down' }, isError: true },
        ],
      },
      { role: 'assistant', content: [{ type: 'text', text: 'It is 21 °C.' }] },
      { role: 'user', content: 'Thanks' },
    ]);
  });

  it('refuses a user part it cannot carry, by name', () => {
    expect(() => toChatRequest(UIChatRequestSchema.parse({ model: 'openai:x', messages: [{ role: 'user', parts: [{ type: 'tool-x', toolCallId: 'c' }] }] }))).toThrow('messages.0.parts.0: a user message cannot carry a "tool-x" part.');
  });
});
