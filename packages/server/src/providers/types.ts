import type { ChatMessage, ChatOptions, FinishReason, ModelKind, Usage } from '@aiu/core';

/** What an adapter is asked to do, already validated and resolved. */
export interface ProviderChatRequest {
  /** The provider's own model name (the part after the first colon). */
  model: string;
  messages: ChatMessage[];
  options: ChatOptions;
}

export interface ProviderCallContext {
  apiKey: string | undefined;
  signal: AbortSignal;
}

/** Our side of a provider stream: adapters turn their wire into these. */
export type ProviderEvent =
  | { type: 'text'; text: string }
  | { type: 'reasoning'; text: string }
  | { type: 'usage'; usage: Usage }
  | { type: 'finish'; finishReason: FinishReason };

export interface ProviderResult {
  text: string;
  reasoning: string;
  finishReason: FinishReason;
  usage: Usage | null;
}

export interface DiscoveredModel {
  id: string;
  name: string;
  kind: ModelKind;
}

/**
 * One provider = one object implementing this. The orchestrator knows nothing else
 * about providers, so adding one never touches it.
 */
export interface Provider {
  readonly id: string;
  /** Environment variable consulted when no key is configured or stored. */
  readonly envKey: string | undefined;
  readonly requiresKey: boolean;
  /** Options this provider cannot honour; dropped with a warning instead of failing. */
  readonly unsupportedOptions?: ReadonlyArray<keyof ChatOptions>;
  /**
   * Resolves once the provider accepted the request (headers received, status OK), then
   * yields its events. Errors before that point are thrown from `stream` itself.
   */
  stream(request: ProviderChatRequest, context: ProviderCallContext): Promise<AsyncIterable<ProviderEvent>>;
  complete(request: ProviderChatRequest, context: ProviderCallContext): Promise<ProviderResult>;
  listModels?(context: ProviderCallContext): Promise<DiscoveredModel[]>;
}

/** What every provider entry of `createAiu({ providers })` accepts. */
export interface ProviderSettings {
  baseURL?: string;
  apiKey?: string;
  headers?: Record<string, string>;
  timeoutMs?: number;
}

export interface OpenAICompatibleSettings extends ProviderSettings {
  type: 'openai-compatible';
  baseURL: string;
  /** Env var to read the key from; custom providers have none unless named here. */
  envKey?: string;
}
