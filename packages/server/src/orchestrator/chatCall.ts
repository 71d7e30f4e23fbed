import {
  AiuError,
  type ChatEvent,
  type ChatOptions,
  type ChatRequest,
  type ChatResult,
  computeCost,
  createUsage,
  type Cost,
  type FinishReason,
  type LogEntry,
  parseModelId,
  toAiuError,
  type Usage,
  EMPTY_USAGE,
  MissingApiKeyError,
} from '@aiu/core';
import type { PriceBook } from '../catalog/priceBook';
import type { Emitter } from '../events';
import type { Identity } from '../identity';
import type { LogWriter } from '../log/writer';
import { toLogEntry, type LogRecord } from '../log/types';
import type { ProviderRegistry } from '../providers/registry';
import type { Provider, ProviderCallContext, ProviderChatRequest, ProviderEvent } from '../providers/types';
import { newRequestId } from '../util/ids';

export interface ChatRuntime {
  providers: ProviderRegistry;
  prices: PriceBook;
  log: LogWriter;
  events: Emitter;
  env: Record<string, string | undefined>;
}

interface Prepared {
  provider: Provider;
  modelId: string;
  providerRequest: ProviderChatRequest;
  context: ProviderCallContext;
  warnings: string[];
}

/** Roughly four characters per token: only for billing an aborted stream that never got usage. */
const CHARS_PER_TOKEN = 4;

/**
 * One chat request from validation to its single log entry. Everything that can fail
 * before the provider accepted the call is thrown (and logged) before any byte is sent.
 */
export class ChatCall {
  readonly requestId = newRequestId();
  private readonly startedAt = performance.now();
  private readonly startedAtEpoch = Date.now();
  private firstTokenAt: number | undefined;
  private provider = 'unknown';
  private model = 'unknown';
  private usage: Usage | null = null;
  private generatedChars = 0;
  private logged = false;

  constructor(
    private readonly runtime: ChatRuntime,
    private readonly request: ChatRequest,
    private readonly identity: Identity,
    private readonly signal: AbortSignal,
  ) {
    // Best effort for the log, so even a request that fails validation names its target.
    const colon = request.model.indexOf(':');
    if (colon > 0) {
      this.provider = request.model.slice(0, colon);
      this.model = request.model;
    }
  }

  private prepare(): Prepared {
    const { provider: providerId, model } = parseModelId(this.request.model);
    const provider = this.runtime.providers.get(providerId);
    const apiKey = this.resolveKey(provider);
    const { options, warnings } = dropUnsupported(provider, this.request.options ?? {});
    return {
      provider,
      modelId: `${providerId}:${model}`,
      providerRequest: { model, messages: this.request.messages, options },
      context: { apiKey, signal: this.signal },
      warnings,
    };
  }

  private resolveKey(provider: Provider): string | undefined {
    const key = this.runtime.providers.configuredKey(provider, this.runtime.env);
    if (!key && provider.requiresKey) {
      const ways = [`pass providers.${provider.id}.apiKey to createAiu`];
      if (provider.envKey) ways.push(`set ${provider.envKey}`);
      throw new MissingApiKeyError(`No API key for ${provider.id}. To add one, ${ways.join(' or ')}.`);
    }
    return key;
  }

  /** Streams events; the first one yielded is `start`, the last `finish` (or an `error` once streaming). */
  async *stream(): AsyncGenerator<ChatEvent> {
    let prepared: Prepared;
    let upstream: AsyncIterable<ProviderEvent>;
    try {
      prepared = this.prepare();
      this.provider = prepared.provider.id;
      this.model = prepared.modelId;
      this.emitStart();
      upstream = await prepared.provider.stream(prepared.providerRequest, prepared.context);
    } catch (error) {
      throw this.fail(error);
    }

    yield {
      type: 'start',
      requestId: this.requestId,
      model: this.model,
      provider: this.provider,
      ...(prepared.warnings.length ? { warnings: prepared.warnings } : {}),
    };

    let finishReason: FinishReason = 'other';
    let completed = false;
    try {
      for await (const event of upstream) {
        switch (event.type) {
          case 'text':
          case 'reasoning':
            this.firstTokenAt ??= performance.now();
            this.generatedChars += event.text.length;
            yield { type: event.type === 'text' ? 'delta' : 'reasoning', text: event.text };
            break;
          case 'usage':
            this.usage = event.usage;
            break;
          case 'finish':
            finishReason = event.finishReason;
            break;
        }
      }
      completed = true;
    } catch (error) {
      const failure = this.fail(error);
      if (failure.code !== 'aborted') {
        yield { type: 'error', code: failure.code, message: failure.message, retryable: failure.retryable };
      }
      return;
    } finally {
      // The consumer stopped reading (client gone) without an error reaching us.
      if (!completed && !this.logged) this.fail(new AiuError('aborted', 'The client stopped reading the stream.'));
    }

    const { usage, cost, latencyMs, ttftMs } = this.succeed();
    yield { type: 'finish', finishReason, usage, cost, latencyMs, ttftMs };
  }

