// Browser-safe entry (Storybook, component tests): no Node built-ins.
export { aiuHandlers, sseEvent, emptyUsageReport, EMPTY_STATS, usageStats, type AiuHandlersOptions, type MockChatReply, type MockChatRequest, type MockToolCall, type MockKeys } from './handlers';
