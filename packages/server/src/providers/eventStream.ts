import type { ProviderEvent } from './types';

/**
 * A provider's events as the contract has them (one at a time), built from the arrays one
 * network read held. The orchestrator asks for the arrays (`batchesOf`): a stream at full speed
 * is hundreds of events, and one async step per read instead of per event is much of what a
 * stream costs between the provider's socket and the client's (ARCHITECTURE.md, "Streams in batches").
 */
export class ProviderEventStream implements AsyncIterable<ProviderEvent> {
  constructor(private readonly source: AsyncGenerator<readonly ProviderEvent[], unknown>) {}

  batches(): AsyncIterator<readonly ProviderEvent[]> {
    return this.source;
  }

  async *[Symbol.asyncIterator](): AsyncIterator<ProviderEvent> {
    for await (const batch of { [Symbol.asyncIterator]: () => this.source }) yield* batch;
  }
}

/** The batches behind a built-in adapter's stream, or each event of any other one on its own. */
export function batchesOf(events: AsyncIterable<ProviderEvent>): AsyncIterator<readonly ProviderEvent[]> {
  if (events instanceof ProviderEventStream) return events.batches();
  const iterator = events[Symbol.asyncIterator]();
  return {
    next: async () => {
      const next = await iterator.next();
      return next.done ? { done: true, value: undefined } : { done: false, value: [next.value] };
    },
    return: async () => {
      await iterator.return?.();
      return { done: true, value: undefined };
    },
  };
}
