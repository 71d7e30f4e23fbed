import type { ChatEvent, ChatResult, Cost, FinishReason, ProviderMetadata, Usage } from '@aiu/core';
import { frame, LastFrame, type Piece, PieceBuilder, piecesBound } from '../../util/pieceBuilder';

/** Anthropic's usage: its `input_tokens` leaves out cache reads and writes, which aiu's includes. `cost` is aiu's exact figure. */
export function anthropicUsage(usage: Usage, cost: Cost | null): Record<string, unknown> {
  return {
    input_tokens: Math.max(0, usage.inputTokens - usage.cachedInputTokens - usage.cacheWriteTokens),
    output_tokens: usage.outputTokens,
    cache_read_input_tokens: usage.cachedInputTokens,
    cache_creation_input_tokens: usage.cacheWriteTokens,
    ...(usage.cacheWrite1hTokens === undefined
      ? {}
      : { cache_creation: { ephemeral_5m_input_tokens: usage.cacheWrite5mTokens ?? 0, ephemeral_1h_input_tokens: usage.cacheWrite1hTokens } }),
    ...(usage.reasoningTokens > 0 ? { output_tokens_details: { thinking_tokens: usage.reasoningTokens } } : {}),
    ...(usage.serverToolRequests
      ? {
          server_tool_use: {
            web_search_requests: usage.serverToolRequests.webSearch ?? 0,
            web_fetch_requests: usage.serverToolRequests.webFetch ?? 0,
            ...(usage.serverToolRequests.codeExecution ? { code_execution_requests: usage.serverToolRequests.codeExecution } : {}),
          },
        }
      : {}),
    ...(usage.serviceTier === undefined ? {} : { service_tier: usage.serviceTier }),
    cost: cost?.total ?? null,
  };
}

export function anthropicStopReason(reason: FinishReason): string {
  if (reason === 'length') return 'max_tokens';
  if (reason === 'tool_calls') return 'tool_use';
  if (reason === 'content_filter') return 'refusal';
  return 'end_turn';
}

function anthropicOwn(metadata: ProviderMetadata | undefined): { signature?: unknown; redactedData?: unknown } | undefined {
  return (metadata as { anthropic?: { signature?: unknown; redactedData?: unknown } } | undefined)?.anthropic;
}

/** A whole answer as a `message`. Only the client's tool calls show: server tools ran inside the call. */
export function toMessage(result: ChatResult, clientTools: ReadonlySet<string>): Record<string, unknown> {
  const content: Array<Record<string, unknown>> = [];
  for (const part of result.reasoningParts ?? (result.reasoning ? [{ text: result.reasoning }] : [])) {
    const own = anthropicOwn((part as { providerMetadata?: ProviderMetadata }).providerMetadata);
    if (typeof own?.redactedData === 'string') content.push({ type: 'redacted_thinking', data: own.redactedData });
    else content.push({ type: 'thinking', thinking: part.text, signature: typeof own?.signature === 'string' ? own.signature : '' });
  }
  if (result.text) content.push({ type: 'text', text: result.text });
  for (const call of result.toolCalls ?? []) if (clientTools.has(call.toolName)) content.push({ type: 'tool_use', id: call.toolCallId, name: call.toolName, input: call.input ?? {} });
  return {
    id: result.requestId,
    type: 'message',
    role: 'assistant',
    model: result.model,
    content,
    stop_reason: anthropicStopReason(result.finishReason),
    stop_sequence: null,
    usage: anthropicUsage(result.usage, result.cost),
  };
}

const TEXT_DELTA_TAIL = frame('}}\n\n');
/** Around a text piece's JSON string: its head (with an index of a few digits) and tail. */
const TEXT_DELTA_FRAME = 104;

type BlockKind = 'text' | 'thinking' | 'tool_use';

/**
 * aiu's events as Anthropic's stream: `message_start`, then each content block opened, filled
 * (`text_delta`, `thinking_delta` and `signature_delta`, `input_json_delta`) and closed in turn,
 * `message_delta` with the stop reason and the usage of every step, `message_stop`.
 */
