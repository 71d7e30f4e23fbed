import type { Cost, Usage } from '@aiu/core';
import { type HTMLAttributes, type Ref, useCallback, useEffect, useMemo, useSyncExternalStore } from 'react';
import type { AiuClientError } from './core/errors';
import { type StreamingStatus, type TextSource, TextStreamController } from './core/textStream';
import type { UseChatResult } from './useChat';
import { mergeRefs } from './utils/mergeProps';

export type { StreamingStatus } from './core/textStream';
export type StreamingSource = UseChatResult | TextSource | null | undefined;

export interface UseStreamingOutputProps {
  /** A `useChat()` result, an `AsyncIterable<string>` or a `ReadableStream` of text. */
  source: StreamingSource;
}

/** Element props plus any `data-*` attribute the app wants to add. */
type ContainerProps = HTMLAttributes<HTMLElement> & { ref?: Ref<HTMLElement> } & { [key: `data-${string}`]: unknown };

export interface StreamingOutputApi {
  text: string;
  status: StreamingStatus;
  usage: Usage | null;
  cost: Cost | null;
  error: AiuClientError | null;
  stop: () => void;
  /** One sentence per status change, for the polite live region — never the tokens. */
  announcement: string;
  getContainerProps: <P extends ContainerProps>(props?: P) => P & {
    'aria-busy': boolean;
    'data-state': StreamingStatus;
    ref: (node: HTMLElement | null) => void;
  };
  getAnnouncerProps: <P extends HTMLAttributes<HTMLElement>>(props?: P) => P & {
    role: 'status';
    'aria-live': 'polite';
    'aria-atomic': true;
    children: string;
  };
}

const NO_STORE = {
  subscribe: () => () => {},
  getSnapshot: () => null,
};

function isChatResult(source: StreamingSource): source is UseChatResult {
  return typeof source === 'object' && source !== null && 'send' in source && 'status' in source;
}

export function announcementFor(status: StreamingStatus, error: AiuClientError | null): string {
  switch (status) {
    case 'streaming':
      return 'Generating a response…';
    case 'done':
      return 'Response complete.';
    case 'aborted':
      return 'Response stopped.';
    case 'error':
      return `Response failed: ${error?.message ?? 'unknown error'}`;
    default:
      return '';
  }
}

/**
 * State and prop getters for streamed text. Renders are batched to animation frames
 * however fast tokens arrive; the text container is `aria-busy` while streaming.
 */
export function useStreamingOutput({ source }: UseStreamingOutputProps): StreamingOutputApi {
  const chat = isChatResult(source) ? source : null;
  // A chat result is new every render; only a text source (an iterable or a stream) gets a controller.
  const textSource = chat || !source ? null : (source as TextSource);
  const stream = useMemo(() => (textSource ? new TextStreamController(textSource) : null), [textSource]);
  const store = stream ?? NO_STORE;
  const streamed = useSyncExternalStore(store.subscribe, store.getSnapshot, store.getSnapshot);

  useEffect(() => {
    if (!stream) return;
    stream.start();
    return () => stream.stop();
  }, [stream]);

  const status: StreamingStatus = chat ? (chat.status === 'submitted' ? 'streaming' : chat.status) : (streamed?.status ?? 'idle');
  const text = chat ? chat.text : (streamed?.text ?? '');
  const error = chat ? chat.error : (streamed?.error ?? null);
  const stop = chat ? chat.stop : (stream?.stop ?? noop);
  const announcement = announcementFor(status, error);

  const getContainerProps = useCallback(
    <P extends ContainerProps>(props: P = {} as P) => ({
      ...props,
      'aria-busy': status === 'streaming',
      'data-state': status,
      ref: mergeRefs<HTMLElement>(props.ref),
    }),
    [status],
  );
  const getAnnouncerProps = useCallback(
    <P extends HTMLAttributes<HTMLElement>>(props: P = {} as P) => ({
      ...props,
      role: 'status' as const,
      'aria-live': 'polite' as const,
      'aria-atomic': true as const,
      children: announcement,
    }),
    [announcement],
  );

  return {
    text,
    status,
    usage: chat?.usage ?? null,
    cost: chat?.cost ?? null,
    error,
    stop,
    announcement,
    getContainerProps,
    getAnnouncerProps,
  };
}

function noop(): void {}
