import { aiuHandlers, type MockChatReply, type MockChatRequest } from '@aiu/testing/msw';
import { act, renderHook, waitFor } from '@testing-library/react';
import type { ReactNode } from 'react';
import { describe, expect, it } from 'vitest';
import { server } from '../../test/setup';
import { AiuProvider } from '../AiuProvider';
import type { ToolCallUIPart, UIMessage } from '../core/uiMessages';
import { useChat, type UseChatOptions } from '../useChat';

const wrapper = ({ children }: { children: ReactNode }) => <AiuProvider>{children}</AiuProvider>;

/** The chat under test, every request's body, and every state of each tool call as renders saw it. */
function renderChat(options: UseChatOptions, chat: MockChatReply | ((request: MockChatRequest) => MockChatReply)) {
  const bodies: Array<Record<string, unknown>> = [];
  server.use(...aiuHandlers({ chat: (request) => (bodies.push(request.body ?? {}), typeof chat === 'function' ? chat(request) : chat) }));
  const states = new Map<string, string[]>();
  let renders = 0;
  const view = renderHook(
    () => {
      const result = useChat({ model: 'openai:gpt-4o-mini', ...options });
      renders += 1;
      for (const part of result.messages.flatMap((message) => message.parts)) {
        if (part.type !== 'tool-call') continue;
        const seen = states.get(part.toolCallId) ?? [];
        if (seen.at(-1) !== part.state) seen.push(part.state);
        states.set(part.toolCallId, seen);
      }
      return result;
    },
    { wrapper },
  );
  return { view, bodies, states, renders: () => renders, chat: () => view.result.current };
}

const calls = (message: UIMessage | undefined) => (message?.parts ?? []).filter((part): part is ToolCallUIPart => part.type === 'tool-call');
const weatherTools = { weather: { description: 'The weather in a city', inputSchema: { type: 'object', properties: { city: { type: 'string' } } } } };

