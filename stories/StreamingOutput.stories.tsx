import { StreamingOutput, type StreamingSource, useChat } from '@aiu/react';
import { aiuHandlers } from '@aiu/testing/msw';
import type { Meta, StoryObj } from '@storybook/react-vite';
import { useState } from 'react';
import { expect, userEvent, waitFor, within } from 'storybook/test';

const TEXT = 'Galaxy Day is celebrated on October 31st. Communities gather in parks with telescopes, share stories about the constellations, and light lanterns for the stars.';

async function* tokens(delayMs: number, failAfter?: number): AsyncGenerator<string> {
  const words = TEXT.split(/(?<= )/);
  for (let i = 0; i < words.length; i++) {
    if (failAfter !== undefined && i >= failAfter) throw new Error('The connection closed before the reply finished.');
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    yield words[i] as string;
  }
}

function Output({ source }: { source: StreamingSource }) {
  return (
    <StreamingOutput source={source}>
      {({ text, status, error, stop, getContainerProps, getAnnouncerProps }) => (
        <div className="reply">
          <div {...getContainerProps({ className: 'output', 'data-testid': 'output' })}>{text || (status === 'idle' ? 'Nothing yet.' : '')}</div>
          <p {...getAnnouncerProps({ className: 'visually-hidden' })} />
          {error ? <p className="error">{error.message}</p> : null}
          <div className="actions">
            <button type="button" onClick={stop} disabled={status !== 'streaming'}>
              Stop
            </button>
          </div>
        </div>
      )}
    </StreamingOutput>
  );
}

/** A fresh source per mount, so re-rendering the story restarts it. */
function Streamed({ delayMs, failAfter }: { delayMs: number; failAfter?: number }) {
  const [source] = useState(() => tokens(delayMs, failAfter));
  return <Output source={source} />;
}

const meta: Meta<typeof Streamed> = { title: 'Components/StreamingOutput', component: Streamed };
export default meta;
type Story = StoryObj<typeof Streamed>;

export const Default: Story = {
  args: { delayMs: 5 },
  play: async ({ canvasElement }) => {
    const output = within(canvasElement).getByTestId('output');
    await waitFor(() => expect(output).toHaveAttribute('data-state', 'done'), { timeout: 5000 });
    await expect(output).toHaveTextContent('light lanterns for the stars.');
  },
};

export const Streaming: Story = { args: { delayMs: 400 } };

export const Stopped: Story = {
  args: { delayMs: 150 },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await waitFor(() => expect(canvas.getByTestId('output')).toHaveTextContent('Galaxy'), { timeout: 5000 });
    await userEvent.click(canvas.getByRole('button', { name: 'Stop' }));
    await expect(canvas.getByTestId('output')).toHaveAttribute('data-state', 'aborted');
  },
};

export const ErrorState: Story = { name: 'Error', args: { delayMs: 20, failAfter: 6 } };

export const Empty: Story = { render: () => <Output source={null} /> };

function Chat() {
  const chat = useChat({ model: 'openai:gpt-4o-mini' });
  return (
    <div>
      <button type="button" onClick={() => void chat.send('Invent a holiday.')}>
        Send
      </button>
      <Output source={chat} />
    </div>
  );
}

export const WithUseChat: Story = {
  render: () => <Chat />,
  parameters: { msw: { handlers: aiuHandlers({ chat: { chunks: TEXT.split(/(?<= )/), chunkDelayMs: 40 } }) } },
  play: async ({ canvasElement }) => {
    const canvas = within(canvasElement);
    await userEvent.click(canvas.getByRole('button', { name: 'Send' }));
    await waitFor(() => expect(canvas.getByTestId('output')).toHaveAttribute('data-state', 'done'), { timeout: 10_000 });
  },
};

export const AllStates: Story = {
  render: () => (
    <div className="states">
      {(['idle', 'streaming', 'done', 'error'] as const).map((state) => (
        <section key={state} aria-label={state}>
          <h3>{state}</h3>
          {state === 'idle' ? <Output source={null} /> : <Streamed delayMs={state === 'streaming' ? 500 : 1} {...(state === 'error' ? { failAfter: 3 } : {})} />}
        </section>
      ))}
    </div>
  ),
};
