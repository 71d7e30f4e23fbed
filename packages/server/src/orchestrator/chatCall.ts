import {
  AiuError,
  type ChatEvent,
  type ChatOptions,
  type ChatRequest,
  type ChatResult,
  type FinishReason,
  parseModelId,
} from '@aiu/core';
import type { Identity } from '../identity';
import type { Provider, ProviderCallContext, ProviderChatRequest, ProviderEvent } from '../providers/types';
import { CallRecorder, type CallRuntime } from './callRecorder';

export type ChatRuntime = CallRuntime;

interface Prepared {
  provider: Provider;
  providerRequest: ProviderChatRequest;
  context: ProviderCallContext;
  warnings: string[];
}

/**
 * One chat request from validation to its single log entry. Everything that can fail
 * before the provider accepted the call is thrown (and logged) before any byte is sent.
 */
export class ChatCall {
  private readonly recorder: CallRecorder;

  constructor(
    private readonly runtime: ChatRuntime,
    private readonly request: ChatRequest,
    private readonly identity: Identity,
    private readonly signal: AbortSignal,
  ) {
    this.recorder = new CallRecorder(runtime, identity, request, request.metadata);
    // Best effort for the log, so even a request that fails validation names its target.
    const colon = request.model.indexOf(':');
    if (colon > 0) this.recorder.target(request.model.slice(0, colon), request.model);
  }

  get requestId(): string {
    return this.recorder.requestId;
  }

  fail(error: unknown): AiuError {
    return this.recorder.fail(error);
  }

  private async prepare(): Promise<Prepared> {
    const { provider: providerId, model } = parseModelId(this.request.model);
    const provider = this.runtime.providers.get(providerId);
    this.recorder.target(provider.id, `${providerId}:${model}`);
    const { apiKey, stored } = await this.runtime.keys.resolve(this.identity, provider, this.request.keyAlias, 'chat');
    this.recorder.key = stored;
    const { options, warnings } = dropUnsupported(provider, this.request.options ?? {});
    this.recorder.started();
    return {
      provider,
      providerRequest: { model, messages: this.request.messages, options },
      context: { apiKey, signal: this.signal },
      warnings,
    };
  }

  /** Streams events; the first one yielded is `start`, the last `finish` (or an `error` once streaming). */
  async *stream(): AsyncGenerator<ChatEvent> {
    const recorder = this.recorder;
    let prepared: Prepared;
    let upstream: AsyncIterable<ProviderEvent>;
    try {
      prepared = await this.prepare();
      upstream = await prepared.provider.stream(prepared.providerRequest, prepared.context);
    } catch (error) {
      throw recorder.fail(error);
    }

    yield {
      type: 'start',
      requestId: recorder.requestId,
      model: recorder.model,
      provider: recorder.provider,
      ...(prepared.warnings.length ? { warnings: prepared.warnings } : {}),
    };

    let finishReason: FinishReason = 'other';
    let completed = false;
    try {
      for await (const event of upstream) {
        switch (event.type) {
          case 'text':
          case 'reasoning':
            recorder.generated(event.text);
            yield { type: event.type === 'text' ? 'delta' : 'reasoning', text: event.text };
            break;
          case 'usage':
            recorder.reportUsage(event.usage, event.costUsd);
            break;
          case 'finish':
            finishReason = event.finishReason;
            break;
        }
      }
      completed = true;
    } catch (error) {
      const failure = recorder.fail(error);
      if (failure.code !== 'aborted') {
        yield { type: 'error', code: failure.code, message: failure.message, retryable: failure.retryable };
      }
      return;
    } finally {
      // The consumer stopped reading (client gone) without an error reaching us.
      if (!completed && !recorder.isLogged) recorder.fail(new AiuError('aborted', 'The client stopped reading the stream.'));
    }

    const { usage, cost, latencyMs, ttftMs } = recorder.succeed();
    yield { type: 'finish', finishReason, usage, cost, latencyMs, ttftMs };
  }

  async complete(): Promise<ChatResult> {
    const recorder = this.recorder;
    try {
      const prepared = await this.prepare();
      const result = await prepared.provider.complete(prepared.providerRequest, prepared.context);
      recorder.generated(result.text + result.reasoning);
      recorder.reportUsage(result.usage, result.costUsd);
      const { usage, cost, latencyMs } = recorder.succeed();
      return {
        requestId: recorder.requestId,
        model: recorder.model,
        provider: recorder.provider,
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
      throw recorder.fail(error);
    }
  }
}

function dropUnsupported(provider: Provider, options: ChatOptions): { options: ChatOptions; warnings: string[] } {
  const warnings: string[] = [];
  const kept: ChatOptions = { ...options };
  for (const name of provider.unsupportedOptions ?? []) {
    if (kept[name] !== undefined) {
      delete kept[name];
      warnings.push(`${provider.id} does not support the option "${name}"; it was dropped.`);
    }
  }
  return { options: kept, warnings };
}
