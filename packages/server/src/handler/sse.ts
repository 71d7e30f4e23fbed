import type { ChatEvent } from '@aiu/core';
import { ByteBuilder, jsonStringBound, utf8 } from '../util/byteBuilder';

/** One event as aiu's SSE text: `event: <type>` and its data as JSON. */
export function sseText(event: ChatEvent): string {
  const { type, ...data } = event;
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

const DELTA_HEAD = utf8('event: delta\ndata: {"text":');
const FRAME_TAIL = utf8('}\n\n');
/** The last tool call's `tool-input-delta` frame: its pieces come in a row (a streamed call is as many pieces as text). */
let toolInputHead: { toolCallId: string; bytes: Uint8Array } = { toolCallId: '', bytes: new Uint8Array(0) };

function toolInputHeadOf(toolCallId: string): Uint8Array {
  if (toolInputHead.toolCallId !== toolCallId) toolInputHead = { toolCallId, bytes: utf8(`event: tool-input-delta\ndata: {"toolCallId":${JSON.stringify(toolCallId)},"delta":`) };
  return toolInputHead.bytes;
}

/**
 * A batch of events as one piece of SSE bytes. Text and tool-input pieces, nearly every event of a
 * stream, are written from their frames.
 */
export function sseBatch(events: readonly ChatEvent[]): Uint8Array {
  let bound = 0;
  for (const event of events) {
    if (event.type === 'delta') bound += DELTA_HEAD.length + FRAME_TAIL.length + jsonStringBound(event.text);
    else if (event.type === 'tool-input-delta') bound += 96 + jsonStringBound(event.delta);
  }
  const out = new ByteBuilder(bound + 256);
  for (const event of events) {
    if (event.type === 'delta') {
      out.raw(DELTA_HEAD);
      out.jsonString(event.text);
      out.raw(FRAME_TAIL);
    } else if (event.type === 'tool-input-delta') {
      out.raw(toolInputHeadOf(event.toolCallId));
      out.jsonString(event.delta);
      out.raw(FRAME_TAIL);
    } else out.text(sseText(event));
  }
  return out.take();
}
