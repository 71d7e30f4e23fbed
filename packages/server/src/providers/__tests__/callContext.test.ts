import { describe, expect, it } from 'vitest';
import { Aborter } from '../../util/callerGone';
import { abortOf, callContext } from '../callContext';

describe('callContext', () => {
  it('hands built-in adapters the abort source, and anyone who reads `signal` a signal that follows it', () => {
    const aborter = new Aborter();
    const context = callContext('sk-test', aborter);
    expect(abortOf(context)).toBe(aborter);
    const signal = context.signal;
    expect(signal.aborted).toBe(false);
    const reason = new Error('client left');
    aborter.abort(reason);
    expect(signal.aborted).toBe(true);
    expect(signal.reason).toBe(reason);
  });

  it('follows the signal of a copy that replaced it, and of a context made by hand', () => {
    const aborter = new Aborter();
    const deadline = new AbortController();
    const copy = { ...callContext(undefined, aborter), signal: deadline.signal };
    expect(abortOf(copy)).toBe(deadline.signal);
    const spread = { ...callContext(undefined, aborter) };
    aborter.abort();
    expect(abortOf(spread)).toBe(spread.signal);
    expect(spread.signal.aborted).toBe(true);
    const byHand = { apiKey: undefined, signal: new AbortController().signal };
    expect(abortOf(byHand)).toBe(byHand.signal);
  });
});
