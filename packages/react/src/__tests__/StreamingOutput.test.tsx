import { aiuHandlers } from '@aiu/testing/msw';
import { render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { axeViolations } from '../../test/axe';
import { server } from '../../test/setup';
import { AiuProvider } from '../AiuProvider';
import { StreamingOutput } from '../StreamingOutput';
import { useChat } from '../useChat';

async function* tokens(pieces: string[], delayMs = 0): AsyncGenerator<string> {
  for (const piece of pieces) {
    if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
    yield piece;
  }
}

function readable(pieces: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const piece of pieces) controller.enqueue(encoder.encode(piece));
      controller.close();
    },
  });
}

function Rendered({ source }: { source: Parameters<typeof StreamingOutput>[0]['source'] }) {
  return (
    <StreamingOutput source={source}>
      {({ text, status, stop, getContainerProps, getAnnouncerProps }) => (
        <section aria-label="reply">
          <div {...getContainerProps({ 'data-testid': 'output' })}>{text}</div>
          <p {...getAnnouncerProps()} />
          <span data-testid="status">{status}</span>
          <button type="button" onClick={stop}>
            stop
          </button>
        </section>
      )}
    </StreamingOutput>
  );
}

describe('StreamingOutput', () => {
  it('has no axe violations while streaming and when done', async () => {
    const { container } = render(<Rendered source={tokens(['a', 'b'], 30)} />);
    expect(await axeViolations(container)).toEqual([]);
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('done'));
    expect(await axeViolations(container)).toEqual([]);
  });

  it('streams an AsyncIterable: aria-busy and data-state follow, announced once per state', async () => {
    render(<Rendered source={tokens(['Hello', ', ', 'world'], 20)} />);
    const output = screen.getByTestId('output');
    await waitFor(() => expect(output.getAttribute('data-state')).toBe('streaming'));
    expect(output.getAttribute('aria-busy')).toBe('true');
    expect(screen.getByRole('status').textContent).toBe('Generating a response…');
    await waitFor(() => expect(output.getAttribute('data-state')).toBe('done'));
    expect(output.textContent).toBe('Hello, world');
    expect(output.getAttribute('aria-busy')).toBe('false');
    expect(screen.getByRole('status').textContent).toBe('Response complete.');
  });

  it('never puts the tokens into the live region', async () => {
    render(<Rendered source={tokens(['secret-ish ', 'tokens'], 10)} />);
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('done'));
    expect(screen.getByRole('status').textContent).not.toContain('tokens');
  });

  it('decodes a ReadableStream of bytes', async () => {
    render(<Rendered source={readable(['caf', 'é ', 'au lait'])} />);
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('done'));
    expect(screen.getByTestId('output').textContent).toBe('café au lait');
  });

  it('stops an iterable: aborted, partial text kept', async () => {
    render(<Rendered source={tokens(['one ', 'two ', 'three ', 'four ', 'five '], 60)} />);
    await waitFor(() => expect(screen.getByTestId('output').textContent).toContain('one'));
    await userEvent.click(screen.getByRole('button', { name: 'stop' }));
    expect(screen.getByTestId('status').textContent).toBe('aborted');
    const partial = screen.getByTestId('output').textContent;
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(screen.getByTestId('output').textContent).toBe(partial);
    expect(screen.getByRole('status').textContent).toBe('Response stopped.');
  });

  it('shows a failing iterable as error', async () => {
    async function* failing() {
      yield 'partial';
      throw new Error('boom');
    }
    render(<Rendered source={failing()} />);
    await waitFor(() => expect(screen.getByTestId('status').textContent).toBe('error'));
    expect(screen.getByRole('status').textContent).toBe('Response failed: boom');
    expect(screen.getByTestId('output').textContent).toBe('partial');
  });

  it('follows a useChat source, stop included', async () => {
    server.use(...aiuHandlers({ chat: { chunks: ['x', 'y', 'z', 'w'], chunkDelayMs: 60 } }));
    function Chat() {
      const chat = useChat({ model: 'openai:gpt-4o-mini' });
      return (
        <>
          <button type="button" onClick={() => void chat.send('hi')}>
            send
          </button>
          <Rendered source={chat} />
        </>
      );
    }
    render(
      <AiuProvider>
        <Chat />
      </AiuProvider>,
    );
    await userEvent.click(screen.getByRole('button', { name: 'send' }));
    await waitFor(() => expect(screen.getByTestId('output').textContent).toContain('x'));
    expect(screen.getByTestId('output').getAttribute('data-state')).toBe('streaming');
    await userEvent.click(screen.getByRole('button', { name: 'stop' }));
    expect(screen.getByTestId('output').getAttribute('data-state')).toBe('aborted');
  });

  it('renders the text with a hidden status line when no render prop is given', async () => {
    const { container } = render(<StreamingOutput source={tokens(['plain'])} />);
    await waitFor(() => expect(container.querySelector('[data-state="done"]')?.textContent).toBe('plain'));
    expect(screen.getByRole('status').textContent).toBe('Response complete.');
  });
});
