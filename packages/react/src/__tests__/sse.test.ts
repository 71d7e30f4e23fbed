import { describe, expect, it } from 'vitest';
import { readEvents, type ServerEvent } from '../core/sse';

function streamOf(chunks: string[]): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder();
  return new ReadableStream({
    start(controller) {
      for (const chunk of chunks) controller.enqueue(bytes.encode(chunk));
      controller.close();
    },
  });
}

async function collect(chunks: string[]): Promise<ServerEvent[]> {
  const events: ServerEvent[] = [];
  for await (const event of readEvents(streamOf(chunks))) events.push(event);
  return events;
}

describe('readEvents', () => {
  it('reads named and unnamed events, joining data lines and ignoring comments and other fields', async () => {
    const events = await collect([': ping\n\nevent: delta\ndata: {"a":1}\n\ndata:first\ndata: second\nid: 7\nretry: 10\n\n']);
    expect(events).toEqual([
      { event: 'delta', data: '{"a":1}' },
      { event: 'message', data: 'first\nsecond' },
    ]);
  });

  it('accepts LF, CR and CRLF line endings, including a CRLF split across chunks', async () => {
    const events = await collect(['event: a\r\ndata: 1\r', '\n\r\nevent: b\rdata: 2\r\rdata: 3\n', '\n']);
    expect(events).toEqual([
      { event: 'a', data: '1' },
      { event: 'b', data: '2' },
      { event: 'message', data: '3' },
    ]);
  });

  it('reassembles multi-byte characters and lines split across chunks', async () => {
    const bytes = new TextEncoder().encode('data: héllo 🌍\n\n');
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (const byte of bytes) controller.enqueue(Uint8Array.of(byte));
        controller.close();
      },
    });
    const events: ServerEvent[] = [];
    for await (const event of readEvents(stream)) events.push(event);
    expect(events).toEqual([{ event: 'message', data: 'héllo 🌍' }]);
  });

  it('drops an event the stream ended before finishing, as EventSource does', async () => {
    expect(await collect(['data: whole\n\ndata: cut off'])).toEqual([{ event: 'message', data: 'whole' }]);
  });

  it('cancels the body when the reader stops early', async () => {
    let cancelled = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode('data: x\n\n'));
      },
      cancel() {
        cancelled = true;
      },
    });
    for await (const event of readEvents(body)) {
      expect(event.data).toBe('x');
      break;
    }
    expect(cancelled).toBe(true);
  });
});
