import type { ProviderChatRequest } from '../types';

/** A sensible `max_tokens` when the caller set none: Anthropic requires the field. */
export function defaultMaxTokens(model: string): number {
  if (/claude-3-(opus|sonnet|haiku)-2024/.test(model) || /claude-(instant|2)/.test(model)) return 4096;
  if (/claude-3-5/.test(model)) return 8192;
  return 16_000;
}

/** Our request → the Messages API: system prompts go to their own field. */
export function toAnthropicBody(request: ProviderChatRequest, stream: boolean): Record<string, unknown> {
  const system = request.messages.filter((m) => m.role === 'system').map((m) => m.content);
  const { options } = request;
  const body: Record<string, unknown> = {
    model: request.model,
    max_tokens: options.maxTokens ?? defaultMaxTokens(request.model),
    messages: request.messages.filter((m) => m.role !== 'system').map(({ role, content }) => ({ role, content })),
    stream,
  };
  if (system.length) body.system = system.join('\n\n');
  if (options.temperature !== undefined) body.temperature = Math.min(options.temperature, 1);
  if (options.topP !== undefined) body.top_p = options.topP;
  if (options.stop !== undefined) body.stop_sequences = Array.isArray(options.stop) ? options.stop : [options.stop];
  return body;
}
