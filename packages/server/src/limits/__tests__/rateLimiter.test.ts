import { Abort } from '../../util/abort';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { RateLimiter } from '../rateLimiter';
import { Semaphore } from '../semaphore';
import { memoryState } from '../state';

afterEach(() => vi.useRealTimers());

describe('RateLimiter (sliding window)', () => {
  it('waits exactly until the window has room, within the queue timeout', async () => {
    vi.useFakeTimers();
    const limiter = new RateLimiter(memoryState(), 120_000);
    const take = [{ key: 'rpm', limit: 2, weight: 1, tokens: false }];
    const signal = new Abort();
    await limiter.acquire(take, signal, 'x');
    vi.advanceTimersByTime(10_000);
    await limiter.acquire(take, signal, 'x');
    let third = false;
    const pending = limiter.acquire(take, signal, 'x').then((r) => ((third = true), r));
    await vi.advanceTimersByTimeAsync(49_000);
    expect(third).toBe(false);
    // The first entry leaves the window 60 s after it was taken.
    await vi.advanceTimersByTimeAsync(1_100);
    expect(third).toBe(true);
    expect((await pending).waitedMs).toBeGreaterThanOrEqual(50_000);
  });

  it('refuses with the wait and the X-RateLimit figures when the wait exceeds the queue timeout', async () => {
    const limiter = new RateLimiter(memoryState(), 1_000);
    const take = [{ key: 'rpm', limit: 1, weight: 1, tokens: false }];
    await limiter.acquire(take, new Abort(), 'p');
    await expect(limiter.acquire(take, new Abort(), 'p')).rejects.toMatchObject({
      code: 'rate_limited',
      retryAfterMs: expect.any(Number),
      rateLimit: { limit: 1, remaining: 0, resetMs: expect.any(Number) },
    });
  });

  it('takes all windows or none', async () => {
    const state = memoryState();
    const limiter = new RateLimiter(state, 0);
    const signal = new Abort();
    await limiter.acquire([{ key: 'tpm', limit: 100, weight: 90, tokens: true }], signal, 'p');
    await expect(
      limiter.acquire([{ key: 'rpm', limit: 10, weight: 1, tokens: false }, { key: 'tpm', limit: 100, weight: 20, tokens: true }], signal, 'p'),
    ).rejects.toMatchObject({ code: 'rate_limited' });
    // The rpm entry taken before the tpm refusal was given back.
    const rpm = await state.windowTake('rpm', 10, 60_000, 0, Date.now());
    expect(rpm.remaining).toBe(10);
  });
});

describe('Semaphore', () => {
  it('grants in FIFO order and never over its size', async () => {
    const semaphore = new Semaphore(2);
    const signal = new Abort();
    const order: number[] = [];
    const releases = await Promise.all([semaphore.acquire(signal, 1000, 's'), semaphore.acquire(signal, 1000, 's')]);
    const waiting = [3, 4, 5].map((n) => semaphore.acquire(signal, 1000, 's').then((release) => (order.push(n), release)));
    expect(semaphore.inUse).toBe(2);
    expect(semaphore.waiting).toBe(3);
    releases[0]?.();
    releases[0]?.(); // releasing twice frees one slot only
    const third = await waiting[0];
    expect(order).toEqual([3]);
    expect(semaphore.inUse).toBe(2);
    releases[1]?.();
    third?.();
    await Promise.all(waiting.slice(1)).then((r) => r.forEach((release) => release()));
    expect(order).toEqual([3, 4, 5]);
    expect(semaphore.inUse).toBe(0);
  });

  it('removes a waiter that times out or is aborted', async () => {
    vi.useFakeTimers();
    const semaphore = new Semaphore(1);
    const release = await semaphore.acquire(new Abort(), 1000, 's');
    const timedOut = semaphore.acquire(new Abort(), 500, 's');
    const aborter = new Abort();
    const aborted = semaphore.acquire(aborter, 5000, 's');
    aborter.abort(new Error('gone'));
    await expect(aborted).rejects.toThrow('gone');
    vi.advanceTimersByTime(600);
    await expect(timedOut).rejects.toMatchObject({ code: 'rate_limited' });
    expect(semaphore.waiting).toBe(0);
    release();
    expect(semaphore.inUse).toBe(0);
  });
});
