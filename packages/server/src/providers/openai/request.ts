import type { ChatMessage, ChatOptions, ResponseFormat, ToolChoice } from '@aiu/core';
import { mediaOf, dataUrl, mergeProviderOptions, outputText, partsOf, textOf } from '../parts';
import type { ProviderChatRequest, ProviderTool } from '../types';

export interface OpenAIWireOptions {
  /** OpenAI wants `max_completion_tokens` (reasoning models reject `max_tokens`); most compatible APIs want `max_tokens`. */
  maxTokensField: 'max_completion_tokens' | 'max_tokens';
  /** Whether to ask for usage in the stream with `stream_options.include_usage`. */
  streamOptions: boolean;
  /** How the service takes reasoning effort: `reasoning_effort` (OpenAI, Groq, xAI), OpenRouter's `reasoning` object, or not at all. */
  reasoning: 'effort' | 'openrouter' | 'none';
}

/** Our request → Chat Completions. */
export function toOpenAIBody(request: ProviderChatRequest, stream: boolean, wire: OpenAIWireOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {
    model: request.model,
    messages: request.messages.flatMap(toOpenAIMessages),
    stream,
  };
  if (stream && wire.streamOptions) body.stream_options = { include_usage: true };
  applyOptions(body, request.options, wire);
  if (request.tools.length) body.tools = request.tools.map(toOpenAITool);
  if (request.toolChoice !== undefined && request.tools.length) body.tool_choice = toOpenAIToolChoice(request.toolChoice);
  if (request.responseFormat) applyResponseFormat(body, request.responseFormat);
  return mergeProviderOptions(body, request.providerOptions);
}

function toOpenAIMessages(message: ChatMessage): Array<Record<string, unknown>> {
  switch (message.role) {
    case 'system':
      return [{ role: 'system', content: message.content }];
    case 'user': {
      if (typeof message.content === 'string') return [{ role: 'user', content: message.content }];
      const content = message.content.map((part) => {
        if (part.type === 'text') return { type: 'text', text: part.text };
        if (part.type === 'image') return { type: 'image_url', image_url: { url: dataUrl(mediaOf(part.image, part.mediaType, 'image/png')) } };
        const media = mediaOf(part.data, part.mediaType);
        return { type: 'file', file: { ...(part.filename ? { filename: part.filename } : {}), file_data: dataUrl(media) } };
      });
      return [{ role: 'user', content }];
    }
    case 'assistant': {
      const parts = partsOf(message);
      const calls = parts.filter((part) => part.type === 'tool-call');
      const text = textOf(message.content);
      return [
        {
          role: 'assistant',
          content: text || (calls.length ? null : ''),
          ...(calls.length
            ? { tool_calls: calls.map((call) => ({ id: call.toolCallId, type: 'function', function: { name: call.toolName, arguments: JSON.stringify(call.input ?? {}) } })) }
            : {}),
        },
      ];
    }
    case 'tool':
      return message.content.flatMap((part) =>
        part.type === 'tool-result' ? [{ role: 'tool', tool_call_id: part.toolCallId, content: outputText(part.output) }] : [],
      );
  }
}

export function toOpenAITool(tool: ProviderTool): Record<string, unknown> {
  return { type: 'function', function: { name: tool.name, ...(tool.description ? { description: tool.description } : {}), parameters: tool.inputSchema } };
}

export function toOpenAIToolChoice(choice: ToolChoice): unknown {
  return typeof choice === 'string' ? choice : { type: 'function', function: { name: choice.toolName } };
}

function applyResponseFormat(body: Record<string, unknown>, format: ResponseFormat): void {
  if (format.type === 'text') return;
  body.response_format = format.schema
    ? { type: 'json_schema', json_schema: { name: format.name ?? 'response', ...(format.description ? { description: format.description } : {}), schema: format.schema } }
    : { type: 'json_object' };
}

function applyOptions(body: Record<string, unknown>, options: ChatOptions, wire: OpenAIWireOptions): void {
  if (options.temperature !== undefined) body.temperature = options.temperature;
  if (options.maxTokens !== undefined) body[wire.maxTokensField] = options.maxTokens;
  if (options.topP !== undefined) body.top_p = options.topP;
  if (options.stop !== undefined) body.stop = options.stop;
  if (options.seed !== undefined) body.seed = options.seed;
  const reasoning = options.reasoning;
  if (!reasoning) return;
  if (wire.reasoning === 'effort' && reasoning.effort) body.reasoning_effort = reasoning.effort;
  if (wire.reasoning === 'openrouter') {
    body.reasoning = { ...(reasoning.effort ? { effort: reasoning.effort } : {}), ...(reasoning.budgetTokens !== undefined ? { max_tokens: reasoning.budgetTokens } : {}) };
  }
}
