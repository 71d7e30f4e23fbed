import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BYTES_FROM, frame, type Piece, PieceBuilder } from '../pieceBuilder';

// Bytes, not decoded text: a lone surrogate must come out as JSON.stringify's escape, not as U+FFFD.
const hexOf = (piece: Piece) => Buffer.from(typeof piece === 'string' ? new TextEncoder().encode(piece) : piece).toString('hex');
const stringifiedHex = (text: string) => hexOf(JSON.stringify(text));
const small = 0;
const large = BYTES_FROM;

describe('PieceBuilder', () => {
  it('builds a small batch as a string and a large one as bytes', () => {
    expect(typeof new PieceBuilder(small).take()).toBe('string');
    expect(new PieceBuilder(large).take()).toBeInstanceOf(Uint8Array);
  });

  it('writes exactly JSON.stringify’s bytes for any string, either way: escapes, controls, non-ASCII, lone surrogates', () => {
    const samples = ['', 'plain', 'say "hi"', 'back\\slash', 'line\nbreak\ttab\r\b\f', '\u0000\u001f\u007f', 'café', '日本語', 'emoji 😀 ok', 'lone \ud800 high', 'x\udc00', '"\u0001é'];
    for (const bound of [small, large]) {
      for (const text of samples) {
        const out = new PieceBuilder(bound);
        out.jsonString(text);
        expect(hexOf(out.take()), `${JSON.stringify(text)} (bound ${bound})`).toBe(stringifiedHex(text));
      }
    }
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        const out = new PieceBuilder(large);
        out.jsonString(text);
        return hexOf(out.take()) === stringifiedHex(text);
      }),
      { numRuns: 500 },
    );
  });

  it('keeps frames, text and JSON in order, the bytes growing past their first guess', () => {
    const head = frame('data: {"text":');
    const expected = Array.from({ length: 400 }, (_, i) => `data: {"text":${JSON.stringify(`piece ${i} — ü`)}}\n\n`).join('');
    for (const bound of [small, large]) {
      const out = new PieceBuilder(bound);
      for (let i = 0; i < 400; i++) {
        out.frame(head);
        out.jsonString(`piece ${i} — ü`);
        out.text('}\n\n');
      }
      expect(hexOf(out.take())).toBe(hexOf(expected));
    }
  });
});
