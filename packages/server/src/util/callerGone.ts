/** Tells when the caller went away: an `AbortSignal`, or the Node bridge's cheaper `ClientGone`. */
export interface CallerGone {
  readonly aborted: boolean;
  readonly reason: unknown;
  /** Calls `listener` once the caller is gone (at once if it already is); returns how to stop listening. */
  onAbort(listener: () => void): () => void;
}

/**
 * The Node bridge's word that the client went away. A plain listener list: on Node 20 an
 * AbortController and an EventTarget listener per request cost more than routing does. The
 * `AbortSignal` is made only when something asks for it (a user's hook, an embeddings call).
 */
export class ClientGone implements CallerGone {
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
      return () => {};
    }
    this.listeners.push(listener);
    return () => {
      const index = this.listeners.indexOf(listener);
      if (index >= 0) this.listeners.splice(index, 1);
    };
  }

  abort(): void {
    if (this.aborted) return;
    this.aborted = true;
    this.reason = new DOMException('The client went away.', 'AbortError');
    for (const listener of this.listeners.splice(0)) listener();
    this.controller?.abort(this.reason);
  }
}
