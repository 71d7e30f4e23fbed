import type { ChatEvent } from '@aiu/core';
import { type Frame, frame, jsonStringBound, type Piece, PieceBuilder } from '../util/pieceBuilder';

/** One event as aiu's SSE text: `event: <type>` and its data as JSON. */
export function sseText(event: ChatEvent): string {
  const { type, ...data } = event;
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

const DELTA_HEAD = frame('event: delta\ndata: {"text":');
const FRAME_TAIL = frame('}\n\n');
/** The last tool call's `tool-input-delta` frame: its pieces come in a row (a streamed call is as many pieces as text). */
let toolInputHead: { toolCallId: string; frame: Frame } = { toolCallId: '', frame: frame('') };

function toolInputHeadOf(toolCallId: string): Frame {
  if (toolInputHead.toolCallId !== toolCallId) toolInputHead = { toolCallId, frame: frame(`event: tool-input-delta\ndata: {"toolCallId":${JSON.stringify(toolCallId)},"delta":`) };
  return toolInputHead.frame;
}

/**
 * A batch of events as one piece of SSE text (as bytes when it is large: `PieceBuilder`). Text
 * and tool-input pieces, nearly every event of a stream, are written from their frames.
 */
export function sseBatch(events: readonly ChatEvent[]): Piece {
  let bound = 0;
  for (const event of events) {
    if (event.type === 'delta') bound += DELTA_HEAD.bytes.length + FRAME_TAIL.bytes.length + jsonStringBound(event.text);
    else if (event.type === 'tool-input-delta') bound += 96 + jsonStringBound(event.delta);
  }
  const out = new PieceBuilder(bound);
  for (const event of events) {
    if (event.type === 'delta') {
      out.frame(DELTA_HEAD);
      out.jsonString(event.text);
      out.frame(FRAME_TAIL);
    } else if (event.type === 'tool-input-delta') {
      out.frame(toolInputHeadOf(event.toolCallId));
      out.jsonString(event.delta);
      out.frame(FRAME_TAIL);
    } else out.text(sseText(event));
  }
  return out.take();
}
