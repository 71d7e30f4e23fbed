import { describe, expect, it, vi } from 'vitest';
import { getEventListeners } from 'node:events';
import { Aborter, ClientGone, onAbortOf, signalOf } from '../callerGone';

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

describe('Aborter', () => {
  it('aborts with the reason given, once, and its late signal carries that reason', () => {
    const aborter = new Aborter();
    const listener = vi.fn();
    aborter.onAbort(listener);
    const reason = new Error('deadline');
    aborter.abort(reason);
    aborter.abort(new Error('second'));
    expect(listener).toHaveBeenCalledTimes(1);
    expect(aborter.reason).toBe(reason);
    expect(aborter.signal.reason).toBe(reason);
  });
});

describe('onAbortOf / signalOf', () => {
  it('listens to an AbortSignal once, and stops listening when told', () => {
    const controller = new AbortController();
    const kept = vi.fn();
    const dropped = vi.fn();
    onAbortOf(controller.signal, kept);
    onAbortOf(controller.signal, dropped)();
    controller.abort();
    expect(kept).toHaveBeenCalledTimes(1);
    expect(dropped).not.toHaveBeenCalled();
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });

  it('calls at once for a source that is already aborted, of either kind', () => {
    const aborter = new Aborter();
    aborter.abort();
    const listener = vi.fn();
    onAbortOf(aborter, listener);
    onAbortOf(AbortSignal.abort(), listener);
    expect(listener).toHaveBeenCalledTimes(2);
  });

  it('gives a signal as it is, and an Aborter’s own signal', () => {
    const signal = new AbortController().signal;
    expect(signalOf(signal)).toBe(signal);
    const aborter = new Aborter();
    expect(signalOf(aborter)).toBe(aborter.signal);
  });
});
