import { RateLimitedError } from '@aiu/core';
import type { Abort } from '../util/abort';

interface Waiter {
  grant: () => void;
}

/**
 * A first-in-first-out semaphore: no polling, and a slot is never leaked — a waiter
 * that times out or is aborted leaves the queue, and `release` runs at most once.
 */
export class Semaphore {
  private active = 0;
  private readonly queue: Waiter[] = [];

  constructor(readonly max: number) {}

  get inUse(): number {
    return this.active;
  }

  get waiting(): number {
    return this.queue.length;
  }

  acquire(abort: Abort, timeoutMs: number, label: string): Promise<() => void> {
    if (abort.aborted) return Promise.reject(abort.reason);
    if (this.active < this.max && this.queue.length === 0) {
      this.active += 1;
      return Promise.resolve(this.releaser());
    }
    return new Promise((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          cleanup();
          resolve(this.releaser());
        },
      };
      const leave = (error: unknown) => {
        const index = this.queue.indexOf(waiter);
        if (index >= 0) this.queue.splice(index, 1);
        cleanup();
        reject(error);
      };
      const timer = setTimeout(
        () => leave(new RateLimitedError(`${label}: all ${this.max} concurrent slots stayed busy for ${timeoutMs} ms.`, { retryAfterMs: 1000 })),
        timeoutMs,
      );
      const cleanup = () => {
        clearTimeout(timer);
        stopListening();
      };
      const stopListening = abort.onAbort(() => leave(abort.reason));
      this.queue.push(waiter);
    });
  }

  private releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.queue.shift();
      // The slot passes straight to the next in line; `active` only drops when nobody waits.
      if (next) next.grant();
      else this.active -= 1;
    };
  }
}
