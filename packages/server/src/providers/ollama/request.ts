import type { ProviderChatRequest } from '../types';

/** Our request → `/api/chat`: sampling options live in `options`, max tokens is `num_predict`. */
export function toOllamaBody(request: ProviderChatRequest, stream: boolean): Record<string, unknown> {
  const { options } = request;
  const modelOptions: Record<string, unknown> = {};
  if (options.temperature !== undefined) modelOptions.temperature = options.temperature;
  if (options.topP !== undefined) modelOptions.top_p = options.topP;
  if (options.seed !== undefined) modelOptions.seed = options.seed;
  if (options.maxTokens !== undefined) modelOptions.num_predict = options.maxTokens;
  if (options.stop !== undefined) modelOptions.stop = Array.isArray(options.stop) ? options.stop : [options.stop];
  return {
    model: request.model,
    messages: request.messages.map(({ role, content }) => ({ role, content })),
    stream,
    ...(Object.keys(modelOptions).length ? { options: modelOptions } : {}),
  };
}
