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

/** Events pulled in the batches their producer made, with a ping whenever a pull waits longer than the interval. */
export function pullEvents<T>({ first, batches, encode, end, pingIntervalMs = PING_INTERVAL_MS }: EventPullOptions<T>): TextPuller {
  let sentFirst = false;
  let finished = false;
  let pending: Promise<IteratorResult<readonly T[]>> | undefined;
  /** Resolves the pull that is waiting, with a ping (set only while one waits). */
  let wake: (() => void) | undefined;
  let ping: ReturnType<typeof setInterval> | undefined;

  const stop = () => {
    finished = true;
    if (ping) clearInterval(ping);
    ping = undefined;
  };

  return {
    next() {
      if (!sentFirst) {
        sentFirst = true;
        ping = setInterval(() => wake?.(), pingIntervalMs);
        (ping as { unref?: () => void }).unref?.();
        return Promise.resolve(first);
      }
      if (finished) return Promise.resolve(null);
      const waiting = (pending ??= batches.next());
      return new Promise<string | null>((resolve, reject) => {
        let settled = false;
        // A ping answers this pull; the batch still pending goes to the next one.
        wake = () => {
          if (settled) return;
          settled = true;
          wake = undefined;
          resolve(SSE_PING);
        };
        waiting.then(
          (result) => {
            if (settled) return;
            settled = true;
            wake = undefined;
            pending = undefined;
            if (!result.done) return resolve(encode(result.value));
            stop();
            resolve(end ?? null);
          },
          (error: unknown) => {
            if (settled) return;
            settled = true;
            wake = undefined;
            stop();
            reject(error);
          },
        );
      });
    },
    async cancel() {
      stop();
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
