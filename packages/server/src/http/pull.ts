import type { Piece } from '../util/pieceBuilder';

/**
 * Text produced a piece at a time and pulled by whoever writes it out — a Web `ReadableStream`
 * or the Node bridge's socket writer. The one loop behind every streamed answer (chat events in
 * any protocol, log exports): a slow reader holds the producer back, and a stream that idles
 * gets a ping.
 */
export interface TextPuller {
  /** The next piece, or null at the end. Rejects when the producer failed after the head was sent. */
  next(): Promise<Piece | null>;
  /** The reader went away: stop producing (a chat call aborts its upstream request). */
  cancel(): Promise<void>;
}

const encoder = new TextEncoder();

/** Pieces as one: text joined as text, and as bytes once any piece is bytes. */
export function joinPieces(pieces: readonly Piece[]): Piece {
  if (pieces.length === 1) return pieces[0] as Piece;
  if (pieces.every((piece) => typeof piece === 'string')) return pieces.join('');
  const parts = pieces.map((piece) => (typeof piece === 'string' ? encoder.encode(piece) : piece));
  const joined = new Uint8Array(parts.reduce((total, part) => total + part.length, 0));
  let at = 0;
  for (const part of parts) {
    joined.set(part, at);
    at += part.length;
  }
  return joined;
}

export const SSE_PING = ': ping\n\n';
export const PING_INTERVAL_MS = 15_000;

export interface EventPullOptions<T> {
  /** Sent before anything is pulled (a chat's `start` event): never held back. */
  first: Piece;
  batches: AsyncIterator<readonly T[]>;
  /** A batch as one piece: events that arrived together leave together. */
  encode: (batch: readonly T[]) => Piece;
  /** Text after the last batch (OpenAI's `data: [DONE]`). */
  end?: string;
  /** A `: ping` comment after this long without a piece, so idle proxies keep the line open. */
  pingIntervalMs?: number;
}

/**
 * One ticking timer per ping interval for every open stream, instead of one per stream. A pull
 * that has waited through a whole tick gets a ping, so an idle stream gets one between one and two
 * intervals after its last piece. Per stream, the clock holds the puller itself (registered once,
 * while it is open); per pull, nothing is allocated for it: per-pull timers and waiter objects
 * each lived long enough to carry streams' data into the old generation (ARCHITECTURE.md, "Pings").
 */
class PingClock {
  private static readonly clocks = new Map<number, PingClock>();
  private readonly pullers = new Set<EventPuller<unknown>>();
  private timer: ReturnType<typeof setInterval> | undefined;
  ticks = 0;

  static every(ms: number): PingClock {
    let clock = PingClock.clocks.get(ms);
    if (!clock) PingClock.clocks.set(ms, (clock = new PingClock(ms)));
    return clock;
  }

  private constructor(private readonly ms: number) {}

  add(puller: EventPuller<unknown>): void {
    this.pullers.add(puller);
    if (!this.timer) this.start();
  }

  remove(puller: EventPuller<unknown>): void {
    this.pullers.delete(puller);
  }

  /** Its own method, so the timer's callback closes over the clock alone. */
  private start(): void {
    this.timer = setInterval(() => this.tick(), this.ms);
    (this.timer as { unref?: () => void }).unref?.();
  }

  private tick(): void {
    this.ticks += 1;
    // Left running while streams come and go (one timer, not one per stream); stopped once a tick finds none.
    if (this.pullers.size === 0) {
      clearInterval(this.timer);
      this.timer = undefined;
      return;
    }
    for (const puller of this.pullers) puller.pingIfWaitingSince(this.ticks - 1);
  }
}

/** Events pulled in the batches their producer made, with a ping when a pull waits longer than the interval. */
export function pullEvents<T>(options: EventPullOptions<T>): TextPuller {
  return new EventPuller(options);
}

class EventPuller<T> implements TextPuller {
  private readonly clock: PingClock;
  private first: Piece | undefined;
  private readonly batches: AsyncIterator<readonly T[]>;
  private readonly encode: (batch: readonly T[]) => Piece;
  private readonly end: string | null;
  /** A batch that arrived while nobody was pulling (a ping answered the pull that asked for it). */
  private ready: IteratorResult<readonly T[]> | undefined;
  private failure: { error: unknown } | undefined;
  private fetching = false;
  private finished = false;
  /** The pull that waits, and the tick it started waiting in. */
  private resolve: ((piece: Piece | null) => void) | undefined;
  private reject: ((error: unknown) => void) | undefined;
  private waitingSince = 0;

  constructor({ first, batches, encode, end, pingIntervalMs = PING_INTERVAL_MS }: EventPullOptions<T>) {
    this.clock = PingClock.every(pingIntervalMs);
    this.first = first;
    this.batches = batches;
    this.encode = encode;
    this.end = end ?? null;
  }

  next(): Promise<Piece | null> {
    if (this.first !== undefined) {
      const first = this.first;
      this.first = undefined;
      this.clock.add(this as EventPuller<unknown>);
      return Promise.resolve(first);
    }
    if (this.ready) {
      const result = this.ready;
      this.ready = undefined;
      return Promise.resolve(this.piece(result));
    }
    if (this.failure) return Promise.reject(this.failure.error);
    if (this.finished) return Promise.resolve(null);
    if (!this.fetching) {
      this.fetching = true;
      this.batches.next().then(this.onBatch, this.onFailure);
    }
    return new Promise<Piece | null>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
      this.waitingSince = this.clock.ticks;
    });
  }

  async cancel(): Promise<void> {
    this.close();
    await this.batches.return?.(undefined);
  }

  /** Called by the clock: a pull that has waited since before `tick` gets a ping; the batch it waits for goes to the next one. */
  pingIfWaitingSince(tick: number): void {
    const resolve = this.resolve;
    if (!resolve || this.waitingSince > tick) return;
    this.resolve = this.reject = undefined;
    resolve(SSE_PING);
  }

  private readonly onBatch = (result: IteratorResult<readonly T[]>): void => {
    this.fetching = false;
    const resolve = this.resolve;
    if (!resolve) {
      this.ready = result;
      return;
    }
    this.resolve = this.reject = undefined;
    resolve(this.piece(result));
  };

  private readonly onFailure = (error: unknown): void => {
    this.fetching = false;
    this.close();
    const reject = this.reject;
    this.resolve = this.reject = undefined;
    if (reject) reject(error);
    else this.failure = { error };
  };

  private piece(result: IteratorResult<readonly T[]>): Piece | null {
    if (!result.done) return this.encode(result.value);
    this.close();
    return this.end;
  }

  private close(): void {
    this.finished = true;
    this.clock.remove(this as EventPuller<unknown>);
  }
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

/** A puller as a Web byte stream, pulled one piece at a time (highWaterMark 0: nothing produced ahead of the reader). */
export function pulledStream(puller: TextPuller): ReadableStream<Uint8Array> {
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          const piece = await puller.next();
          if (piece === null) controller.close();
          // Bytes are copied out: a batch is a view into a larger unzeroed buffer, safe for a socket
          // write but not for a consumer that reads `chunk.buffer`.
          else controller.enqueue(typeof piece === 'string' ? encoder.encode(piece) : new Uint8Array(piece));
        } catch (error) {
          controller.error(error);
        }
      },
      cancel: () => puller.cancel(),
    },
    { highWaterMark: 0 },
  );
}
