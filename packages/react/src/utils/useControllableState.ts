import { useCallback, useRef, useState } from 'react';

export interface ControllableStateProps<T> {
  /** The controlled value: anything but `undefined` makes the state controlled. */
  prop: T | undefined;
  defaultProp: T;
  /** Hears every change the component proposes, controlled or not. */
  onChange?: ((value: T) => void) | undefined;
}

/**
 * State that the caller may control (Radix's `useControllableState`): uncontrolled it lives here;
 * controlled, `prop` is the value and a change is only proposed through `onChange`. The setter is
 * stable, and `onChange` runs in it — never during render.
 */
export function useControllableState<T>({ prop, defaultProp, onChange }: ControllableStateProps<T>): [T, (next: T | ((previous: T) => T)) => void] {
  const [uncontrolled, setUncontrolled] = useState(defaultProp);
  const controlled = prop !== undefined;
  const value = controlled ? (prop as T) : uncontrolled;
  const latest = useRef({ value, controlled, onChange });
  latest.current = { value, controlled, onChange };

  const setValue = useCallback((next: T | ((previous: T) => T)) => {
    const { value: current, controlled: isControlled, onChange: notify } = latest.current;
    const resolved = typeof next === 'function' ? (next as (previous: T) => T)(current) : next;
    if (Object.is(resolved, current)) return;
    if (!isControlled) {
      setUncontrolled(resolved);
      // Later calls in the same event see the new value, as a controlled parent's would after its render.
      latest.current = { ...latest.current, value: resolved };
    }
    notify?.(resolved);
  }, []);

  return [value, setValue];
}
