/** Median of a sample (the figure we quote: these machines are noisy). */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

export function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number;
}

export interface Figure {
  /** What was measured, e.g. "filter 1,000 models per keystroke". */
  name: string;
  value: number;
  unit: string;
  /** The goal, when the issue names one, and whether lower is better. */
  goal?: { value: number; lowerIsBetter: boolean };
  /** value / baseline.value, both measured in this run. */
  ratio?: { to: string; value: number };
}

export interface BenchContext {
  quick: boolean;
  log(message: string): void;
}

export interface Benchmark {
  name: string;
  run(context: BenchContext): Promise<Figure[]>;
}
