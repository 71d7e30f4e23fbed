import type { AbortSource, CallerGone } from '../util/callerGone';
import type { ProviderCallContext } from './types';

/** Contexts made by `callContext`, and the abort source behind each one's lazy signal. */
const sources = new WeakMap<ProviderCallContext, CallerGone>();

/**
 * A provider call's context whose `signal` is made only if the provider reads it. Built-in
 * adapters follow `abortOf(context)` instead (no AbortSignal per call); a custom provider, or
 * a copy of the context (`{ ...context, signal }` has its own), gets a real signal.
 */
export function callContext(apiKey: string | undefined, abort: CallerGone): ProviderCallContext {
  const context: ProviderCallContext = {
    apiKey,
    get signal() {
      return abort.signal;
    },
  };
  sources.set(context, abort);
  return context;
}

/** What aborts a call made with this context: the source behind `callContext`, or the context's own signal. */
export function abortOf(context: ProviderCallContext): AbortSource {
  return sources.get(context) ?? context.signal;
}
