import type { ChatEvent } from '@aiu/core';
import { ByteBuilder, jsonStringBound, utf8 } from '../util/byteBuilder';

/** One event as aiu's SSE text: `event: <type>` and its data as JSON. */
export function sseText(event: ChatEvent): string {
  if (event.type === 'tool-input-delta') return `event: tool-input-delta\ndata: {"toolCallId":${JSON.stringify(event.toolCallId)},"delta":${JSON.stringify(event.delta)}}\n\n`;
  const { type, ...data } = event;
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

const DELTA_HEAD = utf8('event: delta\ndata: {"text":');
const DELTA_TAIL = utf8('}\n\n');

/** A batch of events as one piece of SSE bytes; deltas, nearly every event of a stream, from their frame. */
export function sseBatch(events: readonly ChatEvent[]): Uint8Array {
  let bound = 0;
  for (const event of events) if (event.type === 'delta') bound += DELTA_HEAD.length + DELTA_TAIL.length + jsonStringBound(event.text);
  const out = new ByteBuilder(bound + 256);
  for (const event of events) {
    if (event.type === 'delta') {
      out.raw(DELTA_HEAD);
      out.jsonString(event.text);
      out.raw(DELTA_TAIL);
    } else out.text(sseText(event));
  }
  return out.take();
}
