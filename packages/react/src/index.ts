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
export { ChatController, type ChatState, type ChatStatus, type ChatConfig, type ChatTransport, type SendInput } from './core/chatController';
export type { AiuClientError } from './core/errors';
export { aiuKeys } from './queryKeys';
export { composeHandlers, mergeRefs } from './utils/mergeProps';
