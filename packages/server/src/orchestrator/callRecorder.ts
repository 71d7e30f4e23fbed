import {
  type AiuError,
  type ChatRequest,
  type Cost,
  computeCost,
  costFromReportedTotal,
  createUsage,
  EMPTY_USAGE,
  toAiuError,
  type Usage,
} from '@aiu/core';
import type { PriceBook } from '../catalog/priceBook';
import type { KeyResolver, ResolvedKey } from '../keyring/resolve';
import type { Emitter } from '../events';
import type { Identity } from '../identity';
import { type LogRecord, toLogEntry } from '../log/types';
import type { LogWriter } from '../log/writer';
import type { ProviderRegistry } from '../providers/registry';
import { newRequestId } from '../util/ids';
import type { InFlight } from './inFlight';

export interface CallRuntime {
  inflight: InFlight;
  /** Set with `logBodies`: redacts (and caps) a prompt or reply before it is logged. */
  bodies: ((text: string) => string) | null;
  providers: ProviderRegistry;
  keys: KeyResolver;
  prices: PriceBook;
  log: LogWriter;
  events: Emitter;
  env: Record<string, string | undefined>;
}

/** Roughly four characters per token: only to bill an aborted stream that never got usage. */
const CHARS_PER_TOKEN = 4;

export interface Outcome {
  usage: Usage;
  cost: Cost | null;
  latencyMs: number;
  ttftMs: number | null;
}

/**
 * Everything one call leaves behind: timings, usage, cost, exactly one log entry and
 * one success or error event — whichever way the call ends.
 */
export class CallRecorder {
  readonly requestId = newRequestId();
  readonly startedAt = performance.now();
  private firstTokenAt: number | undefined;
  private usage: Usage | null = null;
  private reportedCostUsd: number | undefined;
  private generatedChars = 0;
  private logged = false;
  provider = 'unknown';
  model = 'unknown';
  /** Which stored key the call used, if any. */
  key: ResolvedKey['stored'];
  private readonly attempts: Array<{ model: string; outcome: 'success' | 'error' | 'skipped'; code: string | null; latencyMs: number }> = [];
  private queueMs = 0;
  private reply = '';

  constructor(
    private readonly runtime: CallRuntime,
    private readonly identity: Identity,
    private readonly request: ChatRequest | null,
    private readonly metadata: Record<string, unknown> | undefined,
    /** Aborts the call: a shutdown that runs out of patience calls it. */
    private readonly abort: () => void = () => {},
  ) {
    runtime.inflight.enter(abort);
  }

  target(provider: string, model: string): void {
    this.provider = provider;
    this.model = model;
  }

  started(): void {
    this.runtime.events.emit('request:start', {
      requestId: this.requestId,
      model: this.model,
      provider: this.provider,
      identity: this.identity,
    });
  }

  generated(text: string): void {
    this.firstTokenAt ??= performance.now();
    this.generatedChars += text.length;
    if (this.runtime.bodies) this.reply += text;
  }

  reportUsage(usage: Usage | null, costUsd?: number): void {
    if (usage) this.usage = usage;
    if (costUsd !== undefined) this.reportedCostUsd = costUsd;
  }

  attempt(model: string, outcome: 'success' | 'error' | 'skipped', code: string | null, latencyMs: number): void {
    this.attempts.push({ model, outcome, code, latencyMs: round(latencyMs) });
  }

  waited(ms: number): void {
    this.queueMs += ms;
  }

  /** The usage and cost so far (for quota charges). */
  current(): { usage: Usage; cost: Cost | null } {
    const usage = this.billableUsage();
    return { usage, cost: this.cost(usage) };
  }

  get isLogged(): boolean {
    return this.logged;
  }

