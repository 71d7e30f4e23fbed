const encoder = new TextEncoder();

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

/**
 * A batch of stream text written straight into bytes. A batch of ~300 events built as a string
 * was a rope of ~900 pieces that Node's HTTP writer flattened to count its bytes and then
 * converted again to write them; OpenAI-format chunks (~190 bytes each) made that the largest
 * cost /v1 streams had over /chat (ARCHITECTURE.md, "Streams as bytes"). Frames known ahead go
 * in as bytes, JSON strings are escaped by hand on the ASCII path.
 */
export class ByteBuilder {
  private bytes: Uint8Array;
  private at = 0;

  constructor(capacity: number) {
    this.bytes = allocate(Math.max(capacity, 64));
  }

  private room(size: number): Uint8Array {
    if (this.at + size > this.bytes.length) {
      const grown = allocate(Math.max(this.bytes.length * 2, this.at + size));
      grown.set(this.bytes.subarray(0, this.at));
      this.bytes = grown;
    }
    return this.bytes;
  }

  /** Bytes made once (a frame's fixed head and tail). */
  raw(part: Uint8Array): void {
    this.room(part.length).set(part, this.at);
    this.at += part.length;
  }

  text(text: string): void {
    const out = this.room(text.length * 3);
    this.at += encoder.encodeInto(text, out.subarray(this.at)).written;
  }

  /** Exactly the bytes of `JSON.stringify(text)`. */
  jsonString(text: string): void {
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
   * What was written: a view into a larger buffer that is unzeroed and, on Node, may be pooled.
   * Fit for a socket write; copy it before handing it to code that may read `.buffer`.
   */
  take(): Uint8Array {
    return this.bytes.subarray(0, this.at);
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
