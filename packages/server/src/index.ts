export { createAiu, type Aiu, type AiuOptions, type ChatCallInput, type EmbedCallInput } from './createAiu';
export type { OpenRouterSettings } from './providers/openrouter';
export { memoryStore } from './stores/memory';
export type { AiuStore } from './stores/types';
export type { LogRecord, LogListQuery, LogFilter } from './log/types';
export type { ExportFormat } from './log/exportFormat';
export type { Identity, IdentifyFn } from './identity';
export type { AiuEvents, AiuEventName, AiuListener } from './events';
export type { ProvidersOption, ProviderEntry } from './providers/registry';
export { BUILT_IN_PROVIDER_IDS, OPENAI_COMPATIBLE_PRESETS } from './providers/registry';
export type {
  Provider,
  ProviderSettings,
  OpenAICompatibleSettings,
  ProviderEvent,
  ProviderChatRequest,
  ProviderCallContext,
  ProviderResult,
  DiscoveredModel,
  ProviderEmbedRequest,
  ProviderEmbedResult,
} from './providers/types';
export type { PricingOption, Logger } from './catalog/priceBook';
export type { LogWriterOptions } from './log/writer';
export type { AuthorizeFn, AuthorizeArgs, AiuAction } from './handler/access';
export type { ConnectionInfo } from './http/requestFacts';
export type { KeyStore, KeyRow, KeyScope, KeyStatus } from './keyring/types';
export { memoryState, type StateBackend, type BreakerSnapshot, type CircuitState } from './limits/state';
export type { LimitsOption, LimitOptions } from './limits/rateLimiter';
export type { RetryOptions } from './limits/retry';
export type { BreakerOptions } from './limits/breaker';
export type { QuotasOption, QuotaLimit, QuotaStatus } from './limits/quotas';
export type { TimeoutOptions } from './limits/guards';
export type { ServerTool, ServerToolContext, ServerToolsOption } from './orchestrator/serverTools';
export type { Tracer, Span } from './tracing';
export type { GuardrailsOptions, GuardrailAction, GuardrailDecision, CustomGuardrail, CustomFinding, RuleSetOption } from './guardrails/guardrails';
export type { MetricsOption, MetricsOptions } from './metrics/metrics';
