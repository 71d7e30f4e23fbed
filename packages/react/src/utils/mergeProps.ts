import type { Ref, RefCallback, SyntheticEvent } from 'react';

/** The user's handler runs first; ours is skipped when they called `preventDefault()`. */
export function composeHandlers<E extends SyntheticEvent | Event>(
  user: ((event: E) => void) | undefined,
  ours: (event: E) => void,
): (event: E) => void {
  return (event: E) => {
    user?.(event);
    if (!event.defaultPrevented) ours(event);
  };
}

export function mergeRefs<T>(...refs: Array<Ref<T> | undefined>): RefCallback<T> {
  return (value: T | null) => {
    for (const ref of refs) {
      if (typeof ref === 'function') ref(value);
      else if (ref && typeof ref === 'object') (ref as { current: T | null }).current = value;
    }
  };
}

/** `data-*` flags are present-or-absent: `""` when on, missing when off. */
export function dataFlag(on: boolean): '' | undefined {
  return on ? '' : undefined;
}

/** The props a getter was given; none means an empty set of the same type (every field is optional). */
export function propsOrEmpty<P extends object>(props: P | undefined): P {
  return props ?? ({} as P);
}
