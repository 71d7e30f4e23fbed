interface ChunkWire {
  choices: Array<{ delta?: { content?: unknown; [key: string]: unknown }; finish_reason?: string | null }>;
  [key: string]: unknown;
}

const hasText = (chunk: ChunkWire): boolean => typeof chunk.choices[0]?.delta?.content === 'string' && chunk.choices[0].delta.content.length > 0;

/**
 * A recorded Chat Completions text stream, chunk for chunk, as one streamed tool call in OpenAI's
 * layout: the first chunk names the call (id, name, the arguments' opening), each text piece
 * becomes an `arguments` piece of the JSON `{"text": …}`, and `stop` becomes `tool_calls`. Same
 * chunk count and pieces as the recording, so a tool call and a text answer of the same length
 * can be compared — and OpenAI's own long tool-call stream exercised — without a new recording.
 */
export function textStreamAsToolCall(lines: readonly string[], call: { id: string; name: string }): string[] {
  const chunks = lines.map((line) => (line === '[DONE]' ? null : (JSON.parse(line) as ChunkWire)));
  const lastText = chunks.findLastIndex((chunk) => chunk !== null && hasText(chunk));
  return chunks.map((chunk, index) => {
    const choice = chunk?.choices[0];
    if (!chunk || !choice) return lines[index] as string;
    if (index === 0) {
      choice.delta = { role: 'assistant', content: null, tool_calls: [{ index: 0, id: call.id, type: 'function', function: { name: call.name, arguments: '{"text":"' } }] };
    } else if (hasText(chunk)) {
      // Each piece escaped on its own: escaped pieces join into the escaped whole.
      const piece = JSON.stringify(choice.delta?.content).slice(1, -1);
      choice.delta = { tool_calls: [{ index: 0, function: { arguments: index === lastText ? `${piece}"}` : piece } }] };
    }
    if (choice.finish_reason === 'stop') choice.finish_reason = 'tool_calls';
    return JSON.stringify(chunk);
  });
}
