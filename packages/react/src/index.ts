export { AiuProvider, type AiuProviderProps } from './AiuProvider';
export { useAiuConfig, type AiuConfig } from './context';
export { useChat, type UseChatOptions, type UseChatResult } from './useChat';
export {
  useStreamingOutput,
  announcementFor,
  type StreamingOutputApi,
  type StreamingSource,
  type StreamingStatus,
  type UseStreamingOutputProps,
} from './useStreamingOutput';
export { StreamingOutput, type StreamingOutputProps } from './StreamingOutput';
export {
  ChatController,
  type ChatState,
  type ChatStatus,
  type ChatConfig,
  type ChatTransport,
  type SendInput,
  type ClientToolCall,
  type ToolResultInput,
  type ApprovalInput,
} from './core/chatController';
export { toWireMessages, type UIMessage, type UIPart, type ToolCallUIPart, type ToolCallState, type StepStartUIPart } from './core/uiMessages';
export { type FileInput, DEFAULT_MAX_FILE_BYTES } from './core/files';
export type { AiuClientError } from './core/errors';
export { aiuKeys } from './queryKeys';
export { composeHandlers, mergeRefs } from './utils/mergeProps';
export { useModels, type UseModelsResult, type ModelFilter } from './useModels';
export {
  useModelSelect,
  ModelSelectActions,
  type ModelSelectApi,
  type UseModelSelectProps,
  type ModelSelectState,
  type ModelSelectAction,
  type StateReducer,
} from './useModelSelect';
export { ModelSelect, type ModelSelectProps } from './ModelSelect';
export { AiuRequestError } from './core/fetchJson';
export type { ModelGroup } from './core/modelFilter';
export { useProviderKeys, type UseProviderKeysResult, type SaveKeyInput } from './useProviderKeys';
export { useClientKeys, type UseClientKeysResult } from './useClientKeys';
export { useConversations, type UseConversationsResult, type UseConversationsOptions } from './useConversations';
export { useConversation, type UseConversationResult } from './useConversation';
export type { SaveConversationInput, SaveConversationOptions, StoredConversation } from './core/conversations';
export {
  useProviderKeyForm,
  type ProviderKeyFormApi,
  type UseProviderKeyFormProps,
  type KeyFormField,
  type KeyFormStatus,
} from './useProviderKeyForm';
export { ProviderKeyForm, type ProviderKeyFormProps } from './ProviderKeyForm';
export { useUsage, type UseUsageResult, type UsageQueryInput } from './useUsage';
export { useRequestLog, type UseRequestLogResult, type RequestLogQuery } from './useRequestLog';
export {
  useUsageChart,
  type UsageChartApi,
  type CostBreakdown,
  type UseUsageChartProps,
  type UsageMetric,
  type ChartSeries,
  type ChartBucket,
  type ChartTick,
  type ChartScale,
} from './useUsageChart';
export { UsageChart, type UsageChartProps } from './UsageChart';
export { usageChartGeometry, usageSummary, niceTicks, formatMetric } from './core/chartGeometry';
