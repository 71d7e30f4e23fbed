import { Abort } from '../../util/abort';
import { describe, expect, it } from 'vitest';
import { sseEventBatches } from '../http';
import type { ProviderEvent } from '../types';

const request = { provider: 'test', url: 'http://127.0.0.1/', abort: new Abort() };

// Each message's data as a text event: what the adapters' callbacks do with theirs.
const asText = (data: string, out: ProviderEvent[]) => void out.push({ type: 'text', text: data });

async function eventsOf(chunks: Uint8Array[]): Promise<string[]> {
  const body = (async function* () {
    yield* chunks;
  })();
  const data: string[] = [];
  for await (const batch of sseEventBatches(body, request, asText)) for (const event of batch) if (event.type === 'text') data.push(event.text);
  return data;
}

describe('sseEventBatches', () => {
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
    for await (const batch of sseEventBatches((async function* () { yield bytes; })(), request, asText)) batches.push(batch.length);
    expect(batches).toEqual([3]);
  });
});
