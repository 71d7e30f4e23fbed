import { type ChatMessage, type ChatOptions, type ChatRequest, parseModelId } from '@aiu/core';
import type { ProviderRegistry } from '../providers/registry';
import type { Provider, ProviderChatRequest, ProviderTool } from '../providers/types';

/** One model a call may go to: its provider, and the request as that provider will get it. */
export interface Target {
  modelId: string;
  provider: Provider;
  request: ProviderChatRequest;
  /** What was changed to fit the provider (an option it cannot honour, dropped). */
  warnings: string[];
}

/** The models a call tries, in order: the list given, or the named route's. */
export function targetIdsOf(request: Pick<ChatRequest, 'model'>, routes: Record<string, string[]>): string[] {
  const model = request.model;
  if (Array.isArray(model)) return model;
  return routes[model] ?? [model];
}

/** What a step sends, whichever target takes it. */
export interface StepRequest {
  messages: ChatMessage[];
  tools: ProviderTool[];
}

export function resolveTarget(modelId: string, request: ChatRequest, step: StepRequest, providers: ProviderRegistry): Target {
  const { provider: providerId, model } = parseModelId(modelId);
  const provider = providers.get(providerId);
  const warnings: string[] = [];
  const options: ChatOptions = { ...request.options };
  for (const name of provider.unsupportedOptions ?? []) {
    if (options[name] !== undefined) {
      delete options[name];
      warnings.push(`${provider.id} does not support the option "${name}"; it was dropped.`);
    }
  }
  return {
    modelId: `${provider.id}:${model}`,
    provider,
    request: {
      model,
      messages: step.messages,
      options,
      tools: step.tools,
      toolChoice: request.toolChoice,
      responseFormat: request.responseFormat,
      providerOptions: request.providerOptions?.[provider.id],
    },
    warnings,
  };
}
