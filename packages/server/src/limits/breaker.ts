import type { BreakerSnapshot, StateBackend } from './state';

export interface BreakerOptions {
  /** Open after this many failures in a row. Default 5. */
  failureThreshold?: number;
  /** …or when this share of calls in the window failed (with at least `minimumRequests`). Default 0.5. */
  failureRate?: number;
  minimumRequests?: number;
  /** Length of the rate window. Default 60 s. */
  windowMs?: number;
  /** How long an open circuit waits before letting one probe through. Default 30 s. */
  cooldownMs?: number;
}

type Config = Required<BreakerOptions>;

export function breakerConfig(options: BreakerOptions = {}): Config {
  return {
    failureThreshold: options.failureThreshold ?? 5,
    failureRate: options.failureRate ?? 0.5,
    minimumRequests: options.minimumRequests ?? 10,
    windowMs: options.windowMs ?? 60_000,
    cooldownMs: options.cooldownMs ?? 30_000,
  };
}

/** Whether a call may go through now; in half-open, exactly one probe does. Pure. */
export function admit(current: BreakerSnapshot, now: number, config: Config): { next: BreakerSnapshot; result: 'pass' | 'probe' | 'open' } {
  if (current.state === 'closed') return { next: current, result: 'pass' };
  const cooled = current.openedAt !== null && now - current.openedAt >= config.cooldownMs;
  const probeLost = current.probeStartedAt !== null && now - current.probeStartedAt >= config.cooldownMs;
  if ((current.state === 'open' && cooled) || (current.state === 'half_open' && (current.probeStartedAt === null || probeLost))) {
    return { next: { ...current, state: 'half_open', probeStartedAt: now }, result: 'probe' };
  }
  return { next: current, result: 'open' };
}

/** The breaker after one call's outcome. Pure. */
export function record(current: BreakerSnapshot, success: boolean, now: number, config: Config): BreakerSnapshot {
  const fresh = now - current.windowStart >= config.windowMs;
  const windowed = fresh ? { windowStart: now, successes: 0, failures: 0 } : { windowStart: current.windowStart, successes: current.successes, failures: current.failures };
  if (success) {
    windowed.successes += 1;
    // A successful probe (or any success) closes the circuit.
    return { ...current, ...windowed, state: 'closed', consecutiveFailures: 0, openedAt: null, probeStartedAt: null };
  }
  windowed.failures += 1;
  const consecutiveFailures = current.consecutiveFailures + 1;
  const total = windowed.successes + windowed.failures;
  const tripped =
    current.state === 'half_open' ||
    consecutiveFailures >= config.failureThreshold ||
    (total >= config.minimumRequests && windowed.failures / total >= config.failureRate);
  return tripped
    ? { ...current, ...windowed, state: 'open', consecutiveFailures, openedAt: now, probeStartedAt: null }
    : { ...current, ...windowed, consecutiveFailures };
}

/** A circuit breaker per provider+model, on whichever state backend. */
export class CircuitBreakers {
  private readonly config: Config;

  constructor(
    private readonly state: StateBackend,
    options: BreakerOptions = {},
  ) {
    this.config = breakerConfig(options);
  }

  admit(target: string, now = Date.now()): Promise<'pass' | 'probe' | 'open'> {
    return this.state.breakerUpdate(`breaker:${target}`, (current) => admit(current, now, this.config));
  }

  record(target: string, success: boolean, now = Date.now()): Promise<void> {
    return this.state.breakerUpdate(`breaker:${target}`, (current) => ({ next: record(current, success, now, this.config), result: undefined }));
  }

  async snapshot(): Promise<Record<string, BreakerSnapshot>> {
    const all = await this.state.breakerAll();
    return Object.fromEntries(Object.entries(all).map(([key, value]) => [key.replace(/^breaker:/, ''), value]));
  }
}
