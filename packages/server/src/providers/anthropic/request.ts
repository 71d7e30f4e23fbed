import { type ChatMessage, type ReasoningOptions, UnsupportedError } from '@aiu/core';
import { mediaOf, mergeProviderOptions, metadataFor, outputText, partsOf } from '../parts';
import type { ProviderChatRequest } from '../types';

/** A sensible `max_tokens` when the caller set none: Anthropic requires the field. */
export function defaultMaxTokens(model: string): number {
  if (/claude-3-(opus|sonnet|haiku)-2024/.test(model) || /claude-(instant|2)/.test(model)) return 4096;
  if (/claude-3-5/.test(model)) return 8192;
  return 16_000;
}

/** Thinking budgets for an effort, within what Anthropic allows (at least 1,024). */
const EFFORT_BUDGET = { low: 1024, medium: 4096, high: 16_384 } as const;

type Block = Record<string, unknown>;

/** Our request → the Messages API: system prompts to their own field, tool results in user turns, roles merged. */
export function toAnthropicBody(request: ProviderChatRequest, stream: boolean): Record<string, unknown> {
  const system = request.messages.filter((m) => m.role === 'system').map((m) => m.content);
  const { options } = request;
  const thinking = thinkingBudget(options.reasoning);
  const maxTokens = options.maxTokens ?? defaultMaxTokens(request.model);
  const body: Record<string, unknown> = {
    model: request.model,
    // The thinking budget counts inside max_tokens: room is left for the answer.
    max_tokens: thinking !== undefined && maxTokens <= thinking ? thinking + maxTokens : maxTokens,
    messages: mergeRoles(request.messages.filter((m) => m.role !== 'system').map(toAnthropicMessage)),
    stream,
  };
  if (system.length) body.system = system.join('\n\n');
  // Extended thinking takes the default temperature only.
  if (thinking === undefined) {
    if (options.temperature !== undefined) body.temperature = Math.min(options.temperature, 1);
    if (options.topP !== undefined) body.top_p = options.topP;
  } else body.thinking = { type: 'enabled', budget_tokens: thinking };
  if (options.stop !== undefined) body.stop_sequences = Array.isArray(options.stop) ? options.stop : [options.stop];
  if (request.tools.length) {
    body.tools = request.tools.map((tool) => ({ name: tool.name, ...(tool.description ? { description: tool.description } : {}), input_schema: tool.inputSchema }));
    const choice = request.toolChoice;
    if (choice !== undefined) {
      body.tool_choice = typeof choice === 'string' ? { type: choice === 'required' ? 'any' : choice } : { type: 'tool', name: choice.toolName };
    }
  }
  if (request.responseFormat?.type === 'json') {
    body.output_config = { format: { type: 'json_schema', schema: request.responseFormat.schema ?? { type: 'object', additionalProperties: true } } };
  }
  return mergeProviderOptions(body, request.providerOptions);
}

function thinkingBudget(reasoning: ReasoningOptions | undefined): number | undefined {
  if (!reasoning) return undefined;
  if (reasoning.budgetTokens !== undefined) return Math.max(1024, reasoning.budgetTokens);
  return reasoning.effort ? EFFORT_BUDGET[reasoning.effort] : undefined;
}

type Turn = { role: 'user' | 'assistant'; content: string | Block[] };

function toAnthropicMessage(message: Exclude<ChatMessage, { role: 'system' }>): Turn {
  switch (message.role) {
    case 'user':
      // Plain text stays plain: what Anthropic's own examples send.
      return { role: 'user', content: typeof message.content === 'string' ? message.content : partsOf(message).flatMap(userBlock) };
    case 'assistant':
      return { role: 'assistant', content: typeof message.content === 'string' ? message.content : partsOf(message).flatMap(assistantBlock) };
    case 'tool':
      return {
        role: 'user',
        content: message.content.flatMap((part) =>
          part.type === 'tool-result'
            ? [{ type: 'tool_result', tool_use_id: part.toolCallId, content: outputText(part.output), ...(part.isError ? { is_error: true } : {}) }]
            : [],
        ),
      };
  }
}

function userBlock(part: ReturnType<typeof partsOf<Extract<ChatMessage, { role: 'user' }>>>[number]): Block[] {
  if (part.type === 'text') return part.text ? [{ type: 'text', text: part.text }] : [];
  if (part.type === 'image') {
    const media = mediaOf(part.image, part.mediaType, 'image/png');
    return [{ type: 'image', source: media.kind === 'url' ? { type: 'url', url: media.url } : { type: 'base64', media_type: media.mediaType, data: media.base64 } }];
  }
  const media = mediaOf(part.data, part.mediaType);
  const title = part.filename ? { title: part.filename } : {};
  if (media.kind === 'url') return [{ type: 'document', source: { type: 'url', url: media.url }, ...title }];
  if (media.mediaType === 'application/pdf') return [{ type: 'document', source: { type: 'base64', media_type: 'application/pdf', data: media.base64 }, ...title }];
  if (media.mediaType.startsWith('text/')) {
    return [{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: new TextDecoder().decode(Uint8Array.from(atob(media.base64), (c) => c.charCodeAt(0))) }, ...title }];
  }
  throw new UnsupportedError(`anthropic takes PDF and text documents, not ${media.mediaType} files.`, { details: { capability: 'files', mediaType: media.mediaType } });
}

function assistantBlock(part: ReturnType<typeof partsOf<Extract<ChatMessage, { role: 'assistant' }>>>[number]): Block[] {
  if (part.type === 'text') return part.text ? [{ type: 'text', text: part.text }] : [];
  if (part.type === 'tool-call') return [{ type: 'tool_use', id: part.toolCallId, name: part.toolName, input: part.input ?? {} }];
  // Thinking goes back only as Anthropic signed it (unsigned thinking is refused).
  const own = metadataFor(part.providerMetadata, 'anthropic');
  if (typeof own?.redactedData === 'string') return [{ type: 'redacted_thinking', data: own.redactedData }];
  if (typeof own?.signature === 'string') return [{ type: 'thinking', thinking: part.text, signature: own.signature }];
  return [];
}

/** Anthropic wants user and assistant turns to alternate: neighbours of one role become one turn. */
function mergeRoles(messages: Turn[]): Turn[] {
  const blocks = (content: Turn['content']): Block[] => (typeof content === 'string' ? (content ? [{ type: 'text', text: content }] : []) : content);
  const merged: Turn[] = [];
  for (const message of messages) {
    const last = merged[merged.length - 1];
    if (last && last.role === message.role) last.content = [...blocks(last.content), ...blocks(message.content)];
    else merged.push({ role: message.role, content: typeof message.content === 'string' ? message.content : [...message.content] });
  }
  return merged.filter((message) => message.content.length > 0);
}
