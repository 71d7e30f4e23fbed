import type { ChatMessage, ChatOptions, FinishReason, ModelKind, ModelPricing, Usage } from '@aiu/core';

/** What an adapter is asked to do, already validated and resolved. */
export interface ProviderChatRequest {
  /** The provider's own model name (the part after the first colon). */
  model: string;
  messages: ChatMessage[];
  options: ChatOptions;
}

export interface ProviderCallContext {
  readonly apiKey: string | undefined;
  /** Aborts when the caller goes away or a deadline passes. */
  readonly signal: AbortSignal;
}

/** Our side of a provider stream: adapters turn their wire into these. */
export type ProviderEvent =
  | { type: 'text'; text: string }
  | { type: 'reasoning'; text: string }
  /** The latest usage wins; `costUsd` when the provider bills the call itself (OpenRouter). */
  | { type: 'usage'; usage: Usage; costUsd?: number }
  | { type: 'finish'; finishReason: FinishReason };

export interface ProviderResult {
  text: string;
  reasoning: string;
  finishReason: FinishReason;
  usage: Usage | null;
  costUsd?: number;
}

export interface ProviderEmbedRequest {
  model: string;
  input: string[];
}

export interface ProviderEmbedResult {
  embeddings: number[][];
  /** Null when the provider does not report it (Gemini's batch embeddings). */
  usage: Usage | null;
}

export interface DiscoveredModel {
  /** The provider's own model name (no `provider:` prefix). */
  id: string;
  name: string;
  kind: ModelKind;
  contextWindow?: number | null;
  maxOutput?: number | null;
  /** Live prices, where the provider publishes them (OpenRouter). */
  pricing?: ModelPricing | null;
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
  embed?(request: ProviderEmbedRequest, context: ProviderCallContext): Promise<ProviderEmbedResult>;
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