  /** Records the failure (once) and returns it as a typed error. */
  fail(error: unknown): AiuError {
    const failure = toAiuError(error);
    if (failure.code === 'invalid_api_key') this.runtime.keys.rejected(this.provider, this.key);
    if (!this.logged) {
      const { record } = this.write(failure.code === 'aborted' ? 'aborted' : 'error', failure.code);
      // The entry as routes show it is built only for a listener (a date string, parsed JSON).
      if (this.runtime.events.has('request:error')) {
        this.runtime.events.emit('request:error', {
          requestId: this.requestId,
          entry: toLogEntry(record),
          error: { code: failure.code, message: failure.message },
        });
      }
    }
    return failure;
  }

  succeed(): Outcome {
    const { record, usage, cost } = this.write('success', null);
    if (this.request && this.runtime.events.has('request:success')) {
      this.runtime.events.emit('request:success', { requestId: this.requestId, entry: toLogEntry(record), request: this.request });
    }
    return { usage, cost, latencyMs: record.latencyMs, ttftMs: record.ttftMs };
  }

  /**
   * Provider usage when it came; otherwise, once anything was generated, an estimate of
   * the prompt and of what was generated so far — providers bill both for a stopped stream.
   * (Token reconciliation reads it alone: no price lookup.)
   */
  billableUsage(): Usage {
    if (this.usage) return this.usage;
    if (this.generatedChars === 0) return EMPTY_USAGE;
    const promptChars = this.request?.messages.reduce((total, m) => total + m.content.length, 0) ?? 0;
    return createUsage({ inputTokens: Math.ceil(promptChars / CHARS_PER_TOKEN), outputTokens: Math.ceil(this.generatedChars / CHARS_PER_TOKEN) });
  }

  private cost(usage: Usage): Cost | null {
    // A request that never reached a provider has no price to apply.
    if (this.provider === 'unknown') return null;
    const pricing = this.runtime.prices.lookup(this.model, this.reportedCostUsd === undefined);
    if (this.reportedCostUsd !== undefined) return costFromReportedTotal(this.reportedCostUsd, usage, pricing);
    return computeCost(usage, pricing);
  }

  /** What the cached tokens would have cost at the full input price, minus what they did cost. */
  private savedByCache(usage: Usage): number {
    if (usage.cachedInputTokens === 0 || this.provider === 'unknown') return 0;
    const pricing = this.runtime.prices.lookup(this.model, false);
    const actual = computeCost(usage, pricing);
    const uncached = computeCost({ ...usage, cachedInputTokens: 0 }, pricing);
    return actual && uncached ? Math.max(0, Math.round((uncached.input - actual.input) * 1e12) / 1e12) : 0;
  }

  private write(status: LogRecord['status'], errorCode: string | null): { record: LogRecord; usage: Usage; cost: Cost | null } {
    this.logged = true;
    const usage = this.billableUsage();
    const cost = this.cost(usage);
    const now = performance.now();
    const bodies = this.runtime.bodies;
    const record: LogRecord = {
      id: this.requestId,
      // Written, not started: newest-first pages then never skip an entry that finishes mid-walk.
      time: Date.now(),
      userId: this.identity.userId ?? null,
      projectId: this.identity.projectId ?? null,
      provider: this.provider,
      model: this.model,
      status,
      errorCode,
      attempts: Math.max(1, this.attempts.filter((a) => a.outcome !== 'skipped').length),
      ...usage,
      estimated: this.usage === null && this.generatedChars > 0,
      costInput: cost?.input ?? null,
      costOutput: cost?.output ?? null,
      costTotal: cost?.total ?? null,
      latencyMs: round(now - this.startedAt),
      ttftMs: this.firstTokenAt === undefined ? null : round(this.firstTokenAt - this.startedAt),
      queueMs: round(this.queueMs),
      attemptDetails: this.attempts.length ? JSON.stringify(this.attempts) : null,
      savedUsd: this.savedByCache(usage),
      prompt: bodies && this.request ? bodies(JSON.stringify(this.request.messages)) : null,
      response: bodies && this.request ? bodies(this.reply) : null,
      metadata: this.metadata ? JSON.stringify(this.metadata) : null,
    };
    this.runtime.log.write(record);
    this.runtime.inflight.leave(this.abort);
    return { record, usage, cost };
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
