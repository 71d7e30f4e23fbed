/**
 * Runs `flush` at most once per animation frame, however often `schedule` is called.
 * Falls back to a 16 ms timer where there are no frames (Node, hidden tabs throttle rAF anyway).
 */
export function createFrameBatcher(flush: () => void): { schedule(): void; flushNow(): void; cancel(): void } {
  let handle: number | ReturnType<typeof setTimeout> | undefined;
  let usesFrame = false;
  const run = () => {
    handle = undefined;
    flush();
  };
  const cancel = () => {
    if (handle === undefined) return;
    if (usesFrame) cancelAnimationFrame(handle as number);
    else clearTimeout(handle as ReturnType<typeof setTimeout>);
    handle = undefined;
  };
  return {
    schedule() {
      if (handle !== undefined) return;
      usesFrame = typeof requestAnimationFrame === 'function';
      handle = usesFrame ? requestAnimationFrame(run) : setTimeout(run, 16);
    },
    flushNow() {
      cancel();
      flush();
    },
    cancel,
  };
}
