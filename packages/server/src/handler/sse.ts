import type { ChatEvent } from '@aiu/core';

export const SSE_HEADERS: Record<string, string> = {
  'content-type': 'text/event-stream; charset=utf-8',
  // no-transform keeps compression middleware and proxies from buffering the stream.
  'cache-control': 'no-cache, no-transform',
  'x-accel-buffering': 'no',
  connection: 'keep-alive',
};

export const PING_INTERVAL_MS = 15_000;

const encoder = new TextEncoder();
export const SSE_PING = ': ping\n\n';
const PING = encoder.encode(SSE_PING);

/** One event as SSE text: `event: <type>` and its data as JSON. */
export function sseText(event: ChatEvent): string {
  // Deltas are nearly every event of a stream: no rest-spread object for them.
  if (event.type === 'delta') return `event: delta\ndata: {"text":${JSON.stringify(event.text)}}\n\n`;
  const { type, ...data } = event;
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

export function encodeEvent(event: ChatEvent): Uint8Array {
  return encoder.encode(sseText(event));
}

/** A batch of events as one piece of SSE text. */
export function sseBatchText(events: readonly ChatEvent[]): string {
  let text = '';
  for (const event of events) text += sseText(event);
  return text;
}

/**
 * Chat events as an SSE byte stream, pulled one batch at a time (backpressure reaches
 * the provider), with a `: ping` comment every 15 s so idle proxies keep the line open.
 * Cancelling the stream (client gone) returns the generator, which aborts upstream.
 */
export function toSseStream(
  first: ChatEvent,
  rest: AsyncGenerator<ChatEvent[]>,
  pingIntervalMs = PING_INTERVAL_MS,
): ReadableStream<Uint8Array> {
  let ping: ReturnType<typeof setInterval> | undefined;
  const stop = () => {
    if (ping) clearInterval(ping);
    ping = undefined;
  };
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        controller.enqueue(encodeEvent(first));
        ping = setInterval(() => {
          try {
            controller.enqueue(PING);
          } catch {
            stop();
          }
        }, pingIntervalMs);
        ping.unref?.();
      },
      async pull(controller) {
        try {
          const { value, done } = await rest.next();
          if (done) {
            stop();
            controller.close();
          } else {
            controller.enqueue(encoder.encode(sseBatchText(value)));
          }
        } catch (error) {
          stop();
          controller.error(error);
        }
      },
      async cancel() {
        stop();
        await rest.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
}
