import type { Logger } from '../catalog/priceBook';
import type { AiuStore, PendingInstance, PendingLog, StoreInstance } from '../stores/types';
import type { LogRecord } from './types';

/** How often an instance says it is alive, and how long silence means it is gone (another host's; this host's are asked). */
export const HEARTBEAT_MS = 15_000;
export const STALE_AFTER_MS = 60_000;

/** The instances alive in this process (several aiu instances may share one, and one store). */
const LIVE_HERE: Set<string> = ((globalThis as { [key: symbol]: Set<string> | undefined })[Symbol.for('aiu.liveInstances')] ??= new Set());

/**
 * The calls this process has in flight, kept where a crash cannot take them: each is recorded
 * before its first byte leaves for the provider, and its entry replaces the record when it is
 * logged. On start (and every heartbeat) the calls of instances that died become `interrupted`
 * entries, so a call the provider billed is never missing from the log.
 */
export class CallLedger {
  private pending: PendingLog | undefined;
  private instance: StoreInstance | undefined;
  private timer: ReturnType<typeof setInterval> | undefined;
  private attached = false;
  private warned = false;

  constructor(
    /** Opens the store (which attaches this ledger to it): a call may be the first thing that needs it. */
    private readonly openStore: () => Promise<AiuStore>,
    private readonly logger: Logger,
  ) {}

  /** Starts keeping calls in a store that has a pending table, and recovers what dead instances left. */
  async attach(store: AiuStore): Promise<void> {
    this.attached = true;
    if (!store.pending || typeof process === 'undefined' || typeof process.pid !== 'number') return;
    const { hostname } = await import('node:os');
    const instance: StoreInstance = { id: crypto.randomUUID(), host: hostname(), pid: process.pid };
    await store.pending.heartbeat(instance, Date.now());
    LIVE_HERE.add(instance.id);
    this.pending = store.pending;
    this.instance = instance;
    await this.recoverDead();
    this.timer = setInterval(() => void this.tick(), HEARTBEAT_MS);
    this.timer.unref?.();
  }

  /**
   * Records a call about to leave (nothing without a durable store: the record is built only for
   * one that keeps it). A store that cannot take
   * it costs the call nothing but the guarantee: the failure is a warning, not a failed call.
   */
  begin(recordOf: () => LogRecord): void | Promise<void> {
    try {
      if (this.pending && this.instance) {
        const written = this.pending.begin(recordOf(), this.instance.id);
        if (written) return written.catch((error: unknown) => this.warnOnce(error));
        return;
      }
      if (!this.attached) return this.openStore().then(() => (this.attached ? this.begin(recordOf) : undefined), (error: unknown) => this.warnOnce(error));
    } catch (error) {
      this.warnOnce(error);
    }
  }

  private warnOnce(error: unknown): void {
    if (this.warned) return;
    this.warned = true;
    this.logger.warn(`[aiu] A call could not be recorded as in flight (a crash now would leave it out of the log): ${error instanceof Error ? error.message : String(error)}`);
  }

  /** Turns the pending calls of every dead instance into `interrupted` entries; how many. */
  async recoverDead(now = Date.now()): Promise<number> {
    const pending = this.pending;
    const self = this.instance;
    if (!pending || !self) return 0;
    const dead = (await pending.instancesWithPending()).filter((other) => other.id !== self.id && isGone(other, self, now)).map((other) => other.id);
    if (!dead.length) return 0;
    const recovered = await pending.recover(dead);
    if (recovered) this.logger.warn(`[aiu] ${recovered} call(s) were in flight when an earlier process stopped; logged as interrupted with estimated usage.`);
    return recovered;
  }

  /** A clean shutdown (after the log is flushed, so no call is left pending). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    const { pending, instance } = this;
    this.pending = undefined;
    this.instance = undefined;
    this.attached = false;
    if (instance) LIVE_HERE.delete(instance.id);
    if (pending && instance) await pending.leave(instance.id);
  }

  private async tick(): Promise<void> {
    try {
      if (this.pending && this.instance) await this.pending.heartbeat(this.instance, Date.now());
      await this.recoverDead();
    } catch (error) {
      this.logger.warn(`[aiu] The in-flight call ledger could not be updated: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
}

/** Gone: no heartbeat at all, none for a minute, or — on this host — its process no longer exists. */
function isGone(other: PendingInstance, self: StoreInstance, now: number): boolean {
  if (other.seenAt === null || now - other.seenAt > STALE_AFTER_MS) return true;
  if (other.host !== self.host || other.pid === null) return false;
  // The same pid on this host is this process: the instance is alive only if this process runs it.
  return other.pid === self.pid ? !LIVE_HERE.has(other.id) : !processExists(other.pid);
}

function processExists(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists, under another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
