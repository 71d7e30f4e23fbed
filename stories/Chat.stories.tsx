import { type ToolCallUIPart, type UIPart, type UseChatOptions, type UseChatResult, useChat } from '@aiu/react';
import { aiuHandlers } from '@aiu/testing/msw';
import type { Meta, StoryObj } from '@storybook/react-vite';
import { type FormEvent, useRef } from 'react';
import { expect, userEvent, waitFor, within } from 'storybook/test';

/** One tool call, styled by its `data-state` (see theme.css): arguments, result, and the approval buttons when it asks. */
function ToolCall({ part, chat }: { part: ToolCallUIPart; chat: UseChatResult }) {
  return (
    <div className="tool-call" data-state={part.state} data-testid={`tool-${part.toolCallId}`}>
      <strong>{part.toolName}</strong> <small>{part.state}</small>
      <pre>{part.state === 'input-streaming' ? part.inputText : JSON.stringify(part.input)}</pre>
      {part.state === 'output-available' ? <pre>→ {JSON.stringify(part.output)}</pre> : null}
      {part.state === 'output-error' ? <p className="error">{part.errorText}</p> : null}
      {part.state === 'approval-requested' ? (
        <div className="actions">
          <button type="button" onClick={() => chat.respondToApproval({ toolCallId: part.toolCallId, approved: true })}>
            Approve
          </button>
          <button type="button" onClick={() => chat.respondToApproval({ toolCallId: part.toolCallId, approved: false, reason: 'Not now' })}>
            Deny
          </button>
        </div>
      ) : null}
    </div>
  );
}

function Part({ part, chat }: { part: UIPart; chat: UseChatResult }) {
  switch (part.type) {
    case 'text':
      return <p>{part.text}</p>;
    case 'reasoning':
      return (
        <details>
          <summary>Reasoning</summary>
          {part.text}
        </details>
      );
    case 'image':
      return <img src={part.image} alt="Attached" width={64} />;
    case 'file':
      return <span className="attachment">📎 {part.filename ?? part.mediaType}</span>;
    case 'step-start':
      return <hr />;
    case 'tool-call':
      return <ToolCall part={part} chat={chat} />;
  }
}

/** A whole conversation from `messages` and their parts: the pattern an app's chat view follows. */
function Conversation(options: UseChatOptions) {
  const chat = useChat({ model: 'openai:gpt-4o-mini', ...options });
  const files = useRef<HTMLInputElement>(null);
  function submit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const text = new FormData(event.currentTarget).get('prompt');
    void chat.send({ text: typeof text === 'string' ? text : '', files: files.current?.files ?? undefined });
  }
  return (
    <div>
      <ol className="messages" aria-label="Conversation">
        {chat.messages.map((message) => (
          <li key={message.id} data-role={message.role}>
            {message.parts.map((part, index) => (
              <Part key={index} part={part} chat={chat} />
            ))}
          </li>
        ))}
      </ol>
      <form className="prompt" onSubmit={submit}>
        <label htmlFor="prompt">Prompt</label>
        <input id="prompt" name="prompt" defaultValue="What is the weather in Paris?" />
        <label htmlFor="files">Attach</label>
        <input id="files" type="file" ref={files} multiple />
        <div className="actions">
          <button type="submit" disabled={chat.isStreaming}>
            Send
          </button>
          <button type="button" onClick={() => void chat.regenerate()} disabled={chat.isStreaming || chat.messages.length === 0}>
            Regenerate
          </button>
        </div>
      </form>
      <p data-testid="status" className="muted">
        {chat.status}
        {chat.error ? ` — ${chat.error.message}` : ''}
      </p>
    </div>
  );
}

const meta: Meta<typeof Conversation> = { title: 'Hooks/useChat', component: Conversation };
export default meta;
type Story = StoryObj<typeof Conversation>;

const weather = { weather: { description: 'The weather in a city', inputSchema: { type: 'object', properties: { city: { type: 'string' } } } } };

export const ServerTool: Story = {
  parameters: {
    msw: {
      handlers: aiuHandlers({ chat: { chunks: ['Let me check. '], chunkDelayMs: 30, toolCalls: [{ toolCallId: 'w1', toolName: 'weather', input: { city: 'Paris' }, result: { temperature: 21, sky: 'clear' } }] } }),
    },
  },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.click(canvas.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(canvas.getByTestId('tool-w1')).toHaveAttribute('data-state', 'output-available'), { timeout: 5000 });
    await expect(canvas.getByTestId('tool-w1')).toHaveTextContent('"temperature":21');
  },
};

export const ClientTool: Story = {
  args: { tools: weather, onToolCall: ({ toolCall }) => ({ city: (toolCall.input as { city: string }).city, temperature: 19 }) },
  parameters: {
    msw: {
      handlers: aiuHandlers({
        chat: ({ index }) => (index === 0 ? { chunks: [], chunkDelayMs: 30, toolCalls: [{ toolCallId: 'c1', toolName: 'weather', input: { city: 'Paris' } }] } : { chunks: ['It is ', '19 °C in Paris.'], chunkDelayMs: 30 }),
      }),
    },
  },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.click(canvas.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(canvas.getByText('19 °C in Paris.', { exact: false })).toBeInTheDocument(), { timeout: 5000 });
    await expect(canvas.getByTestId('tool-c1')).toHaveAttribute('data-state', 'output-available');
  },
};

export const Approval: Story = {
  parameters: {
    msw: {
      handlers: aiuHandlers({
        chat: ({ index }) =>
          index === 0
            ? { chunks: ['I can book that. '], toolCalls: [{ toolCallId: 'b1', toolName: 'bookTable', input: { restaurant: 'Chez Nous', people: 2 }, approval: true }] }
            : { toolResults: [{ toolCallId: 'b1', toolName: 'bookTable', output: { confirmation: 'CN-2041' } }], chunks: ['Booked: CN-2041.'], chunkDelayMs: 30 },
      }),
    },
  },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.click(canvas.getByRole('button', { name: 'Send' }));
    await userEvent.click(await canvas.findByRole('button', { name: 'Approve' }, { timeout: 5000 }));
    await waitFor(() => expect(canvas.getByTestId('tool-b1')).toHaveAttribute('data-state', 'output-available'), { timeout: 5000 });
    await expect(await canvas.findByText('Booked: CN-2041.', {}, { timeout: 5000 })).toBeInTheDocument();
  },
};

export const StreamingArguments: Story = {
  args: { tools: weather },
  parameters: {
    msw: { handlers: aiuHandlers({ chat: { chunks: [], chunkDelayMs: 400, toolCalls: [{ toolCallId: 's1', toolName: 'weather', input: { city: 'Reykjavík', units: 'metric' }, inputChunks: 8 }] } }) },
  },
};

export const FileTooLarge: Story = {
  args: { maxFileBytes: 16 },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.upload(canvas.getByLabelText('Attach'), new File(['x'.repeat(64)], 'notes.txt', { type: 'text/plain' }));
    await userEvent.click(canvas.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(canvas.getByTestId('status')).toHaveTextContent('"notes.txt" is'));
    await expect(canvas.getByRole('list', { name: 'Conversation' }).children).toHaveLength(0);
  },
};
