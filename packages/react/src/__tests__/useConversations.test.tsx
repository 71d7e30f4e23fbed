import { act, render, screen, waitFor } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { realAiuServer } from '../../test/aiuServer';
import { AiuProvider } from '../AiuProvider';
import type { UIMessage } from '../core/uiMessages';
import { useConversation } from '../useConversation';
import { useConversations } from '../useConversations';

// The hooks against aiu's real /conversations routes over a socket (loopback: the routes' default guard).
const aiu = realAiuServer({ providers: { openai: { apiKey: 'sk-test-unused-0000000000' } } });

const messages: UIMessage[] = [
  { id: 'u1', role: 'user', parts: [{ type: 'text', text: 'Plan a day in Porto' }] },
  {
    id: 'a1',
    role: 'assistant',
    parts: [
      { type: 'reasoning', text: 'Morning, lunch, evening.' },
      { type: 'tool-call', toolCallId: 'call_1', toolName: 'weather', input: { city: 'Porto' }, state: 'output-available', output: { tempC: 19 } },
      { type: 'step-start' },
      { type: 'text', text: '**Ribeira** first.' },
    ],
  },
];

let list: ReturnType<typeof useConversations> | undefined;
let one: ReturnType<typeof useConversation> | undefined;
function Threads({ open }: { open: string | null }) {
  list = useConversations({ limit: 2 });
  one = useConversation(open);
  return (
    <div>
      <ul aria-label="chats">
        {list.conversations.map((c) => (
          <li key={c.id}>{`${c.title} (${c.messageCount})`}</li>
        ))}
      </ul>
      <output aria-label="open">{one.conversation ? one.conversation.messages.map((m) => m.parts.length).join(',') : '-'}</output>
    </div>
  );
}

const renderThreads = (open: string | null) =>
  render(
    <AiuProvider baseUrl={aiu.base()}>
      <Threads open={open} />
    </AiuProvider>,
  );

describe('useConversations / useConversation', () => {
  it('saves a thread, lists it at once, and reads it back part for part in another mount', async () => {
    const first = renderThreads(null);
    await waitFor(() => expect(list?.isLoading).toBe(false));
    const saved = await act(() => list?.save('porto', { messages, metadata: { temperature: 0.4 } }));
    expect(saved).toMatchObject({ id: 'porto', title: 'Plan a day in Porto', version: 1 });
    await waitFor(() => expect(screen.getByRole('list', { name: 'chats' }).textContent).toBe('Plan a day in Porto (2)'));
    first.unmount();

    // A fresh page (new QueryClient): everything comes from the server.
    renderThreads('porto');
    await waitFor(() => expect(screen.getByLabelText('open').textContent).toBe('1,4'));
    expect(one?.conversation?.messages).toEqual(messages);
    expect(one?.conversation?.metadata).toEqual({ temperature: 0.4 });
  });

  it('a save over a stale version is a typed conflict, and the newer save is kept', async () => {
    renderThreads(null);
    await waitFor(() => expect(list?.isLoading).toBe(false));
    const created = await act(() => list?.create({ title: 'Draft', messages: [] }));
    const id = created?.id ?? '';
    await act(() => list?.save(id, { title: 'Draft', messages }, { version: 1 }));
    await expect(list?.save(id, { title: 'Draft', messages: [] }, { version: 1 })).rejects.toMatchObject({ status: 409, code: 'conflict' });
    const response = await fetch(`${aiu.base()}/conversations/${id}`);
    expect(((await response.json()) as { messageCount: number }).messageCount).toBe(2);
  });

  it('pages the list, removes a thread, and a missing thread is a not_found error', async () => {
    renderThreads('nope');
    await waitFor(() => expect(one?.error?.code).toBe('not_found'));
    await waitFor(() => expect(list?.isLoading).toBe(false));
    for (const id of ['p1', 'p2', 'p3']) await act(() => list?.save(id, { title: id, messages }));
    await waitFor(() => expect(list?.hasNextPage).toBe(true));
    const before = list?.conversations.length ?? 0;
    act(() => list?.fetchNextPage());
    await waitFor(() => expect(list?.conversations.length).toBeGreaterThan(before));
    await act(() => list?.remove('p2'));
    await waitFor(() => expect(list?.conversations.map((c) => c.id)).not.toContain('p2'));
    expect((await fetch(`${aiu.base()}/conversations/p2`)).status).toBe(404);
  });
});
