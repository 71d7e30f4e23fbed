// Browser-safe entry (Storybook, component tests): no Node built-ins.
export { aiuHandlers, sseEvent, type AiuHandlersOptions, type MockChatReply, type MockKeys } from './handlers';
