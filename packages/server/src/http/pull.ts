/**
 * Text produced a piece at a time and pulled by whoever writes it out — a Web `ReadableStream`
 * or the Node bridge's socket writer. The one loop behind every streamed answer (chat events in
 * any protocol, log exports): a slow reader holds the producer back, and a stream that idles
 * gets a ping.
 */
export interface TextPuller {
  /** The next piece of text, or null at the end. Rejects when the producer failed after the head was sent. */
  next(): Promise<string | null>;
  /** The reader went away: stop producing (a chat call aborts its upstream request). */
  cancel(): Promise<void>;
}

export const SSE_PING = ': ping\n\n';
export const PING_INTERVAL_MS = 15_000;

export interface EventPullOptions<T> {
  /** Sent before anything is pulled (a chat's `start` event): never held back. */
  first: string;
  batches: AsyncIterator<readonly T[]>;
  /** A batch as text: events that arrived together leave together. */
  encode: (batch: readonly T[]) => string;
  /** Text after the last batch (OpenAI's `data: [DONE]`). */
  end?: string;
  /** A `: ping` comment after this long without a piece, so idle proxies keep the line open. */
  pingIntervalMs?: number;
}

/**
 * One ticking timer per ping interval for every stream open, instead of a timer per stream: a
 * timer per stream cost an allocation that lived long enough to pull the stream's data into the
 * old generation (ARCHITECTURE.md, "Pings"). A pull that has waited through a whole tick is woken
 * with a ping, so an idle stream gets one between one and two intervals after its last piece.
 */
class PingClock {
  private static readonly clocks = new Map<number, PingClock>();
  private readonly waiting = new Set<PingWaiter>();
  private timer: ReturnType<typeof setInterval> | undefined;
  private ticks = 0;

  static every(ms: number): PingClock {
    let clock = PingClock.clocks.get(ms);
    if (!clock) PingClock.clocks.set(ms, (clock = new PingClock(ms)));
    return clock;
  }

  private constructor(private readonly ms: number) {}

  /** `wake` is called once the pull has waited through a whole tick; returns how to stop waiting. */
  wait(wake: () => void): () => void {
    const waiter: PingWaiter = { since: this.ticks, wake };
    this.waiting.add(waiter);
    if (!this.timer) {
      this.timer = setInterval(() => this.tick(), this.ms);
      (this.timer as { unref?: () => void }).unref?.();
    }
    return () => this.waiting.delete(waiter);
  }

  private tick(): void {
    this.ticks += 1;
    // Left running while streams come and go (one timer, not one per stream); stopped once a tick finds none.
    if (this.waiting.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    for (const waiter of this.waiting) {
      if (waiter.since < this.ticks - 1) {
        this.waiting.delete(waiter);
        waiter.wake();
      }
    }
  }
}

interface PingWaiter {
  since: number;
  wake: () => void;
}

/** Events pulled in the batches their producer made, with a ping when a pull waits longer than the interval. */
export function pullEvents<T>({ first, batches, encode, end, pingIntervalMs = PING_INTERVAL_MS }: EventPullOptions<T>): TextPuller {
  const clock = PingClock.every(pingIntervalMs);
  let sentFirst = false;
  let finished = false;
  let pending: Promise<IteratorResult<readonly T[]>> | undefined;

  return {
    next() {
      if (!sentFirst) {
        sentFirst = true;
        return Promise.resolve(first);
      }
      if (finished) return Promise.resolve(null);
      const waiting = (pending ??= batches.next());
      return new Promise<string | null>((resolve, reject) => {
        let settled = false;
        // A ping answers this pull; the batch still pending goes to the next one.
        const stopWaiting = clock.wait(() => {
          if (settled) return;
          settled = true;
          resolve(SSE_PING);
        });
        waiting.then(
          (result) => {
            if (settled) return;
            settled = true;
            stopWaiting();
            pending = undefined;
            if (!result.done) return resolve(encode(result.value));
            finished = true;
            resolve(end ?? null);
          },
          (error: unknown) => {
            if (settled) return;
            settled = true;
            stopWaiting();
            finished = true;
            reject(error);
          },
        );
      });
    },
    async cancel() {
      finished = true;
      await batches.return?.(undefined);
    },
  };
}

/** Text pieces as they come (an export's pages); no ping: they arrive as fast as the store reads. */
export function pullChunks(chunks: AsyncGenerator<string>): TextPuller {
  return {
    async next() {
      const { value, done } = await chunks.next();
      return done ? null : value;
    },
    async cancel() {
      await chunks.return(undefined);
    },
  };
}

const encoder = new TextEncoder();

/** A puller as a Web byte stream, pulled one piece at a time (highWaterMark 0: nothing produced ahead of the reader). */
export function pulledStream(puller: TextPuller): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const piece = await puller.next();
          if (piece === null) controller.close();
          else controller.enqueue(encoder.encode(piece));
        } catch (error) {
          controller.error(error);
        }
      },
      cancel: () => puller.cancel(),
    },
    { highWaterMark: 0 },
  );
}
