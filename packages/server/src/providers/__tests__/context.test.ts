import { describe, expect, it } from 'vitest';
import { Abort } from '../../util/abort';
import { CallContext } from '../context';

describe('CallContext', () => {
  it('hands built-in adapters its Abort, and anyone who reads `signal` a signal that follows it', () => {
    const abort = new Abort();
    const context = new CallContext('sk-test', abort);
    expect(CallContext.abortOf(context)).toBe(abort);
    const signal = context.signal;
    expect(signal.aborted).toBe(false);
    const reason = new Error('client left');
    abort.abort(reason);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(reason);
  });

  it('follows the signal of a copy that replaced it, and of a context made by hand', () => {
    const abort = new Abort();
    const deadline = new AbortController();
    const copy = { ...new CallContext(undefined, abort), signal: deadline.signal };
    const followed = CallContext.abortOf(copy);
    expect(followed).not.toBe(abort);
    deadline.abort(new Error('deadline'));
    expect((followed.reason as Error).message).toBe('deadline');
    expect(abort.aborted).toBe(false);
    const byHand = { apiKey: undefined, signal: AbortSignal.abort(new Error('gone')) };
    expect((CallContext.abortOf(byHand).reason as Error).message).toBe('gone');
  });
});