export class MessageEventEncoder {
  private index = -1;
  private open: { kind: BlockKind; toolCallId?: string } | undefined;
  private readonly started = new Set<string>();
  /** A text piece's frame in the open block, before its JSON string: made once per block. */
  private readonly textDeltaHead = new LastFrame((index: number) => `event: content_block_delta\ndata: {"type":"content_block_delta","index":${index},"delta":{"type":"text_delta","text":`);

  constructor(
    private readonly requestId: string,
    private readonly model: string,
    private readonly clientTools: ReadonlySet<string>,
  ) {}

  private event(type: string, data: Record<string, unknown>): string {
    return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  }

  opening(): string {
    return this.event('message_start', {
      message: { id: this.requestId, type: 'message', role: 'assistant', model: this.model, content: [], stop_reason: null, stop_sequence: null, usage: { input_tokens: 0, output_tokens: 0 } },
    });
  }

  private close(): string {
    if (!this.open) return '';
    this.open = undefined;
    return this.event('content_block_stop', { index: this.index });
  }

  private begin(kind: BlockKind, block: Record<string, unknown>, toolCallId?: string): string {
    const closed = this.close();
    this.index += 1;
    this.open = toolCallId ? { kind, toolCallId } : { kind };
    return closed + this.event('content_block_start', { index: this.index, content_block: block });
  }

  private into(kind: BlockKind, block: Record<string, unknown>): string {
    return this.open?.kind === kind ? '' : this.begin(kind, block);
  }

  encode(events: readonly ChatEvent[]): Piece {
    const out = new PieceBuilder(piecesBound(events, TEXT_DELTA_FRAME));
    for (const event of events) {
      if (event.type !== 'delta') {
        out.text(this.encodeOther(event));
      } else if (event.text) {
        out.text(this.into('text', { type: 'text', text: '' }));
        out.framed(this.textDeltaHead.of(this.index), event.text, TEXT_DELTA_TAIL);
      }
    }
    return out.take();
  }

  /** Every event but a text piece, as text: a few per stream. */
  private encodeOther(event: ChatEvent): string {
    let text = '';
    switch (event.type) {
      case 'reasoning': {
        const own = anthropicOwn(event.providerMetadata);
        if (typeof own?.redactedData === 'string') {
          text += this.begin('thinking', { type: 'redacted_thinking', data: own.redactedData }) + this.close();
          break;
        }
        if (event.text) text += this.into('thinking', { type: 'thinking', thinking: '', signature: '' }) + this.event('content_block_delta', { index: this.index, delta: { type: 'thinking_delta', thinking: event.text } });
        // The signature ends its thinking block (Anthropic sends it last).
        if (typeof own?.signature === 'string') text += this.into('thinking', { type: 'thinking', thinking: '', signature: '' }) + this.event('content_block_delta', { index: this.index, delta: { type: 'signature_delta', signature: own.signature } }) + this.close();
        break;
      }
      case 'tool-input-start':
        if (!this.clientTools.has(event.toolName)) break;
        this.started.add(event.toolCallId);
        text += this.begin('tool_use', { type: 'tool_use', id: event.toolCallId, name: event.toolName, input: {} }, event.toolCallId);
        break;
      case 'tool-input-delta':
        if (this.open?.toolCallId === event.toolCallId && event.delta) text += this.event('content_block_delta', { index: this.index, delta: { type: 'input_json_delta', partial_json: event.delta } });
        break;
      case 'tool-call':
        if (!this.clientTools.has(event.toolName)) break;
        if (!this.started.has(event.toolCallId)) {
          // A call the provider sent whole: its block in one piece.
          text += this.begin('tool_use', { type: 'tool_use', id: event.toolCallId, name: event.toolName, input: {} }, event.toolCallId);
          text += this.event('content_block_delta', { index: this.index, delta: { type: 'input_json_delta', partial_json: JSON.stringify(event.input ?? {}) } });
        }
        if (this.open?.toolCallId === event.toolCallId) text += this.close();
        break;
      case 'finish':
        text += this.close();
        text += this.event('message_delta', { delta: { stop_reason: anthropicStopReason(event.finishReason), stop_sequence: null }, usage: anthropicUsage(event.usage, event.cost) });
        text += this.event('message_stop', {});
        break;
      case 'error':
        text += this.close() + this.event('error', { error: { type: event.retryable ? 'api_error' : 'invalid_request_error', message: event.message } });
        break;
      default:
        break;
    }
    return text;
  }
}