describe('useChat parts', () => {
  it('holds the reply as parts: a tool call moves input-streaming → input-available, its arguments streamed then parsed; the reply ends for the client', async () => {
    const { chat, states } = renderChat({ tools: weatherTools }, { chunks: ['Let me check.'], toolCalls: [{ toolCallId: 'c1', toolName: 'weather', input: { city: 'Paris' }, inputChunks: 4 }], chunkDelayMs: 20 });
    await act(() => chat().send('Weather in Paris?'));
    await waitFor(() => expect(chat().status).toBe('done'));
    expect(chat().finishReason).toBe('tool_calls');
    const [user, reply] = chat().messages;
    expect(user).toMatchObject({ role: 'user', parts: [{ type: 'text', text: 'Weather in Paris?' }] });
    expect(reply?.role).toBe('assistant');
    expect(reply?.parts).toEqual([
      { type: 'text', text: 'Let me check.' },
      { type: 'tool-call', toolCallId: 'c1', toolName: 'weather', input: { city: 'Paris' }, state: 'input-available' },
    ]);
    expect(states.get('c1')).toEqual(['input-streaming', 'input-available']);
    expect(chat().text).toBe('Let me check.');
    expect(typeof reply?.id).toBe('string');
  });

  it('a server tool’s result lands on its call: output-available, or output-error with the error text', async () => {
    const { chat } = renderChat({}, {
      chunks: [],
      toolCalls: [
        { toolCallId: 'ok', toolName: 'weather', input: { city: 'Paris' }, result: { temperature: 21 } },
        { toolCallId: 'bad', toolName: 'weather', input: { city: '' }, result: { error: 'city is required' }, isError: true },
      ],
    });
    await act(() => chat().send('Weather?'));
    await waitFor(() => expect(chat().status).toBe('done'));
    expect(calls(chat().messages.at(-1))).toEqual([
      expect.objectContaining({ toolCallId: 'ok', state: 'output-available', output: { temperature: 21 } }),
      expect.objectContaining({ toolCallId: 'bad', state: 'output-error', errorText: 'city is required' }),
    ]);
  });

  it('runs a client tool through onToolCall and continues by itself: the result goes back as a tool message, the answer joins the same assistant message as a new step', async () => {
    const seen: unknown[] = [];
    const { chat, bodies, states } = renderChat(
      { tools: weatherTools, onToolCall: async ({ toolCall }) => (seen.push(toolCall), { temperature: 21, city: (toolCall.input as { city: string }).city }) },
      ({ index }) => (index === 0 ? { chunks: [], toolCalls: [{ toolCallId: 'c1', toolName: 'weather', input: { city: 'Paris' } }] } : { chunks: ['It is 21 °C in Paris.'] }),
    );
    await act(() => chat().send('Weather in Paris?'));
    await waitFor(() => expect(bodies).toHaveLength(2));
    await waitFor(() => expect(chat().status).toBe('done'));
    expect(seen).toEqual([{ toolCallId: 'c1', toolName: 'weather', input: { city: 'Paris' } }]);
    expect(bodies[0]?.tools).toEqual(weatherTools);
    expect(bodies[1]?.messages).toEqual([
      { role: 'user', content: 'Weather in Paris?' },
      { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'c1', toolName: 'weather', input: { city: 'Paris' } }] },
      { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c1', toolName: 'weather', output: { temperature: 21, city: 'Paris' } }] },
    ]);
    expect(chat().messages).toHaveLength(2);
    expect(chat().messages[1]?.parts).toEqual([
      { type: 'tool-call', toolCallId: 'c1', toolName: 'weather', input: { city: 'Paris' }, state: 'output-available', output: { temperature: 21, city: 'Paris' } },
      { type: 'step-start' },
      { type: 'text', text: 'It is 21 °C in Paris.' },
    ]);
    // Without delays the stream arrives in one piece, and one frame shows its end state.
    expect(states.get('c1')?.at(-1)).toBe('output-available');
    expect(chat().text).toBe('It is 21 °C in Paris.');
    expect(chat().finishReason).toBe('stop');
  });

  it('stops continuing after maxSteps requests in one turn', async () => {
    const { chat, bodies } = renderChat({ tools: weatherTools, maxSteps: 3, onToolCall: () => ({ temperature: 21 }) }, { chunks: [], toolCalls: [{ toolName: 'weather', input: { city: 'Paris' } }] });
    await act(() => chat().send('Loop forever'));
    await waitFor(() => expect(bodies).toHaveLength(3));
    await waitFor(() => expect(chat().status).toBe('done'));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(bodies).toHaveLength(3);
    // Each round trip is a step of the one reply.
    expect(chat().messages).toHaveLength(2);
    expect(calls(chat().messages[1])).toHaveLength(3);
  });

  it('a throwing onToolCall becomes an error result the model sees', async () => {
    const { chat, bodies } = renderChat(
      {
        tools: weatherTools,
        onToolCall: () => {
          throw new Error('GPS unavailable');
        },
      },
      ({ index }) => (index === 0 ? { chunks: [], toolCalls: [{ toolCallId: 'c1', toolName: 'weather', input: {} }] } : { chunks: ['Sorry.'] }),
    );
    await act(() => chat().send('Where am I?'));
    await waitFor(() => expect(bodies).toHaveLength(2));
    expect(bodies[1]?.messages).toContainEqual({ role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c1', toolName: 'weather', output: 'GPS unavailable', isError: true }] });
    await waitFor(() => expect(chat().status).toBe('done'));
    expect(calls(chat().messages[1])[0]).toMatchObject({ state: 'output-error', errorText: 'GPS unavailable' });
  });

  it('without onToolCall the call waits for addToolResult, which continues the chat', async () => {
    const { chat, bodies } = renderChat({ tools: weatherTools }, ({ index }) =>
      index === 0 ? { chunks: [], toolCalls: [{ toolCallId: 'c1', toolName: 'weather', input: { city: 'Oslo' } }] } : { chunks: ['Cold.'] },
    );
    await act(() => chat().send('Weather in Oslo?'));
    await waitFor(() => expect(chat().status).toBe('done'));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(bodies).toHaveLength(1);
    act(() => chat().addToolResult({ toolCallId: 'c1', output: { temperature: -3 } }));
    await waitFor(() => expect(chat().text).toBe('Cold.'));
    expect(bodies[1]?.messages).toContainEqual({ role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c1', toolName: 'weather', output: { temperature: -3 } }] });
  });

  it('a new message leaves an unanswered call out of what it sends (providers refuse a call without a result)', async () => {
    const { chat, bodies } = renderChat({ tools: weatherTools }, ({ index }) => (index === 0 ? { chunks: ['Checking.'], toolCalls: [{ toolCallId: 'c1', toolName: 'weather', input: {} }] } : { chunks: ['Ok.'] }));
    await act(() => chat().send('Weather?'));
    await waitFor(() => expect(chat().status).toBe('done'));
    await act(() => chat().send('Never mind.'));
    await waitFor(() => expect(chat().text).toBe('Ok.'));
    expect(bodies[1]?.messages).toEqual([
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: 'Checking.' },
      { role: 'user', content: 'Never mind.' },
    ]);
  });

  it('an approval round trip: approval-requested, the answer sent as a tool-approval-response, the server’s result lands on the call', async () => {
    const { chat, bodies, states } = renderChat({}, ({ index }) =>
      index === 0
        ? { chunks: [], toolCalls: [{ toolCallId: 'pay1', toolName: 'pay', input: { amount: 5 }, approval: true }] }
        : { toolResults: [{ toolCallId: 'pay1', toolName: 'pay', output: { paid: true } }], chunks: ['Paid.'] },
    );
    await act(() => chat().send('Pay 5'));
    await waitFor(() => expect(chat().status).toBe('done'));
    expect(calls(chat().messages[1])[0]?.state).toBe('approval-requested');
    act(() => chat().respondToApproval({ toolCallId: 'pay1', approved: true }));
    await waitFor(() => expect(chat().text).toBe('Paid.'));
    expect(bodies[1]?.messages).toEqual([
      { role: 'user', content: 'Pay 5' },
      { role: 'assistant', content: [{ type: 'tool-call', toolCallId: 'pay1', toolName: 'pay', input: { amount: 5 } }] },
      { role: 'tool', content: [{ type: 'tool-approval-response', toolCallId: 'pay1', approved: true }] },
    ]);
    expect(calls(chat().messages[1])[0]).toMatchObject({ state: 'output-available', output: { paid: true }, approval: { approved: true } });
    expect(states.get('pay1')).toEqual(['approval-requested', 'input-available', 'output-available']);
  });

  it('a denial is sent with its reason and shows as output-error until the server answers', async () => {
    const { chat, bodies } = renderChat({}, ({ index }) =>
      index === 0
        ? { chunks: [], toolCalls: [{ toolCallId: 'pay1', toolName: 'pay', input: { amount: 500 }, approval: true }] }
        : { toolResults: [{ toolCallId: 'pay1', toolName: 'pay', output: { error: 'The user denied this call to pay: too much' }, isError: true }], chunks: ['Understood.'] },
    );
    await act(() => chat().send('Pay 500'));
    await waitFor(() => expect(chat().status).toBe('done'));
    act(() => chat().respondToApproval({ toolCallId: 'pay1', approved: false, reason: 'too much' }));
    expect(calls(chat().messages[1])[0]).toMatchObject({ state: 'output-error', errorText: 'too much' });
    await waitFor(() => expect(chat().text).toBe('Understood.'));
    expect(bodies[1]?.messages).toContainEqual({ role: 'tool', content: [{ type: 'tool-approval-response', toolCallId: 'pay1', approved: false, reason: 'too much' }] });
    expect(calls(chat().messages[1])[0]).toMatchObject({ state: 'output-error', errorText: 'The user denied this call to pay: too much' });
  });

  it('publishes streamed tool arguments once per frame, not once per piece', async () => {
    const input = { text: 'x'.repeat(4000) };
    const { chat, renders } = renderChat({ tools: { echo: { inputSchema: {} } } }, { chunks: [], toolCalls: [{ toolName: 'echo', input, inputChunks: 400 }] });
    await act(() => chat().send('Echo'));
    await waitFor(() => expect(chat().status).toBe('done'));
    expect(calls(chat().messages[1])[0]?.input).toEqual(input);
    expect(renders()).toBeLessThan(100);
  });

  it('keeps a published part unchanged: a part that did not change keeps its identity', async () => {
    const { chat } = renderChat({}, { chunks: ['a', 'b', 'c'], reasoning: ['thinking'], chunkDelayMs: 20 });
    await act(() => chat().send('Hi'));
    await waitFor(() => expect(chat().text).toContain('a'));
    const reasoning = chat().messages[1]?.parts[0];
    await waitFor(() => expect(chat().status).toBe('done'));
    expect(chat().messages[1]?.parts[0]).toBe(reasoning);
    expect(chat().messages[1]?.parts[1]).toEqual({ type: 'text', text: 'abc' });
    expect(chat().reasoning).toBe('thinking');
  });
});

describe('useChat files', () => {
  it('reads files into data URLs: images as image parts, others as file parts, before the text', async () => {
    const { chat, bodies } = renderChat({}, {});
    const image = new File([new Uint8Array([137, 80, 78, 71])], 'dot.png', { type: 'image/png' });
    const pdf = new File(['%PDF-1.4'], 'doc.pdf', { type: 'application/pdf' });
    await act(() => chat().send({ text: 'What is in these?', files: [image, pdf] }));
    await waitFor(() => expect(chat().status).toBe('done'));
    expect(bodies[0]?.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'image', image: 'data:image/png;base64,iVBORw==', mediaType: 'image/png' },
          { type: 'file', data: `data:application/pdf;base64,${btoa('%PDF-1.4')}`, mediaType: 'application/pdf', filename: 'doc.pdf' },
          { type: 'text', text: 'What is in these?' },
        ],
      },
    ]);
    expect(chat().messages[0]?.parts.map((part) => part.type)).toEqual(['image', 'file', 'text']);
  });

  it('takes files the app already has as URLs, and files alone without text', async () => {
    const { chat, bodies } = renderChat({}, {});
    await act(() => chat().send({ files: [{ mediaType: 'image/jpeg', url: 'https://example.com/cat.jpg' }] }));
    await waitFor(() => expect(chat().status).toBe('done'));
    expect(bodies[0]?.messages).toEqual([{ role: 'user', content: [{ type: 'image', image: 'https://example.com/cat.jpg', mediaType: 'image/jpeg' }] }]);
  });

  it('refuses a file over maxFileBytes with a clear error, sending nothing and keeping the conversation', async () => {
    const { chat, bodies } = renderChat({ maxFileBytes: 1024 }, {});
    const big = new File([new Uint8Array(3 * 1024 * 1024)], 'scan.pdf', { type: 'application/pdf' });
    await act(() => chat().send({ text: 'Summarise', files: [big] }));
    expect(chat().status).toBe('error');
    expect(chat().error?.code).toBe('file_too_large');
    expect(chat().error?.message).toContain('"scan.pdf" is 3 MB');
    expect(chat().error?.message).toContain('maxFileBytes');
    expect(chat().messages).toEqual([]);
    expect(bodies).toHaveLength(0);
  });

  it('refuses to send nothing', async () => {
    const { chat, bodies } = renderChat({}, {});
    await act(() => chat().send({ text: '' }));
    expect(chat().error?.code).toBe('invalid_request');
    expect(bodies).toHaveLength(0);
  });
});

