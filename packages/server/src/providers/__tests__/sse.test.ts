import { Abort } from '../../util/abort';
import { describe, expect, it } from 'vitest';
import { readServerSentEvents } from '../http';

const request = { provider: 'test', url: 'http://127.0.0.1/', abort: new Abort() };

async function eventsOf(chunks: Uint8Array[]): Promise<string[]> {
  const body = (async function* () {
    yield* chunks;
  })();
  const data: string[] = [];
  for await (const batch of readServerSentEvents(body, request)) for (const event of batch) data.push(event.data);
  return data;
}

describe('readServerSentEvents', () => {
  const text = 'data: {"t":"héllo 😀 ✓"}\n\ndata: {"t":"ascii"}\n\ndata: {"t":"ünï"}\n\n';
  const bytes = Buffer.from(text);
  const expected = ['{"t":"héllo 😀 ✓"}', '{"t":"ascii"}', '{"t":"ünï"}'];

  it('decodes characters split across chunks at every possible cut, from Node Buffers and plain Uint8Arrays', async () => {
    for (let cut = 1; cut < bytes.length; cut++) {
      for (const wrap of [(b: Buffer) => b, (b: Buffer) => new Uint8Array(b)]) {
        expect(await eventsOf([wrap(bytes.subarray(0, cut)), wrap(bytes.subarray(cut))])).toEqual(expected);
      }
    }
  });

  it('decodes byte by byte, and batches the events of one chunk together', async () => {
    expect(await eventsOf([...bytes].map((byte) => Buffer.from([byte])))).toEqual(expected);
    const batches: number[] = [];
    for await (const batch of readServerSentEvents((async function* () { yield bytes; })(), request)) batches.push(batch.length);
    expect(batches).toEqual([3]);
  });
});
