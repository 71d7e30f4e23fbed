import type { ChatMessage, ReasoningOptions } from '@aiu/core';
import { mediaOf, mergeProviderOptions, metadataFor, partsOf } from '../parts';
import type { ProviderChatRequest } from '../types';
import { toGeminiSchema } from './schema';

type Part = Record<string, unknown>;
type Content = { role: 'user' | 'model'; parts: Part[] };

/** Our request → `generateContent`: system prompts to `systemInstruction`, `assistant` → `model`, tool results as `functionResponse`. */
export function toGeminiBody(request: ProviderChatRequest): Record<string, unknown> {
  const system = request.messages.filter((m) => m.role === 'system').map((m) => ({ text: m.content }));
  const { options } = request;
  const generationConfig: Record<string, unknown> = {};
  if (options.temperature !== undefined) generationConfig.temperature = options.temperature;
  if (options.topP !== undefined) generationConfig.topP = options.topP;
  if (options.maxTokens !== undefined) generationConfig.maxOutputTokens = options.maxTokens;
  if (options.stop !== undefined) generationConfig.stopSequences = Array.isArray(options.stop) ? options.stop : [options.stop];
  if (options.seed !== undefined) generationConfig.seed = options.seed;
  const thinking = thinkingConfig(request.model, options.reasoning);
  if (thinking) generationConfig.thinkingConfig = thinking;
  const format = request.responseFormat;
  if (format?.type === 'json') {
    generationConfig.responseMimeType = 'application/json';
    const schema = toGeminiSchema(format.schema);
    if (schema) generationConfig.responseSchema = schema;
  }
  const body: Record<string, unknown> = {
    contents: mergeRoles(request.messages.filter((m) => m.role !== 'system').map(toContent)),
  };
  if (system.length) body.systemInstruction = { parts: system };
  if (Object.keys(generationConfig).length) body.generationConfig = generationConfig;
  if (request.tools.length) {
    body.tools = [
      {
        functionDeclarations: request.tools.map((tool) => {
          const parameters = toGeminiSchema(tool.inputSchema);
          return { name: tool.name, ...(tool.description ? { description: tool.description } : {}), ...(parameters ? { parameters } : {}) };
        }),
      },
    ];
    const choice = request.toolChoice;
    if (choice !== undefined) {
      body.toolConfig = {
        functionCallingConfig:
          typeof choice === 'string'
            ? { mode: choice === 'required' ? 'ANY' : choice === 'none' ? 'NONE' : 'AUTO' }
            : { mode: 'ANY', allowedFunctionNames: [choice.toolName] },
      };
    }
  }
  return mergeProviderOptions(body, request.providerOptions);
}

/** Gemini 3 thinks by level, Gemini 2.5 by budget; thoughts are asked for so they can be shown. */
function thinkingConfig(model: string, reasoning: ReasoningOptions | undefined): Record<string, unknown> | undefined {
  if (!reasoning) return undefined;
  if (reasoning.budgetTokens !== undefined) return { includeThoughts: true, thinkingBudget: reasoning.budgetTokens };
  if (!reasoning.effort) return { includeThoughts: true };
  if (/gemini-3/.test(model)) return { includeThoughts: true, thinkingLevel: reasoning.effort === 'high' ? 'high' : 'low' };
  return { includeThoughts: true, thinkingBudget: { low: 1024, medium: 8192, high: 24_576 }[reasoning.effort] };
}

function toContent(message: Exclude<ChatMessage, { role: 'system' }>): Content {
  switch (message.role) {
    case 'user':
      return {
        role: 'user',
        parts: partsOf(message).flatMap((part): Part[] => {
          if (part.type === 'text') return part.text ? [{ text: part.text }] : [];
          const media = part.type === 'image' ? mediaOf(part.image, part.mediaType, 'image/png') : mediaOf(part.data, part.mediaType);
          return [media.kind === 'url' ? { fileData: { fileUri: media.url, ...(media.mediaType ? { mimeType: media.mediaType } : {}) } } : { inlineData: { mimeType: media.mediaType, data: media.base64 } }];
        }),
      };
    case 'assistant':
      return {
        role: 'model',
        parts: partsOf(message).flatMap((part): Part[] => {
          const signature = metadataFor(part.providerMetadata, 'google')?.thoughtSignature;
          const signed = typeof signature === 'string' ? { thoughtSignature: signature } : {};
          if (part.type === 'text') return part.text ? [{ text: part.text, ...signed }] : [];
          if (part.type === 'tool-call') return [{ functionCall: { name: part.toolName, args: part.input ?? {} }, ...signed }];
          // A thought goes back only with its signature; the text alone would be new input.
          return part.text && typeof signature === 'string' ? [{ text: part.text, thought: true, ...signed }] : [];
        }),
      };
    case 'tool':
      return {
        role: 'user',
        parts: message.content.flatMap((part): Part[] => {
          if (part.type !== 'tool-result') return [];
          const output = part.output;
          const response = part.isError ? { error: output } : isRecord(output) ? output : { result: output };
          return [{ functionResponse: { name: part.toolName, response } }];
        }),
      };
  }
}

function mergeRoles(contents: Content[]): Content[] {
  const merged: Content[] = [];
  for (const content of contents) {
    const last = merged[merged.length - 1];
    if (last && last.role === content.role) last.parts.push(...content.parts);
    else merged.push({ role: content.role, parts: [...content.parts] });
  }
  return merged.filter((content) => content.parts.length > 0);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
