import { type ChatMessage, type ChatOptions, type ChatRequest, InvalidRequestError, type ToolChoice, type ToolResultPart, UnsupportedError } from '@aiu/core';
import type { AnthropicBlock, AnthropicMessage, AnthropicMessagesRequest } from './schema';

type UserContent = Exclude<Extract<ChatMessage, { role: 'user' }>['content'], string>;
type AssistantContent = Exclude<Extract<ChatMessage, { role: 'assistant' }>['content'], string>;

function unsupported(param: string, why: string): never {
  throw new UnsupportedError(`${param} ${why}`, { details: { param } });
}

function resultText(block: Extract<AnthropicBlock, { type: 'tool_result' }>, param: string): string {
  if (block.content === undefined) return '';
  if (typeof block.content === 'string') return block.content;
  return block.content
    .map((part) => {
      if (part.type === 'image') unsupported(param, 'holds an image: tool results are text here.');
      return part.text;
    })
    .join('');
}

function userParts(blocks: AnthropicBlock[], index: number, toolNames: Map<string, string>): { results: ToolResultPart[]; content: UserContent } {
  const results: ToolResultPart[] = [];
  const content: UserContent = [];
  blocks.forEach((block, blockIndex) => {
    const param = `messages.${index}.content.${blockIndex}`;
    switch (block.type) {
      case 'text':
        content.push({ type: 'text', text: block.text });
        break;
      case 'image':
        content.push(block.source.type === 'base64' ? { type: 'image', image: `data:${block.source.media_type};base64,${block.source.data}`, mediaType: block.source.media_type } : { type: 'image', image: block.source.url });
        break;
      case 'document':
        if (block.source.type === 'base64') content.push({ type: 'file', data: `data:${block.source.media_type};base64,${block.source.data}`, mediaType: block.source.media_type, ...(block.title ? { filename: block.title } : {}) });
        else if (block.source.type === 'text') content.push({ type: 'text', text: block.source.data });
        else unsupported(param, 'is a document by URL: send it as base64.');
        break;
      case 'tool_result': {
        const toolName = toolNames.get(block.tool_use_id);
        if (!toolName) throw new InvalidRequestError(`${param}: tool_use_id "${block.tool_use_id}" answers no tool_use of an earlier assistant message.`, { details: { param } });
        results.push({ type: 'tool-result', toolCallId: block.tool_use_id, toolName, output: resultText(block, param), ...(block.is_error ? { isError: true } : {}) });
        break;
      }
      default:
        unsupported(param, `(${block.type}) cannot come from the user.`);
    }
  });
  return { results, content };
}

function assistantParts(blocks: AnthropicBlock[], index: number, toolNames: Map<string, string>): AssistantContent {
  return blocks.map((block, blockIndex): AssistantContent[number] => {
    switch (block.type) {
      case 'text':
        return { type: 'text', text: block.text };
      case 'tool_use':
        toolNames.set(block.id, block.name);
        return { type: 'tool-call', toolCallId: block.id, toolName: block.name, input: block.input ?? {} };
      case 'thinking':
        // The signature goes back to Anthropic as it came: thinking without it is refused there.
        return { type: 'reasoning', text: block.thinking, ...(block.signature ? { providerMetadata: { anthropic: { signature: block.signature } } } : {}) };
      case 'redacted_thinking':
        return { type: 'reasoning', text: '', providerMetadata: { anthropic: { redactedData: block.data } } };
      default:
        return unsupported(`messages.${index}.content.${blockIndex}`, `(${block.type}) cannot come from the assistant.`);
    }
  });
}

function toMessages(body: AnthropicMessagesRequest): ChatMessage[] {
  const out: ChatMessage[] = [];
  if (body.system !== undefined) {
    const system = typeof body.system === 'string' ? body.system : body.system.map((block) => block.text).join('\n');
    if (system) out.push({ role: 'system', content: system });
  }
  const toolNames = new Map<string, string>();
  body.messages.forEach((message: AnthropicMessage, index) => {
    if (typeof message.content === 'string') {
      out.push({ role: message.role, content: message.content });
      return;
    }
    if (message.role === 'assistant') {
      out.push({ role: 'assistant', content: assistantParts(message.content, index, toolNames) });
      return;
    }
    // One Anthropic user turn may answer tool calls and say more: aiu's tool turn, then the user's.
    const { results, content } = userParts(message.content, index, toolNames);
    if (results.length) out.push({ role: 'tool', content: results });
    if (content.length || !results.length) out.push({ role: 'user', content });
  });
  return out;
}

function toToolChoice(choice: AnthropicMessagesRequest['tool_choice']): ToolChoice | undefined {
  if (!choice) return undefined;
  if (choice.type === 'auto') return 'auto';
  if (choice.type === 'any') return 'required';
  if (choice.type === 'none') return 'none';
  return { type: 'tool', toolName: choice.name };
}

/** Anthropic's Messages request as aiu's own, before the core schema checks it. */
export function toChatRequest(body: AnthropicMessagesRequest, model: string): ChatRequest {
  if (body.top_k !== undefined) unsupported('top_k', 'is not supported.');
  const serverTool = body.tools?.find((tool) => tool.type !== undefined && tool.type !== 'custom');
  if (serverTool) unsupported('tools', `holds Anthropic's own tool "${serverTool.name}" (${serverTool.type}): only custom tools are carried.`);
  const options: ChatOptions = { maxTokens: body.max_tokens };
  if (body.temperature !== undefined) options.temperature = body.temperature;
  if (body.top_p !== undefined) options.topP = body.top_p;
  if (body.stop_sequences?.length) options.stop = body.stop_sequences;
  if (body.thinking?.type === 'enabled') options.reasoning = { budgetTokens: body.thinking.budget_tokens };
  const toolChoice = toToolChoice(body.tool_choice);
  return {
    model,
    messages: toMessages(body),
    stream: body.stream === true,
    options,
    ...(body.tools?.length ? { tools: Object.fromEntries(body.tools.map((tool) => [tool.name, { ...(tool.description ? { description: tool.description } : {}), inputSchema: tool.input_schema }])) } : {}),
    ...(toolChoice ? { toolChoice } : {}),
    ...(body.metadata?.user_id ? { metadata: { user_id: body.metadata.user_id } } : {}),
  };
}
