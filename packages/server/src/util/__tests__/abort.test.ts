import { getEventListeners } from 'node:events';
import { describe, expect, it, vi } from 'vitest';
import { Abort, sleep } from '../abort';

describe('Abort', () => {
  it('calls each listener once when it aborts, and none that stopped listening', () => {
    const abort = new Abort();
    const kept = vi.fn();
    const dropped = vi.fn();
    abort.onAbort(kept);
    const stop = abort.onAbort(dropped);
    stop();
    abort.abort();
    abort.abort();
    expect(kept).toHaveBeenCalledTimes(1);
    expect(dropped).not.toHaveBeenCalled();
    expect(abort.aborted).toBe(true);
    expect((abort.reason as DOMException).name).toBe('AbortError');
  });

  it('calls a listener added after it aborted at once', () => {
    const abort = new Abort();
    abort.abort();
    const late = vi.fn();
    abort.onAbort(late);
    expect(late).toHaveBeenCalledTimes(1);
  });

  it('aborts with the reason given, once, and makes an AbortSignal only when asked, with that reason whenever it was asked for', () => {
    const before = new Abort();
    const signal = before.signal;
    expect(signal.aborted).toBe(false);
    const onAbort = vi.fn();
    signal.addEventListener('abort', onAbort);
    const reason = new Error('deadline');
    before.abort(reason);
    before.abort(new Error('second'));
    expect(onAbort).toHaveBeenCalledTimes(1);
    expect(before.reason).toBe(reason);
    expect(signal.reason).toBe(reason);

    const after = new Abort();
    after.abort(reason);
    expect(after.signal.aborted).toBe(true);
    expect(after.signal.reason).toBe(reason);
  });

  it('follows a signal once, and stops listening to it when told (a caller may pass one signal to many calls)', () => {
    const controller = new AbortController();
    const kept = new Abort();
    const dropped = new Abort();
    kept.followSignal(controller.signal);
    dropped.followSignal(controller.signal)();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(1);
    const reason = new Error('caller left');
    controller.abort(reason);
    expect(kept.reason).toBe(reason);
    expect(dropped.aborted).toBe(false);
    expect(Abort.from(AbortSignal.abort(reason)).reason).toBe(reason);
  });

  it('follows another Abort, and aborts after a deadline unless the timer was stopped', async () => {
    vi.useFakeTimers();
    try {
      const parent = new Abort();
      const child = new Abort();
      child.follow(parent);
      const stop = child.after(100, () => new Error('late'));
      stop();
      await vi.advanceTimersByTimeAsync(200);
      expect(child.aborted).toBe(false);
      parent.abort(new Error('gone'));
      expect((child.reason as Error).message).toBe('gone');

      const timed = new Abort();
      timed.after(50, () => new Error('late'));
      await vi.advanceTimersByTimeAsync(60);
      expect((timed.reason as Error).message).toBe('late');
    } finally {
      vi.useRealTimers();
    }
  });

  it('sleep rejects with the reason as soon as it aborts', async () => {
    const abort = new Abort();
    const sleeping = sleep(10_000, abort);
    abort.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
  });
});
