import type { ChatEvent } from '@aiu/core';

const encoder = new TextEncoder();

/** Stream text as a string, or already as UTF-8 bytes. */
export type Piece = string | Uint8Array;

/** Node's pooled, unzeroed allocation where there is one (every byte is written before it is read). */
const allocate: (size: number) => Uint8Array = typeof Buffer === 'function' ? (size) => Buffer.allocUnsafe(size) : (size) => new Uint8Array(size);

/** A string's UTF-8 bytes. */
export function utf8(text: string): Uint8Array {
  return encoder.encode(text);
}

/** JSON.stringify(text) needs at most 6 bytes per UTF-16 unit (`\u001f`), and 2 for the quotes. */
export function jsonStringBound(text: string): number {
  return text.length * 6 + 2;
}

/** A fixed part of a frame (a text piece's head and tail), as text and as bytes, made once. */
export interface Frame {
  readonly text: string;
  readonly bytes: Uint8Array;
}

export function frame(text: string): Frame {
  return { text, bytes: utf8(text) };
}

/**
 * The frame for the last key asked (a tool call, a content block): a stream's pieces come a run
 * per key, so one entry is enough.
 */
export class LastFrame<K> {
  private key: K | undefined;
  private last: Frame | undefined;

  constructor(private readonly textOf: (key: K) => string) {}

  of(key: K): Frame {
    if (this.last === undefined || this.key !== key) {
      this.key = key;
      this.last = frame(this.textOf(key));
    }
    return this.last;
  }
}

/** A `PieceBuilder` bound for a batch: its text and tool-input pieces, each with `frameBytes` around it. */
export function piecesBound(events: readonly ChatEvent[], frameBytes: number): number {
  let bound = 0;
  for (const event of events) {
    if (event.type === 'delta') bound += frameBytes + jsonStringBound(event.text);
    else if (event.type === 'tool-input-delta') bound += frameBytes + jsonStringBound(event.delta);
  }
  return bound;
}

/**
 * A batch this large (its bound, in bytes) or larger is built as bytes; a smaller one as a string.
 * Every batch as bytes cost 1,000 concurrent slow streams (one event per batch) 37–50 MB of peak
 * RSS — buffers live outside V8's heap, collected later than young strings (`pnpm bench
 * --only=streams`: 243 MB before, 280–294 MB with bytes throughout, 167–245 MB with this bound).
 */
export const BYTES_FROM = 4096;

/**
 * A batch of stream text. A large one is written straight into bytes: ~300 events built as a
 * string were a rope of ~900 pieces that Node's HTTP writer flattened to count its bytes and
 * converted again to write, and with OpenAI-format chunks (~190 bytes each) that was most of what
 * /v1 streams cost over /chat (ARCHITECTURE.md, "Streams as bytes"). Frames go in as the bytes
 * made once; JSON strings are escaped by hand on the ASCII path. A small batch (an event or a
 * few: a provider's tokens arriving apart) stays a string (`BYTES_FROM`).
 */
export class PieceBuilder {
  private bytes: Uint8Array | null;
  private at = 0;
  private string = '';

  /** `bound`: at least the bytes the batch's text pieces take (the rest grows the buffer). */
  constructor(bound: number) {
    this.bytes = bound >= BYTES_FROM ? allocate(bound) : null;
  }

  private room(size: number): Uint8Array {
    const bytes = this.bytes as Uint8Array;
    if (this.at + size <= bytes.length) return bytes;
    const grown = allocate(Math.max(bytes.length * 2, this.at + size));
    grown.set(bytes.subarray(0, this.at));
    return (this.bytes = grown);
  }

  frame(part: Frame): void {
    if (!this.bytes) {
      this.string += part.text;
      return;
    }
    this.room(part.bytes.length).set(part.bytes, this.at);
    this.at += part.bytes.length;
  }

  text(text: string): void {
    if (!text) return;
    if (!this.bytes) {
      this.string += text;
      return;
    }
    const out = this.room(text.length * 3);
    this.at += encoder.encodeInto(text, out.subarray(this.at)).written;
  }

  /** A piece: its frame's head, `text` as JSON, its tail. */
  framed(head: Frame, text: string, tail: Frame): void {
    this.frame(head);
    this.jsonString(text);
    this.frame(tail);
  }

  /** Exactly `JSON.stringify(text)`. */
  jsonString(text: string): void {
    if (!this.bytes) {
      this.string += JSON.stringify(text);
      return;
    }
    const out = this.room(jsonStringBound(text));
    let at = this.at;
    out[at++] = 0x22;
    for (let i = 0; i < text.length; i++) {
      const code = text.charCodeAt(i);
      if (code >= 0x20 && code < 0x80 && code !== 0x22 && code !== 0x5c) {
        out[at++] = code;
      } else if (code >= 0x80) {
        // Past ASCII (lone surrogates included), JSON.stringify and the encoder take the rest.
        this.at = at;
        const rest = JSON.stringify(text.slice(i));
        this.at += encoder.encodeInto(rest.slice(1), out.subarray(this.at)).written;
        return;
      } else {
        at = escape(out, at, code);
      }
    }
    out[at++] = 0x22;
    this.at = at;
  }

  /**
   * The batch. As bytes, a view into a larger buffer that is unzeroed and, on Node, may be pooled:
   * fit for a socket write; copy it before handing it to code that may read `.buffer`.
   */
  take(): Piece {
    return this.bytes ? this.bytes.subarray(0, this.at) : this.string;
  }
}

const SHORT_ESCAPES: Record<number, number> = { 0x08: 0x62, 0x09: 0x74, 0x0a: 0x6e, 0x0c: 0x66, 0x0d: 0x72, 0x22: 0x22, 0x5c: 0x5c };
const HEX = '0123456789abcdef';

/** A quote, a backslash or a control character, as JSON.stringify writes it. */
function escape(out: Uint8Array, at: number, code: number): number {
  out[at++] = 0x5c;
  const short = SHORT_ESCAPES[code];
  if (short !== undefined) {
    out[at++] = short;
    return at;
  }
  out[at++] = 0x75;
  out[at++] = 0x30;
  out[at++] = 0x30;
  out[at++] = HEX.charCodeAt(code >> 4);
  out[at++] = HEX.charCodeAt(code & 15);
  return at;
}
