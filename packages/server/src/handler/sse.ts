import type { ChatEvent } from '@aiu/core';
import { frame, LastFrame, type Piece, PieceBuilder, piecesBound } from '../util/pieceBuilder';

/** One event as aiu's SSE text: `event: <type>` and its data as JSON. */
export function sseText(event: ChatEvent): string {
  const { type, ...data } = event;
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

const DELTA_HEAD = frame('event: delta\ndata: {"text":');
const FRAME_TAIL = frame('}\n\n');
/** Around a piece's JSON: a delta's frame (tool-input heads, with their call id, are longer). */
const FRAME_BYTES = DELTA_HEAD.bytes.length + FRAME_TAIL.bytes.length;
/** A tool call's `tool-input-delta` head (a streamed call is as many pieces as a text answer). */
const toolInputHead = new LastFrame((toolCallId: string) => `event: tool-input-delta\ndata: {"toolCallId":${JSON.stringify(toolCallId)},"delta":`);

/**
 * A batch of events as one piece of SSE text (as bytes when it is large: `PieceBuilder`). Text
 * and tool-input pieces, nearly every event of a stream, are written from their frames.
 */
export function sseBatch(events: readonly ChatEvent[]): Piece {
  const out = new PieceBuilder(piecesBound(events, FRAME_BYTES));
  for (const event of events) {
    if (event.type === 'delta') out.framed(DELTA_HEAD, event.text, FRAME_TAIL);
    else if (event.type === 'tool-input-delta') out.framed(toolInputHead.of(event.toolCallId), event.delta, FRAME_TAIL);
    else out.text(sseText(event));
  }
  return out.take();
}
