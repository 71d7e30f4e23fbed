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
    // One loop for both sources: a stream's reader serves as the iterator (Safari's streams are not iterable).
    const iterator: { next(): Promise<IteratorResult<string | Uint8Array>>; return?(): unknown } = isReadableStream(this.source) ? readerIterator(this.source.getReader()) : this.source[Symbol.asyncIterator]();
    this.cancel = () => void Promise.resolve(iterator.return?.()).catch(() => {});
    const finish = async () => {
      for (;;) {
        const { done, value } = await iterator.next();
        if (done || stopped) return;
        this.text += typeof value === 'string' ? value : decoder.decode(value, { stream: true });
        this.batcher.schedule();
      }
    };
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

function readerIterator(reader: ReadableStreamDefaultReader<string | Uint8Array>) {
  return { next: () => reader.read(), return: () => reader.cancel() };
}

function isReadableStream(value: unknown): value is ReadableStream<string | Uint8Array> {
  return typeof value === 'object' && value !== null && typeof (value as ReadableStream).getReader === 'function';
}
