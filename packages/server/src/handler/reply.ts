import type { ChatEvent } from '@aiu/core';
import { toSseStream } from './sse';

/**
 * What a route answers before it becomes a Web `Response`. The Web handler turns it into
 * one; the Node bridge writes it to the socket directly — no body stream to build and read
 * back for a JSON answer, no stream layer between chat events and the socket.
 */
export interface Reply {
  readonly status: number;
  readonly headers: Record<string, string>;
  /** A complete body… */
  readonly text?: string;
  /** …or chat events, sent as server-sent events (the rest in the batches they arrived in)… */
  readonly events?: { first: ChatEvent; rest: AsyncGenerator<ChatEvent[]>; pingIntervalMs: number };
  /** …or text produced a piece at a time, pulled as the client reads. */
  readonly chunks?: AsyncGenerator<string>;
}

export type RouteResult = Response | Reply;

export function toResponse(result: RouteResult): Response {
  if (result instanceof Response) return result;
  const { status, headers, events } = result;
  if (events) return new Response(toSseStream(events.first, events.rest, events.pingIntervalMs), { status, headers });
  if (result.chunks) return new Response(textStream(result.chunks), { status, headers });
  return new Response(result.text ?? null, { status, headers });
}

/** Pulled one piece at a time, so a slow reader holds the producer back. */
function textStream(chunks: AsyncGenerator<string>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const { value, done } = await chunks.next();
        if (done) controller.close();
        else controller.enqueue(encoder.encode(value));
      },
      async cancel() {
        await chunks.return(undefined);
      },
    },
    { highWaterMark: 0 },
  );
}
