import type { ChatOptions } from '@aiu/core';
import type { ProviderChatRequest } from '../types';

export interface OpenAIWireOptions {
  /** OpenAI wants `max_completion_tokens` (reasoning models reject `max_tokens`); most compatible APIs want `max_tokens`. */
  maxTokensField: 'max_completion_tokens' | 'max_tokens';
  /** Whether to ask for usage in the stream with `stream_options.include_usage`. */
  streamOptions: boolean;
}

export function toOpenAIBody(request: ProviderChatRequest, stream: boolean, wire: OpenAIWireOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: request.model,
    messages: request.messages.map(({ role, content }) => ({ role, content })),
    stream,
  };
  if (stream && wire.streamOptions) body.stream_options = { include_usage: true };
  applyOptions(body, request.options, wire);
  return body;
}

function applyOptions(body: Record<string, unknown>, options: ChatOptions, wire: OpenAIWireOptions): void {
  if (options.temperature !== undefined) body.temperature = options.temperature;
  if (options.maxTokens !== undefined) body[wire.maxTokensField] = options.maxTokens;
  if (options.topP !== undefined) body.top_p = options.topP;
  if (options.stop !== undefined) body.stop = options.stop;
  if (options.seed !== undefined) body.seed = options.seed;
}
