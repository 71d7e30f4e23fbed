import {
  type AiuError,
  type ChatRequest,
  type Cost,
  type CostSource,
  computeCost,
  costFromReportedTotal,
  createUsage,
  EMPTY_USAGE,
  priceUsage,
  sumUsage,
  toAiuError,
  type Usage,
} from '@aiu/core';
import type { PriceBook } from '../catalog/priceBook';
import type { KeyResolver, ResolvedKey } from '../keyring/resolve';
import type { Emitter } from '../events';
import type { ClientKeys } from '../clientKeys/clientKeys';
import type { Identity } from '../identity';
import type { LogStep, LogToolCall } from '@aiu/core';
import { type LogRecord, toLogEntry } from '../log/types';
import type { LogWriter } from '../log/writer';
import type { Metrics } from '../metrics/metrics';
import type { CallLedger } from '../log/ledger';
import type { ProviderRegistry } from '../providers/registry';
import { newRequestId } from '../util/ids';
import type { InFlight } from './inFlight';
import type { GuardrailDecision, Guardrails } from '../guardrails/guardrails';

export interface CallRuntime {
  inflight: InFlight;
  /** Checks prompts before a call and, when configured, flags answers. */
  guardrails: Guardrails;
  /** Set with `logBodies`: redacts (and caps) a prompt or reply before it is logged. */
  bodies: ((text: string) => string) | null;
  providers: ProviderRegistry;
  keys: KeyResolver;
  /** Recognises client keys and holds each one's limits. */
  clientKeys: ClientKeys;
  prices: PriceBook;
  log: LogWriter;
  /** Where a call is recorded before it leaves, so a crash cannot lose it. */
  ledger: CallLedger;
  events: Emitter;
  env: Record<string, string | undefined>;
  /** With `metrics` on: counts every entry as it is written. */
  metrics: Metrics | null;
}

/** A provider's charge and the price data's may differ by rounding; beyond this share it is worth a warning. */
const DISAGREEMENT = 0.005;

/** Roughly four characters per token: only to bill an aborted stream that never got usage. */
const CHARS_PER_TOKEN = 4;

/** A finished model step, as the log keeps it. */
interface StepRecord extends Priced {
  model: string;
  finishReason: string;
  usage: Usage;
  latencyMs: number;
}

/** A step's cost, where it came from, and — when the provider charged it — the price data's figure beside it. */
interface Priced {
  cost: Cost | null;
  source: CostSource | null;
  catalogUsd: number | null;
}

