import type { ReactNode } from 'react';
import { type ModelSelectApi, ModelSelectActions, type UseModelSelectProps, useModelSelect } from './useModelSelect';

export interface ModelSelectProps extends UseModelSelectProps {
  children: (api: ModelSelectApi) => ReactNode;
}

/** `children(useModelSelect(props))` — the hook is the implementation. */
function ModelSelectComponent({ children, ...props }: ModelSelectProps) {
  return <>{children(useModelSelect(props))}</>;
}

/**
 * `stateChangeTypes`: the action types a `stateReducer` sees, as in Downshift. Attached in a
 * pure expression, not a statement, so a bundle that never renders ModelSelect drops it.
 */
export const ModelSelect = /* @__PURE__ */ Object.assign(ModelSelectComponent, { displayName: 'ModelSelect', stateChangeTypes: ModelSelectActions });
