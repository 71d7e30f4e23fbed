import { describe, expect, it, vi } from 'vitest';
import { ClientGone } from '../callerGone';

describe('ClientGone', () => {
  it('calls each listener once when the client goes away, and none it stopped', () => {
    const gone = new ClientGone();
    const kept = vi.fn();
    const dropped = vi.fn();
    gone.onAbort(kept);
    const stop = gone.onAbort(dropped);
    stop();
    gone.abort();
    gone.abort();
    expect(kept).toHaveBeenCalledTimes(1);
    expect(dropped).not.toHaveBeenCalled();
    expect(gone.aborted).toBe(true);
    expect((gone.reason as DOMException).name).toBe('AbortError');
  });

  it('calls a listener added after the client left at once', () => {
    const gone = new ClientGone();
    gone.abort();
    const late = vi.fn();
    gone.onAbort(late);
    expect(late).toHaveBeenCalledTimes(1);
  });

  it('makes an AbortSignal only when asked, aborted with the same reason whenever it was asked for', () => {
    const before = new ClientGone();
    const signal = before.signal;
    expect(signal.aborted).toBe(false);
    const onAbort = vi.fn();
    signal.addEventListener('abort', onAbort);
    before.abort();
    expect(onAbort).toHaveBeenCalledTimes(1);
    expect(signal.reason).toBe(before.reason);

    const after = new ClientGone();
    after.abort();
    expect(after.signal.aborted).toBe(true);
    expect(after.signal.reason).toBe(after.reason);
  });
});
