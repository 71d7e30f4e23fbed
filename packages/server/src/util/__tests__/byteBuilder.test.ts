import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteBuilder, utf8 } from '../byteBuilder';

const decode = (bytes: Uint8Array) => new TextDecoder().decode(bytes);
// Bytes, not decoded text: a lone surrogate must come out as JSON.stringify's escape, not as U+FFFD.
const stringifiedBytes = (text: string) => Buffer.from(utf8(JSON.stringify(text))).toString('hex');

describe('ByteBuilder', () => {
  it('writes exactly JSON.stringify’s bytes for any string: escapes, controls, non-ASCII, lone surrogates', () => {
    const samples = ['', 'plain', 'say "hi"', 'back\\slash', 'line\nbreak\ttab\r\b\f', '\u0000\u001f\u007f', 'café', '日本語', 'emoji 😀 ok', 'lone \ud800 high', 'x\udc00', '"\u0001é'];
    for (const text of samples) {
      const out = new ByteBuilder(1);
      out.jsonString(text);
      expect(Buffer.from(out.take()).toString('hex'), JSON.stringify(text)).toBe(stringifiedBytes(text));
    }
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const out = new ByteBuilder(0);
        out.jsonString(text);
        return Buffer.from(out.take()).toString('hex') === stringifiedBytes(text);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps frames, text and JSON in order, growing past its first guess', () => {
    const out = new ByteBuilder(8);
    const head = utf8('data: {"text":');
    for (let i = 0; i < 200; i++) {
      out.raw(head);
      out.jsonString(`piece ${i} — ü`);
      out.text('}\n\n');
    }
    const expected = Array.from({ length: 200 }, (_, i) => `data: {"text":${JSON.stringify(`piece ${i} — ü`)}}\n\n`).join('');
    expect(decode(out.take())).toBe(expected);
  });
});
