import type { ChatMessage, ChatOptions, FinishReason, JsonSchema, ModelKind, ModelPricing, ProviderMetadata, ResponseFormat, ToolChoice, Usage } from '@aiu/core';

/** A tool as providers are told about it (client tools and the call's server tools alike). */
export interface ProviderTool {
  name: string;
  description?: string | undefined;
  inputSchema: JsonSchema;
}

/** What an adapter is asked to do, already validated and resolved. */
export interface ProviderChatRequest {
  /** The provider's own model name (the part after the first colon). */
  model: string;
  /** The conversation; approval answers are already turned into tool results. */
  messages: ChatMessage[];
  options: ChatOptions;
  /** Empty when the call offers none. */
  tools: ProviderTool[];
  toolChoice?: ToolChoice | undefined;
  responseFormat?: ResponseFormat | undefined;
  /** This provider's entry of the request's `providerOptions`: merged verbatim into its body. */
  providerOptions?: Record<string, unknown> | undefined;
}

export interface ProviderCallContext {
  readonly apiKey: string | undefined;
  /** Aborts when the caller goes away or a deadline passes. */
  readonly signal: AbortSignal;
}

/** A tool call as a provider made it, its input parsed. */
export interface ProviderToolCall {
  id: string;
  name: string;
  input: unknown;
  providerMetadata?: ProviderMetadata | undefined;
}

/** Our side of a provider stream: adapters turn their wire into these. */
export type ProviderEvent =
  | { type: 'text'; text: string }
  /** `providerMetadata` (a signature) may come with an empty text, once a reasoning block ends. */
  | { type: 'reasoning'; text: string; providerMetadata?: ProviderMetadata | undefined }
  /** A tool call's arguments start to stream… */
  | { type: 'tool-input-start'; id: string; name: string }
  /** …arrive a piece at a time… */
  | { type: 'tool-input-delta'; id: string; delta: string }
  /** …and the call is complete, its input parsed (also the only event for a call sent whole). */
  | ({ type: 'tool-call' } & ProviderToolCall)
  /** The latest usage wins; `costUsd` when the provider bills the call itself (OpenRouter). */
  | { type: 'usage'; usage: Usage; costUsd?: number }
  | { type: 'finish'; finishReason: FinishReason };

export interface ProviderResult {
  text: string;
  reasoning: string;
  /** Reasoning with what the provider needs back on the next turn (signed thinking), when it sends any. */
  reasoningParts?: Array<{ text: string; providerMetadata?: ProviderMetadata | undefined }>;
  toolCalls?: ProviderToolCall[];
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

/** What a request may ask of a provider beyond text. */
export type Capability = 'images' | 'files' | 'tools' | 'json-schema' | 'json' | 'reasoning';

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
  /** What the provider's API cannot do at all (any model); models may lack more (the catalog says). */
  readonly unsupported?: ReadonlyArray<Capability>;
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
