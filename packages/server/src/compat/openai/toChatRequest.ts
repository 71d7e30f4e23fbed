import { type ChatMessage, type ChatOptions, type ChatRequest, InvalidRequestError, type ToolChoice, type ToolDefinition, UnsupportedError } from '@aiu/core';
import type { OpenAIChatRequest, OpenAIMessage } from './schema';

type UserPart = Extract<OpenAIMessage, { role: 'user' }>['content'];

/** Fields aiu cannot honour that would change the answer: refused by name, in OpenAI's terms. */
function refuseUnsupported(body: OpenAIChatRequest): void {
  const refuse = (param: string, why: string) => {
    throw new UnsupportedError(`${param} ${why}`, { details: { param } });
  };
  if (body.n !== undefined && body.n !== null && body.n !== 1) refuse('n', 'must be 1: aiu returns one choice.');
  if (body.logprobs) refuse('logprobs', 'is not supported.');
  if (body.modalities?.some((modality) => modality !== 'text')) refuse('modalities', 'may only hold "text".');
  if (body.audio !== undefined && body.audio !== null) refuse('audio', 'output is not supported.');
  if (body.prediction !== undefined && body.prediction !== null) refuse('prediction', 'is not supported.');
  if (body.functions !== undefined) refuse('functions', 'is the legacy form: send tools instead.');
}

function joinText(content: string | Array<{ text: string }>): string {
  return typeof content === 'string' ? content : content.map((part) => part.text).join('');
}

/** A data URL's media type: what a file part needs and OpenAI's `file_data` carries. */
function mediaTypeOf(dataUrl: string): string | undefined {
  return /^data:([\w.+-]+\/[\w.+-]+)[;,]/.exec(dataUrl)?.[1];
}

function userContent(content: UserPart, index: number): ChatMessage['content'] {
  if (typeof content === 'string') return content;
  return content.map((part, partIndex) => {
    const param = `messages[${index}].content[${partIndex}]`;
    switch (part.type) {
      case 'text':
        return { type: 'text' as const, text: part.text };
      case 'image_url':
        return { type: 'image' as const, image: part.image_url.url };
      case 'file': {
        const data = part.file.file_data;
        if (!data) throw new UnsupportedError(`${param}: uploaded files (file_id) are not supported; send file_data as a data URL.`, { details: { param } });
        const mediaType = mediaTypeOf(data);
        if (!mediaType) throw new InvalidRequestError(`${param}: file_data must be a data URL (data:<type>;base64,…).`, { details: { param } });
        return { type: 'file' as const, data, mediaType, ...(part.file.filename ? { filename: part.file.filename } : {}) };
      }
      case 'input_audio':
        throw new UnsupportedError(`${param}: audio input is not supported.`, { details: { param } });
    }
  });
}

function parseArguments(text: string, param: string): unknown {
  if (!text.trim()) return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidRequestError(`${param}: the arguments are not JSON.`, { details: { param } });
  }
}

/** OpenAI's messages as aiu's: tool results find their tool's name from the call they answer. */
function toMessages(messages: OpenAIMessage[]): ChatMessage[] {
  const toolNames = new Map<string, string>();
  const out: ChatMessage[] = [];
  messages.forEach((message, index) => {
    switch (message.role) {
      case 'system':
      case 'developer':
        out.push({ role: 'system', content: joinText(message.content) });
        break;
      case 'user':
        out.push({ role: 'user', content: userContent(message.content, index) } as ChatMessage);
        break;
      case 'assistant': {
        if (message.function_call !== undefined && message.function_call !== null) {
          throw new UnsupportedError(`messages[${index}].function_call is the legacy form: send tool_calls instead.`, { details: { param: `messages[${index}].function_call` } });
        }
        const text = message.content === undefined || message.content === null ? '' : typeof message.content === 'string' ? message.content : message.content.map((part) => (part.type === 'text' ? part.text : part.refusal)).join('');
        const calls = message.tool_calls ?? [];
        if (!calls.length) {
          out.push({ role: 'assistant', content: text });
          break;
        }
        const parts: Extract<ChatMessage, { role: 'assistant' }>['content'] = text ? [{ type: 'text', text }] : [];
        calls.forEach((call, callIndex) => {
          toolNames.set(call.id, call.function.name);
          parts.push({ type: 'tool-call', toolCallId: call.id, toolName: call.function.name, input: parseArguments(call.function.arguments, `messages[${index}].tool_calls[${callIndex}].function.arguments`) });
        });
        out.push({ role: 'assistant', content: parts });
        break;
      }
      case 'tool': {
        const toolName = toolNames.get(message.tool_call_id);
        if (!toolName) {
          throw new InvalidRequestError(`messages[${index}]: tool_call_id "${message.tool_call_id}" answers no tool call of an earlier assistant message.`, { details: { param: `messages[${index}].tool_call_id` } });
        }
        const result = { type: 'tool-result' as const, toolCallId: message.tool_call_id, toolName, output: joinText(message.content) };
        // Parallel calls are answered by consecutive tool messages: one tool turn, as aiu holds it.
        const previous = out.at(-1);
        if (previous?.role === 'tool') previous.content.push(result);
        else out.push({ role: 'tool', content: [result] });
        break;
      }
      case 'function':
        throw new UnsupportedError(`messages[${index}]: role "function" is the legacy form: send role "tool".`, { details: { param: `messages[${index}].role` } });
    }
  });
  return out;
}

