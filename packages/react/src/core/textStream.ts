import { createFrameBatcher } from '../utils/frame';
import type { AiuClientError } from './errors';

export type StreamingStatus = 'idle' | 'streaming' | 'done' | 'error' | 'aborted';

export interface TextStreamState {
  text: string;
  status: StreamingStatus;
  error: AiuClientError | null;
}

export type TextSource = AsyncIterable<string> | ReadableStream<string | Uint8Array>;

const IDLE: TextStreamState = { text: '', status: 'idle', error: null };

/** Consumes a text stream into snapshots published at most once per animation frame. */
export class TextStreamController {
  private state: TextStreamState = IDLE;
  private text = '';
  private readonly listeners = new Set<() => void>();
  private readonly batcher = createFrameBatcher(() => this.publish({ text: this.text }));
  private cancel: (() => void) | null = null;

  constructor(private readonly source: TextSource) {}

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getSnapshot = (): TextStreamState => this.state;

  start(): void {
    if (this.cancel || this.state.status !== 'idle') return;
    this.publish({ status: 'streaming' });
    let stopped = false;
    const decoder = new TextDecoder();
    const append = (chunk: string | Uint8Array) => {
      this.text += typeof chunk === 'string' ? chunk : decoder.decode(chunk, { stream: true });
      this.batcher.schedule();
    };
    let finish: () => Promise<void>;
    if (isReadableStream(this.source)) {
      const reader = this.source.getReader();
      this.cancel = () => void reader.cancel().catch(() => {});
      finish = async () => {
        for (;;) {
          const { done, value } = await reader.read();
          if (done || stopped) return;
          append(value);
        }
      };
    } else {
      const iterator = this.source[Symbol.asyncIterator]();
      this.cancel = () => void iterator.return?.()?.catch?.(() => {});
      finish = async () => {
        for (;;) {
          const { done, value } = await iterator.next();
          if (done || stopped) return;
          append(value);
        }
      };
    }
    const cancel = this.cancel;
    this.cancel = () => {
      stopped = true;
      cancel();
    };
    finish().then(
      () => {
        if (stopped) return;
        this.cancel = null;
        this.batcher.cancel();
        this.publish({ text: this.text, status: 'done' });
      },
      (error: unknown) => {
        if (stopped) return;
        this.cancel = null;
        this.batcher.cancel();
        const message = error instanceof Error ? error.message : String(error);
        this.publish({ text: this.text, status: 'error', error: { code: 'stream_error', message, retryable: false } });
      },
    );
  }

  stop = (): void => {
    if (!this.cancel) return;
    const cancel = this.cancel;
    this.cancel = null;
    cancel();
    this.batcher.cancel();
    this.publish({ text: this.text, status: 'aborted' });
  };

  private publish(patch: Partial<TextStreamState>): void {
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener();
  }
}

function isReadableStream(value: unknown): value is ReadableStream<string | Uint8Array> {
  return typeof value === 'object' && value !== null && typeof (value as ReadableStream).getReader === 'function';
}