describe('useChat regenerate and stored conversations', () => {
  it('regenerate() replaces the last reply, sending the conversation up to the last user message', async () => {
    const { chat, bodies } = renderChat({}, ({ index }) => ({ chunks: [`answer ${index}`] }));
    await act(() => chat().send('Question'));
    await waitFor(() => expect(chat().text).toBe('answer 0'));
    await act(() => chat().regenerate());
    await waitFor(() => expect(chat().text).toBe('answer 1'));
    expect(bodies[1]?.messages).toEqual([{ role: 'user', content: 'Question' }]);
    expect(chat().messages.map((message) => message.role)).toEqual(['user', 'assistant']);
  });

  it('starts from stored messages and sends them in the wire’s shape: a step per turn, its answers in a tool message', async () => {
    const stored: UIMessage[] = [
      { id: 'u1', role: 'user', parts: [{ type: 'text', text: 'Weather?' }] },
      {
        id: 'a1',
        role: 'assistant',
        parts: [
          { type: 'reasoning', text: 'Look it up.', providerMetadata: { anthropic: { signature: 'sig' } } },
          { type: 'tool-call', toolCallId: 'c1', toolName: 'weather', input: { city: 'Rome' }, state: 'output-available', output: { temperature: 30 } },
          { type: 'step-start' },
          { type: 'text', text: 'Hot.' },
        ],
      },
    ];
    const { chat, bodies } = renderChat({ initialMessages: stored }, { chunks: ['Yes.'] });
    expect(chat().messages).toEqual(stored);
    await act(() => chat().send('Really?'));
    await waitFor(() => expect(chat().status).toBe('done'));
    expect(bodies[0]?.messages).toEqual([
      { role: 'user', content: 'Weather?' },
      {
        role: 'assistant',
        content: [
          { type: 'reasoning', text: 'Look it up.', providerMetadata: { anthropic: { signature: 'sig' } } },
          { type: 'tool-call', toolCallId: 'c1', toolName: 'weather', input: { city: 'Rome' } },
        ],
      },
      { role: 'tool', content: [{ type: 'tool-result', toolCallId: 'c1', toolName: 'weather', output: { temperature: 30 } }] },
      { role: 'assistant', content: 'Hot.' },
      { role: 'user', content: 'Really?' },
    ]);
  });
});
