import type { ChatEvent, ChatResult, Cost, FinishReason, ToolCall, Usage } from '@aiu/core';
import { type Frame, frame, LastFrame, type Piece, PieceBuilder, piecesBound } from '../../util/pieceBuilder';

const CONTENT_TAIL = frame('},"finish_reason":null}]}\n\n');
const ARGUMENTS_TAIL = frame('}}]},"finish_reason":null}]}\n\n');

/** OpenAI's usage, with aiu's exact cost as `cost` (USD, as OpenRouter reports it): SDKs keep unknown fields. */
export function openAIUsage(usage: Usage, cost: Cost | null): Record<string, unknown> {
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.totalTokens,
    prompt_tokens_details: {
      cached_tokens: usage.cachedInputTokens,
      ...(usage.audioInputTokens === undefined ? {} : { audio_tokens: usage.audioInputTokens }),
      ...(usage.imageInputTokens === undefined ? {} : { image_tokens: usage.imageInputTokens }),
    },
    completion_tokens_details: {
      reasoning_tokens: usage.reasoningTokens,
      ...(usage.audioOutputTokens === undefined ? {} : { audio_tokens: usage.audioOutputTokens }),
    },
    cost: cost?.total ?? null,
  };
}

/** OpenAI puts the tier that served the call beside `usage`, not in it. */
export function openAIServiceTier(usage: Usage): Record<string, unknown> {
  return usage.serviceTier === undefined ? {} : { service_tier: usage.serviceTier };
}

export function openAIFinishReason(reason: FinishReason): string {
  return reason === 'other' ? 'stop' : reason;
}

function toolCallOf(call: Pick<ToolCall, 'toolCallId' | 'toolName' | 'input'>): Record<string, unknown> {
  return { id: call.toolCallId, type: 'function', function: { name: call.toolName, arguments: JSON.stringify(call.input ?? {}) } };
}

/** A whole answer as `chat.completion`. Only the client's tool calls show: server tools ran inside the call. */
export function toCompletion(result: ChatResult, clientTools: ReadonlySet<string>): Record<string, unknown> {
  const calls = (result.toolCalls ?? []).filter((call) => clientTools.has(call.toolName));
  return {
    id: result.requestId,
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: result.model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: result.text || (calls.length ? null : ''),
          refusal: null,
          ...(result.reasoning ? { reasoning_content: result.reasoning } : {}),
          ...(calls.length ? { tool_calls: calls.map(toolCallOf) } : {}),
        },
        logprobs: null,
        finish_reason: openAIFinishReason(result.finishReason),
      },
    ],
    usage: openAIUsage(result.usage, result.cost),
    ...openAIServiceTier(result.usage),
  };
}

/**
 * aiu's events as `chat.completion.chunk`s, in the order OpenAI sends them: the role first, then
 * content and tool-call pieces (each call by its index, id and name on its first piece), a chunk
 * with the finish reason, usage in a last chunk of its own when asked for, and `[DONE]`. Server
 * tools' calls and results stay inside the call, as in a JSON answer.
 */
export class ChunkEncoder {
  private readonly toolIndexes = new Map<string, number>();
  private readonly base: string;
  /** A text piece's chunk before its JSON string: nearly every chunk of a stream, so made once. */
  private readonly contentHead: Frame;
  /** A tool call's `arguments` piece before its JSON string: made once per call. */
  private readonly argumentsHead = new LastFrame((index: number) => `${this.base}"choices":[{"index":0,"delta":{"tool_calls":[{"index":${index},"function":{"arguments":`);

  constructor(
    requestId: string,
    model: string,
    private readonly clientTools: ReadonlySet<string>,
    private readonly includeUsage: boolean,
  ) {
    this.base = `data: {"id":${JSON.stringify(requestId)},"object":"chat.completion.chunk","created":${Math.floor(Date.now() / 1000)},"model":${JSON.stringify(model)},`;
    this.contentHead = frame(`${this.base}"choices":[{"index":0,"delta":{"content":`);
  }

  private chunk(delta: Record<string, unknown>, finishReason: string | null = null): string {
    return `${this.base}"choices":[{"index":0,"delta":${JSON.stringify(delta)},"finish_reason":${finishReason === null ? 'null' : JSON.stringify(finishReason)}}]}\n\n`;
  }

  /** The first chunk: the assistant's role. */
  opening(): string {
    return this.chunk({ role: 'assistant', content: '', refusal: null });
  }

  private startCall(toolCallId: string, toolName: string, args: string): string {
    const index = this.toolIndexes.size;
    this.toolIndexes.set(toolCallId, index);
    return this.chunk({ tool_calls: [{ index, id: toolCallId, type: 'function', function: { name: toolName, arguments: args } }] });
  }

  encode(events: readonly ChatEvent[]): Piece {
    const out = new PieceBuilder(piecesBound(events, this.contentHead.bytes.length + ARGUMENTS_TAIL.bytes.length));
    for (const event of events) {
      if (event.type === 'delta') {
        if (event.text) out.framed(this.contentHead, event.text, CONTENT_TAIL);
      } else if (event.type === 'tool-input-delta') {
        const index = this.toolIndexes.get(event.toolCallId);
        if (index !== undefined && event.delta) out.framed(this.argumentsHead.of(index), event.delta, ARGUMENTS_TAIL);
      } else {
        out.text(this.encodeOther(event));
      }
    }
    return out.take();
  }

  /** Every event but a text or tool-input piece, as text: a few per stream. */
  private encodeOther(event: ChatEvent): string {
    switch (event.type) {
      case 'reasoning':
        return event.text ? this.chunk({ reasoning_content: event.text }) : '';
      case 'tool-input-start':
        return this.clientTools.has(event.toolName) ? this.startCall(event.toolCallId, event.toolName, '') : '';
      case 'tool-call':
        // A call the provider sent whole (no pieces streamed): announced in one chunk.
        return this.clientTools.has(event.toolName) && !this.toolIndexes.has(event.toolCallId) ? this.startCall(event.toolCallId, event.toolName, JSON.stringify(event.input ?? {})) : '';
      case 'finish': {
        let text = this.chunk({}, openAIFinishReason(event.finishReason));
        if (this.includeUsage) {
          const tier = event.usage.serviceTier === undefined ? '' : `,"service_tier":${JSON.stringify(event.usage.serviceTier)}`;
          text += `${this.base}"choices":[],"usage":${JSON.stringify(openAIUsage(event.usage, event.cost))}${tier}}\n\n`;
        }
        return `${text}data: [DONE]\n\n`;
      }
      case 'error':
        // What the SDKs raise as an APIError mid-stream.
        return `data: ${JSON.stringify({ error: { message: event.message, type: event.retryable ? 'server_error' : 'invalid_request_error', param: null, code: event.code } })}\n\n`;
      default:
        return '';
    }
  }
}
