/**
 * Calls not yet logged, and bookkeeping still running after its call answered, so `close()`
 * can wait for both (and, out of patience, abort the calls).
 */
export class InFlight {
  private readonly calls = new Set<() => void>();
  private readonly deferred = new Set<Promise<void>>();
  private waiters: Array<() => void> = [];

  /** `warn` hears about deferred work that failed: the call it followed has already answered. */
  constructor(private readonly warn: (message: string) => void = () => {}) {}

  /** `abort` is called if a shutdown runs out of time before this call is logged. */
  enter(abort: () => void): void {
    this.calls.add(abort);
  }

  leave(abort: () => void): void {
    this.calls.delete(abort);
    this.wakeIfIdle();
  }

  /** Work a call's answer need not wait for; a failure is a warning, not the call's error. */
  defer(work: Promise<unknown>, what: string): void {
    const tracked: Promise<void> = work
      .catch((error: unknown) => this.warn(`[aiu] ${what} failed after the call answered: ${error instanceof Error ? error.message : String(error)}`))
      .then(() => {
        this.deferred.delete(tracked);
        this.wakeIfIdle();
      });
    this.deferred.add(tracked);
  }

  get size(): number {
    return this.calls.size + this.deferred.size;
  }

  private wakeIfIdle(): void {
    if (this.size === 0) for (const resolve of this.waiters.splice(0)) resolve();
  }

  /** Resolves when nothing is in flight, or after `timeoutMs` (then aborts the calls left and waits for them). */
  async drain(timeoutMs: number): Promise<void> {
    if (this.size === 0) return;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const idle = new Promise<void>((resolve) => this.waiters.push(resolve));
    const late = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), timeoutMs);
    });
    if ((await Promise.race([idle, late])) === 'late') {
      for (const abort of [...this.calls]) abort();
      await idle;
    }
    clearTimeout(timer);
  }
}
