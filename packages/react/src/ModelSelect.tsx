import type { ReactNode } from 'react';
import { type ModelSelectApi, ModelSelectActions, type UseModelSelectProps, useModelSelect } from './useModelSelect';

export interface ModelSelectProps extends UseModelSelectProps {
  children: (api: ModelSelectApi) => ReactNode;
}

/** `children(useModelSelect(props))` — the hook is the implementation. */
export function ModelSelect({ children, ...props }: ModelSelectProps) {
  return <>{children(useModelSelect(props))}</>;
}

/** The action types a `stateReducer` sees, as in Downshift. */
ModelSelect.stateChangeTypes = ModelSelectActions;
