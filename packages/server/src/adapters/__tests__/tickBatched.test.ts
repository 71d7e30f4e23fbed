import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { describe, expect, it, vi } from 'vitest';
import { tickBatched } from '../node';

/** Just what the batcher touches of a ServerResponse: write (true until `full`), end, flush, drain. */
function fakeResponse(capacity = Infinity) {
  const emitter = new EventEmitter();
  const written: string[] = [];
  let buffered = 0;
  const res = Object.assign(emitter, {
    destroyed: false,
    ended: null as string | null,
    flushes: 0,
    write(chunk: string | Uint8Array) {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
      written.push(text);
      buffered += text.length;
      return buffered < capacity;
    },
    end(chunk?: string) {
      res.ended = chunk ?? '';
    },
    flush() {
      res.flushes++;
    },
    drain() {
      buffered = 0;
      emitter.emit('drain');
    },
  });
  return { res, written };
}

const asResponse = (res: object) => res as unknown as ServerResponse & { flush(): void };
const nextTick = () => new Promise((resolve) => setImmediate(resolve));

describe('tickBatched', () => {
  it('joins the text written in one tick into one write, flushed for compression middleware', async () => {
    const { res, written } = fakeResponse();
    const out = tickBatched(asResponse(res));
    for (const piece of ['a', 'b', 'c']) expect(out.write(piece)).toBeNull();
    expect(written).toEqual([]);
    await nextTick();
    expect(written).toEqual(['abc']);
    expect(res.flushes).toBe(1);
    out.write('d');
    await nextTick();
    expect(written).toEqual(['abc', 'd']);
  });

  it('ends with the last batch in the same call', () => {
    const { res, written } = fakeResponse();
    const out = tickBatched(asResponse(res));
    out.write('x');
    out.write('y');
    out.end();
    expect(written).toEqual([]);
    expect(res.ended).toBe('xy');
  });

  it('writes a batch at once past 64 kB, and answers with a promise while the socket is full', async () => {
    const { res, written } = fakeResponse(100_000);
    const out = tickBatched(asResponse(res));
    const event = 'e'.repeat(4_000);
    for (let i = 0; i < 17; i++) expect(out.write(event)).toBeNull();
    // Past 64 kB of small pieces, they went out in one write without waiting for the tick to end…
    expect(written).toEqual([event.repeat(17)]);
    // …and the next batch fills the socket: the caller is told to wait.
    const blocked = out.write('x'.repeat(64 * 1024));
    expect(blocked).toBeInstanceOf(Promise);
    const resolved = vi.fn();
    void blocked?.then(resolved);
    await nextTick();
    expect(resolved).not.toHaveBeenCalled();
    res.drain();
    await blocked;
    expect(out.write('z')).toBeNull();
  });

  it('joins bytes and text written in one tick, in order, as bytes; a piece of 64 kB or more goes at once, after what came before it', async () => {
    const { res, written } = fakeResponse();
    const out = tickBatched(asResponse(res));
    out.write('text ');
    out.write(new TextEncoder().encode('bytés '));
    out.write('more');
    expect(written).toEqual([]);
    await nextTick();
    expect(written).toEqual(['text bytés more']);
    out.write('before ');
    const page = new TextEncoder().encode('p'.repeat(64 * 1024));
    out.write(page);
    expect(written).toEqual(['text bytés more', 'before ', 'p'.repeat(64 * 1024)]);
  });

  it('joins a large batch with the end of the stream: one write, not two (an OpenAI-format stream read in one go)', () => {
    const { res, written } = fakeResponse();
    const out = tickBatched(asResponse(res));
    const batch = 'data: {"choices":[]}\n\n'.repeat(1_000);
    out.write(batch);
    out.write('data: [DONE]\n\n');
    out.end();
    expect(written).toEqual([]);
    expect(res.ended).toBe(`${batch}data: [DONE]\n\n`);
  });

  it('drops a batch for a response that is gone', async () => {
    const { res, written } = fakeResponse();
    const out = tickBatched(asResponse(res));
    out.write('late');
    res.destroyed = true;
    await nextTick();
    expect(written).toEqual([]);
  });
});
