import type { ReactNode } from 'react';
import { type ProviderKeyFormApi, type UseProviderKeyFormProps, useProviderKeyForm } from './useProviderKeyForm';

export interface ProviderKeyFormProps extends UseProviderKeyFormProps {
  children: (api: ProviderKeyFormApi) => ReactNode;
}

/** `children(useProviderKeyForm(props))` — the hook is the implementation. */
export function ProviderKeyForm({ children, ...props }: ProviderKeyFormProps) {
  return <>{children(useProviderKeyForm(props))}</>;
}
