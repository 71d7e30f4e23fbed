/**
 * Text kept while it streams (a step's answer, a thought), without keeping the network chunks it
 * came from. A streamed piece is often a V8 sliced string of the whole decoded chunk; `a += b`
 * makes a tree that holds every one of those chunks until the stream ends. Held that long under
 * 50 concurrent streams, the chunks' allocation site got pretenured: every chunk went straight
 * to the old generation and died in a mark-compact (a stream cost half again its CPU,
 * ARCHITECTURE.md, "Pretenuring"). So every few pieces the recent ones are flattened into a copy
 * of their own, and the slices are let go.
 */
export class KeptText {
  private kept = '';
  private recent = '';
  private pieces = 0;

  append(piece: string): void {
    if (!piece) return;
    this.recent += piece;
    if (++this.pieces < FLATTEN_EVERY) return;
    this.kept += flat(this.recent);
    this.recent = '';
    this.pieces = 0;
  }

  toString(): string {
    return this.kept + this.recent;
  }
}

/** Pieces between flattenings: the copy is of the recent pieces only, so keeping a reply stays linear. */
const FLATTEN_EVERY = 16;

/**
 * A flat copy of a string of several pieces: converting it to a number makes V8 flatten the tree
 * in place into one sequential string (what pino's `flatstr` relies on), which drops its parts.
 */
function flat(text: string): string {
  Number(text);
  return text;
}