function toOptions(body: OpenAIChatRequest): ChatOptions | undefined {
  const options: ChatOptions = {};
  if (body.temperature !== undefined && body.temperature !== null) options.temperature = body.temperature;
  if (body.top_p !== undefined && body.top_p !== null) options.topP = body.top_p;
  const maxTokens = body.max_completion_tokens ?? body.max_tokens;
  if (maxTokens !== undefined && maxTokens !== null) options.maxTokens = maxTokens;
  if (body.stop !== undefined && body.stop !== null) options.stop = body.stop;
  if (body.seed !== undefined && body.seed !== null) options.seed = body.seed;
  if (body.reasoning_effort) options.reasoning = { effort: body.reasoning_effort === 'minimal' ? 'low' : body.reasoning_effort };
  return Object.keys(options).length ? options : undefined;
}

function toToolChoice(choice: OpenAIChatRequest['tool_choice']): ToolChoice | undefined {
  if (choice === undefined) return undefined;
  return typeof choice === 'string' ? choice : { type: 'tool', toolName: choice.function.name };
}

/**
 * OpenAI's Chat Completions request as aiu's own, before the core schema checks it. `model` is
 * already resolved (a bare id mapped to the one provider that knows it).
 */
export function toChatRequest(body: OpenAIChatRequest, model: string, openaiWire: (providerId: string) => boolean): ChatRequest {
  refuseUnsupported(body);
  const tools = body.tools?.length
    ? Object.fromEntries(
        body.tools.map((tool): [string, ToolDefinition] => [
          tool.function.name,
          { ...(tool.function.description ? { description: tool.function.description } : {}), inputSchema: tool.function.parameters ?? { type: 'object', properties: {} } },
        ]),
      )
    : undefined;
  const format = body.response_format;
  const options = toOptions(body);
  const toolChoice = toToolChoice(body.tool_choice);
  return {
    model,
    messages: toMessages(body.messages),
    stream: body.stream === true,
    ...(options ? { options } : {}),
    ...(tools ? { tools } : {}),
    ...(toolChoice ? { toolChoice } : {}),
    ...(format?.type === 'json_object' ? { responseFormat: { type: 'json' } } : {}),
    ...(format?.type === 'json_schema'
      ? {
          responseFormat: {
            type: 'json',
            name: format.json_schema.name,
            ...(format.json_schema.schema ? { schema: format.json_schema.schema } : {}),
            ...(format.json_schema.description ? { description: format.json_schema.description } : {}),
          },
        }
      : {}),
    ...(body.parallel_tool_calls === false ? parallelOff(model, openaiWire) : {}),
    ...(body.metadata ? { metadata: body.metadata } : {}),
  };
}

/** `parallel_tool_calls: false` exists on OpenAI's wire only: passed on to providers that speak it, dropped for others. */
function parallelOff(model: string, openaiWire: (providerId: string) => boolean): Pick<ChatRequest, 'providerOptions'> {
  const provider = model.split(':')[0] ?? '';
  return openaiWire(provider) ? { providerOptions: { [provider]: { parallel_tool_calls: false } } } : {};
}
