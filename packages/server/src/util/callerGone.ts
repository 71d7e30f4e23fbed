/** Tells when the caller went away: an `AbortSignal`, or the cheaper `Aborter`. */
export interface CallerGone {
  readonly aborted: boolean;
  readonly reason: unknown;
  /** An `AbortSignal` that follows it, for code that needs one (made on first use). */
  readonly signal: AbortSignal;
  /** Calls `listener` once the caller is gone (at once if it already is); returns how to stop listening. */
  onAbort(listener: () => void): () => void;
}

export type AbortSource = AbortSignal | CallerGone;

const ignore = () => {};

/** Listens to either kind of source; returns how to stop listening. */
export function onAbortOf(source: AbortSource, listener: () => void): () => void {
  if (!(source instanceof AbortSignal)) return source.onAbort(listener);
  if (source.aborted) {
    listener();
    return ignore;
  }
  source.addEventListener('abort', listener, { once: true });
  return () => source.removeEventListener('abort', listener);
}

/** The source as an `AbortSignal`, for APIs that take only that (`fetch`, user code). */
export function signalOf(source: AbortSource): AbortSignal {
  return source instanceof AbortSignal ? source : source.signal;
}

/**
 * An abort switch that is a plain listener list. On Node 20 an AbortController costs more
 * than routing a request (creating its signal alone is several µs), and an EventTarget
 * listener more than a function in an array; most calls are never aborted, so the
 * `AbortSignal` is made only when something asks for it (a user's hook or provider, `fetch`).
 */
export class Aborter implements CallerGone {
  aborted = false;
  reason: unknown;
  private listeners: Array<() => void> = [];
  private controller: AbortController | undefined;

  get signal(): AbortSignal {
    if (!this.controller) {
      this.controller = new AbortController();
      if (this.aborted) this.controller.abort(this.reason);
    }
    return this.controller.signal;
  }

  onAbort(listener: () => void): () => void {
    if (this.aborted) {
      listener();
      return ignore;
    }
    this.listeners.push(listener);
    return () => {
      const index = this.listeners.indexOf(listener);
      if (index >= 0) this.listeners.splice(index, 1);
    };
  }

  abort(reason: unknown = new DOMException('This operation was aborted', 'AbortError')): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = reason;
    for (const listener of this.listeners.splice(0)) listener();
    this.controller?.abort(reason);
  }
}

/** The Node bridge's word that the client went away. */
export class ClientGone extends Aborter {
  override abort(reason: unknown = new DOMException('The client went away.', 'AbortError')): void {
    super.abort(reason);
  }
}
