import type { ChatMessage } from '@aiu/core';
import { mediaOf, mergeProviderOptions, outputText, partsOf, textOf } from '../parts';
import { toOpenAITool } from '../openai/request';
import type { ProviderChatRequest } from '../types';

/** Our request → `/api/chat`: sampling options live in `options`, max tokens is `num_predict`, images base64 beside the text. */
export function toOllamaBody(request: ProviderChatRequest, stream: boolean): Record<string, unknown> {
  const { options } = request;
  const modelOptions: Record<string, unknown> = {};
  if (options.temperature !== undefined) modelOptions.temperature = options.temperature;
  if (options.topP !== undefined) modelOptions.top_p = options.topP;
  if (options.seed !== undefined) modelOptions.seed = options.seed;
  if (options.maxTokens !== undefined) modelOptions.num_predict = options.maxTokens;
  if (options.stop !== undefined) modelOptions.stop = Array.isArray(options.stop) ? options.stop : [options.stop];
  const body: Record<string, unknown> = {
    model: request.model,
    messages: request.messages.flatMap(toOllamaMessages),
    stream,
    ...(Object.keys(modelOptions).length ? { options: modelOptions } : {}),
  };
  if (request.tools.length && request.toolChoice !== 'none') body.tools = request.tools.map(toOpenAITool);
  if (request.responseFormat?.type === 'json') body.format = request.responseFormat.schema ?? 'json';
  const reasoning = options.reasoning;
  if (reasoning) body.think = reasoning.effort ?? true;
  return mergeProviderOptions(body, request.providerOptions);
}

function toOllamaMessages(message: ChatMessage): Array<Record<string, unknown>> {
  switch (message.role) {
    case 'system':
      return [{ role: 'system', content: message.content }];
    case 'user': {
      const images = partsOf(message).flatMap((part) => {
        if (part.type !== 'image') return [];
        const media = mediaOf(part.image, part.mediaType, 'image/png');
        return media.kind === 'inline' ? [media.base64] : [];
      });
      return [{ role: 'user', content: textOf(message.content), ...(images.length ? { images } : {}) }];
    }
    case 'assistant': {
      const calls = partsOf(message).filter((part) => part.type === 'tool-call');
      return [
        {
          role: 'assistant',
          content: textOf(message.content),
          ...(calls.length ? { tool_calls: calls.map((call) => ({ function: { name: call.toolName, arguments: call.input ?? {} } })) } : {}),
        },
      ];
    }
    case 'tool':
      return message.content.flatMap((part) => (part.type === 'tool-result' ? [{ role: 'tool', content: outputText(part.output), tool_name: part.toolName }] : []));
  }
}