  async complete(): Promise<ChatResult> {
    let prepared: Prepared;
    try {
      prepared = this.prepare();
      this.provider = prepared.provider.id;
      this.model = prepared.modelId;
      this.emitStart();
      const result = await prepared.provider.complete(prepared.providerRequest, prepared.context);
      this.firstTokenAt = performance.now();
      this.usage = result.usage;
      this.generatedChars = result.text.length + result.reasoning.length;
      const { usage, cost, latencyMs } = this.succeed();
      return {
        requestId: this.requestId,
        model: this.model,
        provider: this.provider,
        text: result.text,
        ...(result.reasoning ? { reasoning: result.reasoning } : {}),
        finishReason: result.finishReason,
        usage,
        cost,
        latencyMs,
        ttftMs: null,
        ...(prepared.warnings.length ? { warnings: prepared.warnings } : {}),
      };
    } catch (error) {
      throw this.fail(error);
    }
  }

  /** Records a failure before or during the call and returns it as a typed error. */
  fail(error: unknown): AiuError {
    const failure = toAiuError(error);
    if (!this.logged) {
      const status = failure.code === 'aborted' ? 'aborted' : 'error';
      const entry = this.writeLog(status, failure.code, this.billableUsage());
      this.runtime.events.emit('request:error', {
        requestId: this.requestId,
        entry,
        error: { code: failure.code, message: failure.message },
      });
    }
    return failure;
  }

  private succeed(): { usage: Usage; cost: Cost | null; latencyMs: number; ttftMs: number | null } {
    const usage = this.billableUsage();
    const entry = this.writeLog('success', null, usage);
    this.runtime.events.emit('request:success', { requestId: this.requestId, entry, request: this.request });
    return { usage, cost: entry.cost, latencyMs: entry.latencyMs, ttftMs: entry.ttftMs };
  }

  /** Provider usage when it came; otherwise an estimate of what was generated, since providers bill it. */
  private billableUsage(): Usage {
    if (this.usage) return this.usage;
    if (this.generatedChars === 0) return EMPTY_USAGE;
    return createUsage({ inputTokens: 0, outputTokens: Math.ceil(this.generatedChars / CHARS_PER_TOKEN) });
  }

  private emitStart(): void {
    this.runtime.events.emit('request:start', {
      requestId: this.requestId,
      model: this.model,
      provider: this.provider,
      identity: this.identity,
    });
  }

  private writeLog(status: LogRecord['status'], errorCode: string | null, usage: Usage): LogEntry {
    this.logged = true;
    const now = performance.now();
    // A request that never reached a provider has no price to apply.
    const cost = this.provider === 'unknown' ? null : computeCost(usage, this.runtime.prices.lookup(this.model));
    const record: LogRecord = {
      id: this.requestId,
      time: this.startedAtEpoch,
      userId: this.identity.userId ?? null,
      projectId: this.identity.projectId ?? null,
      provider: this.provider,
      model: this.model,
      status,
      errorCode,
      attempts: 1,
      ...usage,
      estimated: this.usage === null && this.generatedChars > 0,
      costInput: cost?.input ?? null,
      costOutput: cost?.output ?? null,
      costTotal: cost?.total ?? null,
      latencyMs: round(now - this.startedAt),
      ttftMs: this.firstTokenAt === undefined ? null : round(this.firstTokenAt - this.startedAt),
      metadata: this.request.metadata ? JSON.stringify(this.request.metadata) : null,
    };
    this.runtime.log.write(record);
    return toLogEntry(record);
  }
}

function round(ms: number): number {
  return Math.round(ms * 100) / 100;
}

function dropUnsupported(provider: Provider, options: ChatOptions): { options: ChatOptions; warnings: string[] } {
  const unsupported = provider.unsupportedOptions ?? [];
  const warnings: string[] = [];
  const kept: ChatOptions = { ...options };
  for (const name of unsupported) {
    if (kept[name] !== undefined) {
      delete kept[name];
      warnings.push(`${provider.id} does not support the option "${name}"; it was dropped.`);
    }
  }
  return { options: kept, warnings };
}
