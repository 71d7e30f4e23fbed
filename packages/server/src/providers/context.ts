import { Abort } from '../util/abort';
import type { ProviderCallContext } from './types';

/**
 * The context a provider call gets. Built-in adapters follow its Abort (no `AbortSignal` per
 * call); `signal` is made only if a provider reads it. A copy (`{ ...context, signal }`) is a plain
 * object without the brand, so its own signal is the one followed.
 */
export class CallContext implements ProviderCallContext {
  readonly #abort: Abort;

  constructor(
    readonly apiKey: string | undefined,
    abort: Abort,
  ) {
    this.#abort = abort;
  }

  get signal(): AbortSignal {
    return this.#abort.signal;
  }

  /** What aborts a call made with this context. */
  static abortOf(context: ProviderCallContext): Abort {
    return #abort in context ? (context).#abort : Abort.from(context.signal);
  }
}
