import { aiuHandlers } from '@aiu/testing/msw';
import { act, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { http } from 'msw';
import { StrictMode, useRef } from 'react';
import { describe, expect, it } from 'vitest';
import { server } from '../../test/setup';
import { AiuProvider } from '../AiuProvider';
import { useChat, type UseChatResult } from '../useChat';

function ChatProbe({ onRender }: { onRender?: (chat: UseChatResult) => void }) {
  const chat = useChat({ model: 'openai:gpt-4o-mini' });
  const renders = useRef(0);
  renders.current += 1;
  onRender?.(chat);
  return (
    <div>
      <button type="button" onClick={() => void chat.send('Hello?')}>
        send
      </button>
      <button type="button" onClick={chat.stop}>
        stop
      </button>
      <output aria-label="status">{chat.status}</output>
      <output aria-label="text">{chat.text}</output>
      <output aria-label="error">{chat.error?.code ?? ''}</output>
      <output aria-label="tokens">{chat.usage?.totalTokens ?? ''}</output>
      <output aria-label="messages">{chat.messages.length}</output>
      <output aria-label="renders">{renders.current}</output>
    </div>
  );
}

function renderChat(node = <ChatProbe />) {
  return render(<AiuProvider>{node}</AiuProvider>);
}

/** Counts /chat requests and remembers their signals, on top of the aiu handlers. */
function watchChatRequests() {
  const seen: Array<{ body: unknown; signal: AbortSignal }> = [];
  server.events.on('request:start', ({ request }) => {
    if (request.url.endsWith('/chat')) {
      void request.clone().json().then((body) => seen.push({ body, signal: request.signal }));
    }
  });
  return seen;
}

const status = () => screen.getByLabelText('status').textContent;
const text = () => screen.getByLabelText('text').textContent;

describe('useChat', () => {
  it('goes submitted → streaming → done, with the streamed text and usage', async () => {
    server.use(...aiuHandlers({ chat: { chunks: ['Hel', 'lo', ' there'], chunkDelayMs: 30 } }));
    const statuses: string[] = [];
    renderChat(<ChatProbe onRender={(chat) => statuses.at(-1) !== chat.status && statuses.push(chat.status)} />);
    await userEvent.click(screen.getByRole('button', { name: 'send' }));
    await waitFor(() => expect(status()).toBe('done'));
    expect(statuses).toEqual(['idle', 'submitted', 'streaming', 'done']);
    expect(text()).toBe('Hello there');
    expect(screen.getByLabelText('tokens').textContent).toBe('15');
    expect(screen.getByLabelText('messages').textContent).toBe('2');
  });

  it('sends the conversation so far with the model', async () => {
    server.use(...aiuHandlers());
    const seen = watchChatRequests();
    renderChat();
    await userEvent.click(screen.getByRole('button', { name: 'send' }));
    await waitFor(() => expect(status()).toBe('done'));
    await userEvent.click(screen.getByRole('button', { name: 'send' }));
    await waitFor(() => expect(screen.getByLabelText('messages').textContent).toBe('4'));
    expect(seen[1]?.body).toEqual({
      model: 'openai:gpt-4o-mini',
      messages: [
        { role: 'user', content: 'Hello?' },
        { role: 'assistant', content: 'Hello! How can I help you today?' },
        { role: 'user', content: 'Hello?' },
      ],
    });
  });

  it('stops a reply mid-stream: aborted, partial text kept, request aborted', async () => {
    server.use(...aiuHandlers({ chat: { chunks: ['one ', 'two ', 'three ', 'four '], chunkDelayMs: 80 } }));
    const seen = watchChatRequests();
    renderChat();
    await userEvent.click(screen.getByRole('button', { name: 'send' }));
    await waitFor(() => expect(text()).toContain('one'));
    await userEvent.click(screen.getByRole('button', { name: 'stop' }));
    expect(status()).toBe('aborted');
    const partial = text();
    expect(partial).not.toContain('four');
    await waitFor(() => expect(seen[0]?.signal.aborted).toBe(true));
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(text()).toBe(partial);
    expect(status()).toBe('aborted');
    expect(screen.getByLabelText('messages').textContent).toBe('2');
  });

  it('shows an error event as status error with its code, keeping the partial text', async () => {
    server.use(...aiuHandlers({ chat: { chunks: ['a', 'b', 'c'], failAfterChunks: 2 } }));
    renderChat();
    await userEvent.click(screen.getByRole('button', { name: 'send' }));
    await waitFor(() => expect(status()).toBe('error'));
    expect(screen.getByLabelText('error').textContent).toBe('stream_truncated');
    expect(text()).toBe('ab');
  });

  it('shows an HTTP error body as the error', async () => {
    server.use(...aiuHandlers({ chat: { httpError: { status: 400, code: 'missing_api_key', message: 'No API key for openai.' } } }));
    renderChat();
    await userEvent.click(screen.getByRole('button', { name: 'send' }));
    await waitFor(() => expect(status()).toBe('error'));
    expect(screen.getByLabelText('error').textContent).toBe('missing_api_key');
  });

  it('treats a stream that ends without finish as truncated', async () => {
    server.use(
      http.post('*/api/aiu/chat', () => new Response('event: start\ndata: {"requestId":"r","model":"openai:x","provider":"openai"}\n\nevent: delta\ndata: {"text":"hi"}\n\n', { headers: { 'content-type': 'text/event-stream' } })),
    );
    renderChat();
    await userEvent.click(screen.getByRole('button', { name: 'send' }));
    await waitFor(() => expect(status()).toBe('error'));
    expect(screen.getByLabelText('error').textContent).toBe('stream_truncated');
  });

  it('rejects a finish event that does not match the wire schema as invalid_response, keeping the text', async () => {
    const sse = (event: string, data: unknown) => `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
    server.use(
      http.post(
        '*/api/aiu/chat',
        () =>
          new Response(
            sse('start', { requestId: 'r', model: 'openai:x', provider: 'openai' }) +
              sse('delta', { text: 'partial' }) +
              // A negative token count: the shape a server of another version might send.
              sse('finish', { finishReason: 'stop', usage: { inputTokens: -1, outputTokens: 1, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, totalTokens: 0 }, cost: null, latencyMs: 1, ttftMs: null }),
            { headers: { 'content-type': 'text/event-stream' } },
          ),
      ),
    );
    renderChat();
    await userEvent.click(screen.getByRole('button', { name: 'send' }));
    await waitFor(() => expect(status()).toBe('error'));
    expect(screen.getByLabelText('error').textContent).toBe('invalid_response');
    expect(text()).toBe('partial');
    expect(screen.getByLabelText('tokens').textContent).toBe('');
  });

  it('sends once under StrictMode', async () => {
    server.use(...aiuHandlers());
    const seen = watchChatRequests();
    render(
      <StrictMode>
        <AiuProvider>
          <ChatProbe />
        </AiuProvider>
      </StrictMode>,
    );
    await userEvent.click(screen.getByRole('button', { name: 'send' }));
    await waitFor(() => expect(status()).toBe('done'));
    expect(seen).toHaveLength(1);
    expect(text()).toBe('Hello! How can I help you today?');
  });

  it('aborts the request when the component unmounts', async () => {
    server.use(...aiuHandlers({ chat: { chunks: ['a', 'b', 'c', 'd'], chunkDelayMs: 100 } }));
    const seen = watchChatRequests();
    const view = renderChat();
    await userEvent.click(screen.getByRole('button', { name: 'send' }));
    await waitFor(() => expect(seen).toHaveLength(1));
    view.unmount();
    await waitFor(() => expect(seen[0]?.signal.aborted).toBe(true));
  });

  it('renders far fewer times than tokens arrive (batched to frames)', async () => {
    const chunks = Array.from({ length: 400 }, (_, i) => `t${i} `);
    server.use(...aiuHandlers({ chat: { chunks } }));
    renderChat();
    await userEvent.click(screen.getByRole('button', { name: 'send' }));
    await waitFor(() => expect(status()).toBe('done'));
    expect(text()).toBe(chunks.join(''));
    expect(Number(screen.getByLabelText('renders').textContent)).toBeLessThan(chunks.length / 4);
  });

  it('asks for a model when none is given', async () => {
    function NoModel() {
      const chat = useChat();
      return (
        <button type="button" onClick={() => void chat.send('x')}>
          {chat.error?.code ?? 'send'}
        </button>
      );
    }
    renderChat(<NoModel />);
    await act(async () => screen.getByRole('button').click());
    expect(screen.getByRole('button').textContent).toBe('invalid_request');
  });
});
