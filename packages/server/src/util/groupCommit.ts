/**
 * Writes that arrive in the same turn of the event loop, committed together: under load one
 * statement carries many (a PostgreSQL round trip costs the same whatever it holds), alone it
 * costs one loop turn. Each `add` resolves once its batch is durable, or rejects with the batch's error.
 */
export class GroupCommit<T> {
  private batch: Array<{ item: T; resolve: () => void; reject: (error: unknown) => void }> = [];

  constructor(private readonly write: (items: T[]) => void | Promise<void>) {}

  add(item: T): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      if (this.batch.push({ item, resolve, reject }) === 1) schedule(() => void this.commit());
    });
  }

  private async commit(): Promise<void> {
    const batch = this.batch;
    this.batch = [];
    try {
      await this.write(batch.map((entry) => entry.item));
      for (const entry of batch) entry.resolve();
    } catch (error) {
      for (const entry of batch) entry.reject(error);
    }
  }
}

/** After the I/O of this loop turn (so requests read in the same turn share a batch). */
const schedule: (run: () => void) => void = typeof setImmediate === 'function' ? (run) => void setImmediate(run) : (run) => void setTimeout(run, 0);
