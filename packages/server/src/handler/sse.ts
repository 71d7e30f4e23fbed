import type { ChatEvent } from '@aiu/core';

/** One event as aiu's SSE text: `event: <type>` and its data as JSON. */
export function sseText(event: ChatEvent): string {
  // Deltas are nearly every event of a stream: no rest-spread object for them.
  if (event.type === 'delta') return `event: delta\ndata: {"text":${JSON.stringify(event.text)}}\n\n`;
  if (event.type === 'tool-input-delta') return `event: tool-input-delta\ndata: {"toolCallId":${JSON.stringify(event.toolCallId)},"delta":${JSON.stringify(event.delta)}}\n\n`;
  const { type, ...data } = event;
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** A batch of events as one piece of SSE text. */
export function sseBatchText(events: readonly ChatEvent[]): string {
  let text = '';
  for (const event of events) text += sseText(event);
  return text;
}
