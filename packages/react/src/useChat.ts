import { useEffect, useState, useSyncExternalStore } from 'react';
import { ChatController, type ChatConfig, type ChatState } from './core/chatController';
import { useAiuConfig } from './context';

export type UseChatOptions = ChatConfig;

export interface UseChatResult extends ChatState {
  /** Sends a user message — text, files or both — with the conversation so far; stops any reply in flight first. */
  send: ChatController['send'];
  /** Asks again for the reply to the last user message. */
  regenerate: ChatController['regenerate'];
  /** Answers a client tool call (`{ toolCallId, output }` or `{ toolCallId, errorText }`). */
  addToolResult: ChatController['addToolResult'];
  /** Approves or denies a server tool call that asked for approval. */
  respondToApproval: ChatController['respondToApproval'];
  /** Stops the reply in flight; what it wrote so far is kept. */
  stop: () => void;
  /** Clears the conversation. */
  reset: () => void;
  setMessages: ChatController['setMessages'];
  isStreaming: boolean;
}

/**
 * Streaming chat against the aiu handler. Renders at most once per animation frame
 * while the reply streams in; aborts the request when the component unmounts.
 */
export function useChat(options: UseChatOptions = {}): UseChatResult {
  const transport = useAiuConfig();
  const [controller] = useState(() => new ChatController(transport, options));
  // After each commit, not during render (as TanStack Query's observers take their options):
  // a render that React throws away must not reconfigure the live controller.
  useEffect(() => {
    controller.configure(transport, options);
  });
  const state = useSyncExternalStore(controller.subscribe, controller.getSnapshot, controller.getSnapshot);

  useEffect(() => {
    controller.cancelScheduledStop();
    // Deferred: StrictMode's simulated unmount is followed at once by a remount, which cancels it.
    return () => controller.scheduleStop();
  }, [controller]);

  return {
    ...state,
    send: controller.send,
    regenerate: controller.regenerate,
    addToolResult: controller.addToolResult,
    respondToApproval: controller.respondToApproval,
    stop: controller.stop,
    reset: controller.reset,
    setMessages: controller.setMessages,
    isStreaming: state.status === 'submitted' || state.status === 'streaming',
  };
}
