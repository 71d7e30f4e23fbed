import type { ReactNode } from 'react';
import { type UsageChartApi, type UseUsageChartProps, useUsageChart } from './useUsageChart';

export interface UsageChartProps extends UseUsageChartProps {
  children: (api: UsageChartApi) => ReactNode;
}

/** `children(useUsageChart(props))` — the hook is the implementation. */
export function UsageChart({ children, ...props }: UsageChartProps) {
  return <>{children(useUsageChart(props))}</>;
}