const UNPRICED: Priced = { cost: null, source: null, catalogUsd: null };

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
  /** Steps finished before the current one: each priced at its own tier, then summed. */
  private readonly steps: StepRecord[] = [];
  private stepStartedAt = this.startedAt;
  private readonly toolCalls: LogToolCall[] = [];
  /** What the guardrails decided about the prompt (the answer's are added when it is logged). */
  private decisions: GuardrailDecision[] = [];
  /** The prompt as the estimate of an unfinished step counts it (the conversation grows with each step). */
  private promptTokens: (() => number) | undefined;

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

  /**
   * Before the first byte leaves for the provider: the entry a crash would leave — status
   * `interrupted`, the prompt's estimated tokens, no output — kept until the real entry replaces it.
   */
  beginInFlight(): void | Promise<void> {
    return this.runtime.ledger.begin(() => {
      const usage = createUsage({ inputTokens: this.promptTokens?.() ?? 0, outputTokens: 0 });
      return this.recordOf('interrupted', 'interrupted', { usage, ...this.priceOf(usage) }, true);
    });
  }

  /** How to estimate the current step's prompt, should it end without usage. */
  estimatePromptWith(estimate: () => number): void {
    this.promptTokens = estimate;
  }

  /** A model step is over: its usage and cost are kept apart, and the next step starts counting from zero. */
  endStep(finishReason: string): { usage: Usage; cost: Cost | null } {
    const usage = this.stepUsage();
    const priced = this.priceOf(usage);
    const now = performance.now();
    this.steps.push({ model: this.model, finishReason, usage, ...priced, latencyMs: round(now - this.stepStartedAt) });
    this.stepStartedAt = now;
    this.usage = null;
    this.reportedCostUsd = undefined;
    this.generatedChars = 0;
    return { usage, cost: priced.cost };
  }

  get stepCount(): number {
    return this.steps.length;
  }

  guarded(decisions: GuardrailDecision[]): void {
    this.decisions = this.decisions.length ? [...this.decisions, ...decisions] : decisions;
  }

  toolCall(record: LogToolCall): void {
    this.toolCalls.push(record);
  }

  generated(text: string): void {
    this.firstTokenAt ??= performance.now();
    this.generatedChars += text.length;
    if (this.runtime.bodies || this.runtime.guardrails.checksAnswers) this.reply += text;
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

  /** The usage and cost so far, every step's (for quota charges). */
  current(): { usage: Usage; cost: Cost | null } {
    const { usage, cost } = this.totals();
    return { usage, cost };
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
   * Every step's usage: the finished ones as the provider reported them; the current one as
   * reported, or — once anything was generated — estimated from the prompt and what was
   * generated so far (providers bill both for a stopped stream). Token reconciliation reads it
   * alone: no price lookup.
   */
  billableUsage(): Usage {
    const current = this.stepUsage();
    if (this.steps.length === 0) return current;
    return sumUsage([...this.steps.map((step) => step.usage), current]);
  }

  /** The current step's usage: reported, estimated, or nothing yet. */
  private stepUsage(): Usage {
    if (this.usage) return this.usage;
    if (this.generatedChars === 0) return EMPTY_USAGE;
    const promptTokens = this.promptTokens?.() ?? 0;
    return createUsage({ inputTokens: promptTokens, outputTokens: Math.ceil(this.generatedChars / CHARS_PER_TOKEN) });
  }

  /** Usage and cost of the whole call: the finished steps and the current one, each priced on its own. */
  private totals(): Priced & { usage: Usage } {
    const current = this.stepUsage();
    const currentPriced = this.priceOf(current);
    if (this.steps.length === 0) return { usage: current, ...currentPriced };
    const parts = current.totalTokens > 0 ? [...this.steps, { usage: current, ...currentPriced }] : this.steps;
    return { usage: sumUsage(parts.map((part) => part.usage)), ...sumPriced(parts) };
  }

  /**
   * A step's cost: the provider's own figure when it billed the call itself (the price data's
   * kept beside it), else usage at the price data's or the override's price. A dimension the
   * price does not cover makes the cost null, with a warning naming it.
   */
  private priceOf(usage: Usage): Priced {
    // A request that never reached a provider has no price to apply.
    if (this.provider === 'unknown') return UNPRICED;
    const reported = this.reportedCostUsd;
    const prices = this.runtime.prices;
    const found = prices.find(this.model, reported === undefined);
    const catalog = found ? priceUsage(usage, found.pricing) : null;
    if (reported !== undefined) {
      const catalogUsd = catalog?.cost?.total ?? null;
      if (catalogUsd !== null && Math.abs(reported - catalogUsd) > DISAGREEMENT * catalogUsd) prices.warnDisagreement(this.model, reported, catalogUsd);
      return { cost: costFromReportedTotal(reported, usage, found?.pricing), source: 'provider', catalogUsd };
    }
    if (!found || !catalog) return UNPRICED;
    if (catalog.missing.length) prices.warnUnpriced(this.model, catalog.missing);
    return catalog.cost ? { cost: catalog.cost, source: found.source, catalogUsd: null } : UNPRICED;
  }

  /** What the cached tokens would have cost at the full input price, minus what they did cost. */
  private savedByCache(usage: Usage): number {
    if (usage.cachedInputTokens === 0 || this.provider === 'unknown') return 0;
    const pricing = this.runtime.prices.lookup(this.model, false);
    const actual = computeCost(usage, pricing);
    const uncached = computeCost({ ...usage, cachedInputTokens: 0 }, pricing);
    return actual && uncached ? Math.max(0, Math.round((uncached.input - actual.input) * 1e12) / 1e12) : 0;
  }

  /** Guardrail decisions as stored: the prompt's, and — for an answer that finished — the answer's flags. */
  private guardrailsJson(status: LogRecord['status']): string | null {
    const decisions = status === 'success' ? [...this.decisions, ...this.runtime.guardrails.checkAnswer(this.reply)] : this.decisions;
    return decisions.length ? JSON.stringify(decisions) : null;
  }

  private write(status: LogRecord['status'], errorCode: string | null): { record: LogRecord; usage: Usage; cost: Cost | null } {
    this.logged = true;
    const totals = this.totals();
    const record = this.recordOf(status, errorCode, totals, this.usage === null && this.generatedChars > 0);
    this.runtime.log.write(record);
    this.runtime.metrics?.observe(record);
    this.runtime.inflight.leave(this.abort);
    return { record, usage: totals.usage, cost: totals.cost };
  }

  private recordOf(status: LogRecord['status'], errorCode: string | null, totals: Priced & { usage: Usage }, estimated: boolean): LogRecord {
    const { usage, cost, source, catalogUsd } = totals;
    const now = performance.now();
    const bodies = this.runtime.bodies;
    return {
      id: this.requestId,
      // Written, not started: newest-first pages then never skip an entry that finishes mid-walk.
      time: Date.now(),
      userId: this.identity.userId ?? null,
      projectId: this.identity.projectId ?? null,
      clientKeyId: this.identity.clientKeyId ?? null,
      provider: this.provider,
      model: this.model,
      status,
      errorCode,
      attempts: Math.max(1, this.attempts.filter((a) => a.outcome !== 'skipped').length),
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      cachedInputTokens: usage.cachedInputTokens,
      cacheWriteTokens: usage.cacheWriteTokens,
      reasoningTokens: usage.reasoningTokens,
      totalTokens: usage.totalTokens,
      estimated,
      costInput: cost?.input ?? null,
      costOutput: cost?.output ?? null,
      costTotal: cost?.total ?? null,
      costSource: source,
      catalogCost: catalogUsd,
      costAudio: cost?.audio ?? null,
      costServerTools: cost?.serverTools ?? null,
      cacheWrite1hTokens: usage.cacheWrite1hTokens ?? null,
      audioInputTokens: usage.audioInputTokens ?? null,
      audioOutputTokens: usage.audioOutputTokens ?? null,
      imageInputTokens: usage.imageInputTokens ?? null,
      toolUsePromptTokens: usage.toolUsePromptTokens ?? null,
      serverToolRequests: usage.serverToolRequests ? JSON.stringify(usage.serverToolRequests) : null,
      serviceTier: usage.serviceTier ?? null,
      latencyMs: round(now - this.startedAt),
      ttftMs: this.firstTokenAt === undefined ? null : round(this.firstTokenAt - this.startedAt),
      queueMs: round(this.queueMs),
      attemptDetails: this.attempts.length ? JSON.stringify(this.attempts) : null,
      savedUsd: this.savedByCache(usage),
      prompt: bodies && this.request ? bodies(JSON.stringify(this.request.messages, withoutInlineData)) : null,
      response: bodies && this.request ? bodies(this.reply) : null,
      metadata: this.metadata ? JSON.stringify(this.metadata) : null,
      stepDetails: this.steps.length > 1 ? JSON.stringify(this.steps.map(stepDetail)) : null,
      toolCallDetails: this.toolCalls.length ? JSON.stringify(this.toolCalls) : null,
      guardrails: this.guardrailsJson(status),
    };
  }
}

function stepDetail(step: StepRecord, index: number): LogStep {
  return {
    step: index + 1,
    model: step.model,
    finishReason: step.finishReason,
    inputTokens: step.usage.inputTokens,
    outputTokens: step.usage.outputTokens,
    costUsd: step.cost?.total ?? null,
    latencyMs: step.latencyMs,
  };
}

/** A sum of costs, null when any part's price is unknown (never a partial figure passed off as the whole). */
export function sumCost(costs: ReadonlyArray<Cost | null>): Cost | null {
  let input = 0;
  let output = 0;
  let audio: number | undefined;
  let serverTools: number | undefined;
  for (const cost of costs) {
    if (!cost) return null;
    input += cost.input;
    output += cost.output;
    if (cost.audio !== undefined) audio = (audio ?? 0) + cost.audio;
    if (cost.serverTools !== undefined) serverTools = (serverTools ?? 0) + cost.serverTools;
  }
  const sum: Cost = { input: round12(input), output: round12(output), total: round12(input + output), currency: 'USD' };
  if (audio !== undefined) sum.audio = round12(audio);
  if (serverTools !== undefined) sum.serverTools = round12(serverTools);
  return sum;
}

/** Steps' costs as one: the sum, the strongest source (a provider's charge, then an override), the price data's figures summed. */
function sumPriced(parts: ReadonlyArray<Priced>): Priced {
  const cost = sumCost(parts.map((part) => part.cost));
  if (!cost) return UNPRICED;
  const sources = new Set(parts.map((part) => part.source));
  const source: CostSource = sources.has('provider') ? 'provider' : sources.has('override') ? 'override' : 'catalog';
  let catalogUsd: number | null = null;
  if (source === 'provider') {
    catalogUsd = 0;
    for (const part of parts) {
      const figure = part.source === 'provider' ? part.catalogUsd : (part.cost?.total ?? null);
      if (figure === null) {
        catalogUsd = null;
        break;
      }
      catalogUsd += figure;
    }
    if (catalogUsd !== null) catalogUsd = round12(catalogUsd);
  }
  return { cost, source, catalogUsd };
}

function round12(value: number): number {
  return Math.round(value * 1e12) / 1e12;
}

/** Images and files in a logged prompt are named, not copied: their bytes would be most of the log. */
function withoutInlineData(key: string, value: unknown): unknown {
  if ((key === 'image' || key === 'data') && typeof value === 'string' && value.length > 256) return `[${value.startsWith('data:') ? value.slice(5, value.indexOf(';')) : 'inline data'}, ${value.length} characters]`;
  return value;
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}
