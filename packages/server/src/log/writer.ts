import type { AiuStore } from '../stores/types';
import type { Logger } from '../catalog/priceBook';
import type { LogRecord } from './types';

export interface LogWriterOptions {
  /** How long an entry may wait before it is written. A crash loses at most this much. */
  flushIntervalMs?: number;
  /** Write as soon as this many entries wait. */
  maxBatch?: number;
}

/**
 * Takes log writes off the response's critical path: entries queue in memory and are
 * written in one batch per interval. `flush()` (also run by reads and by close) writes
 * everything queued so far. A failed batch is kept and retried, never dropped.
 */
export class LogWriter {
  private queue: LogRecord[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;
  private writing: Promise<void> = Promise.resolve();
  private readonly intervalMs: number;
  private readonly maxBatch: number;

  constructor(
    private readonly store: () => Promise<AiuStore>,
    private readonly logger: Logger,
    options: LogWriterOptions = {},
  ) {
    this.intervalMs = options.flushIntervalMs ?? 200;
    this.maxBatch = options.maxBatch ?? 500;
  }

  get pending(): number {
    return this.queue.length;
  }

  write(record: LogRecord): void {
    this.queue.push(record);
    if (this.queue.length >= this.maxBatch) void this.flush();
    else if (!this.timer) {
      this.timer = setTimeout(() => void this.flush(), this.intervalMs);
      this.timer.unref?.();
    }
  }

  /** Resolves once every entry written before the call is in the store. */
  flush(): Promise<void> {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    this.writing = this.writing.then(() => this.drain());
    return this.writing;
  }

  private async drain(): Promise<void> {
    if (this.queue.length === 0) return;
    const batch = this.queue;
    this.queue = [];
    try {
      await (await this.store()).insertLogs(batch);
    } catch (error) {
      this.queue = batch.concat(this.queue);
      this.logger.warn(`[aiu] Could not write ${batch.length} log entries; will retry: ${(error as Error).message}`);
      if (!this.timer) {
        this.timer = setTimeout(() => void this.flush(), this.intervalMs);
        this.timer.unref?.();
      }
    }
  }
}
