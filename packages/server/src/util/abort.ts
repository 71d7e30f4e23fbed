const ignore = () => {};

/**
 * The one abort type inside aiu: a listener list with a reason, and an `AbortSignal` made only
 * when something asks for one (`fetch`, a user's hook or provider). Most calls are never
 * aborted, and a signal costs more to make and to listen to than a function in an array
 * (ARCHITECTURE.md, "Aborting"). Outside signals come in once, through `Abort.from`.
 */
export class Abort {
  aborted = false;
  reason: unknown;
  private listeners: Array<() => void> | undefined;
  private controller: AbortController | undefined;

  /** An Abort that follows a signal for as long as the signal lives (a Web `Request`'s). */
  static from(signal: AbortSignal | undefined): Abort {
    const abort = new Abort();
    if (signal) abort.followSignal(signal);
    return abort;
  }

  /** Aborts this one when `signal` aborts; returns how to stop (a caller may pass one signal to many calls). */
  followSignal(signal: AbortSignal): () => void {
    if (signal.aborted) {
      this.abort(signal.reason);
      return ignore;
    }
    const listener = () => this.abort(signal.reason);
    signal.addEventListener('abort', listener, { once: true });
    return () => signal.removeEventListener('abort', listener);
  }

  /** Aborts with `reason()` after `ms` (never when `ms` is 0 or undefined); returns how to stop the timer. */
  after(ms: number | undefined, reason: () => unknown): () => void {
    if (!ms || this.aborted) return ignore;
    const timer = setTimeout(() => this.abort(reason()), ms);
    (timer as { unref?: () => void }).unref?.();
    const stop = () => clearTimeout(timer);
    const stopListening = this.onAbort(stop);
    return () => {
      stop();
      stopListening();
    };
  }

  /** Aborts this one when `source` aborts, with its reason; returns how to stop following. */
  follow(source: Abort): () => void {
    return source.onAbort(() => this.abort(source.reason));
  }

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  /** Calls `listener` once this aborts (at once if it already has); returns how to stop listening. */
  onAbort(listener: () => void): () => void {
    if (this.aborted) {
      listener();
      return ignore;
    }
    (this.listeners ??= []).push(listener);
    return () => {
      const index = this.listeners?.indexOf(listener) ?? -1;
      if (index >= 0) this.listeners?.splice(index, 1);
    };
  }

  abort(reason: unknown = new DOMException('This operation was aborted', 'AbortError')): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    const listeners = this.listeners;
    this.listeners = undefined;
    if (listeners) for (const listener of listeners) listener();
    this.controller?.abort(reason);
  }
}

/** Resolves after `ms`, or rejects with the abort's reason as soon as it aborts. */
export function sleep(ms: number, abort: Abort): Promise<void> {
  return new Promise((resolve, reject) => {
    if (abort.aborted) return reject(abort.reason);
    const timer = setTimeout(() => {
      stopListening();
      resolve();
    }, ms);
    const stopListening = abort.onAbort(() => {
      clearTimeout(timer);
      reject(abort.reason);
    });
  });
}
