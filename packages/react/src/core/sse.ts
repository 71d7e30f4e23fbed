/** One server-sent event: its type (`message` when unnamed) and its data lines joined. */
export interface ServerEvent {
  event: string;
  data: string;
}

const LINE_END = /\r\n|\r|\n/;

/**
 * Reads a `text/event-stream` body event by event: `event:` and `data:` fields, comments and the
 * rest ignored, any line ending. Written for aiu's own stream rather than taken from
 * eventsource-parser (which the server uses on providers' streams): the client needs a tenth of
 * it, and its bytes count against @aiu/react's budget.
 */
export async function* readEvents(body: ReadableStream<Uint8Array>): AsyncGenerator<ServerEvent> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  let event = '';
  let data: string[] = [];
  try {
    for (let done = false; !done; ) {
      const chunk = await reader.read();
      done = chunk.done;
      buffer += done ? decoder.decode() : decoder.decode(chunk.value, { stream: true });
      // A `\r` at the end may be half of a `\r\n`: keep it for the next chunk.
      const held = !done && buffer.endsWith('\r') ? 1 : 0;
      const lines = buffer.slice(0, buffer.length - held).split(LINE_END);
      buffer = (done ? '' : (lines.pop() ?? '')) + (held ? '\r' : '');
      for (const line of lines) {
        if (!line) {
          if (data.length) yield { event: event || 'message', data: data.join('\n') };
          event = '';
          data = [];
        } else if (line.startsWith('data:')) data.push(line.slice(line[5] === ' ' ? 6 : 5));
        else if (line.startsWith('event:')) event = line.slice(line[6] === ' ' ? 7 : 6);
      }
    }
  } finally {
    reader.cancel().catch(() => {});
  }
}
