import { type FinishReason, StreamTruncatedError } from '@aiu/core';
import { errorFromBody, parseStreamJson, sseEventBatches, type UpstreamRequest } from '../http';
import { ToolCallAssembler } from '../toolCalls';
import type { UpstreamResponse } from '../transport';
import type { ProviderEvent } from '../types';
import { normalizeOpenAIUsage, reportedCost } from './usage';

/** Content as most services send it (a string), or as Mistral's reasoning models do: typed parts. */
export type ContentWire = string | null | undefined | Array<{ type?: string; text?: string; thinking?: string | Array<{ type?: string; text?: string }> }>;

export interface ToolCallDeltaWire {
  index?: number;
  id?: string;
  type?: string;
  function?: { name?: string; arguments?: string };
}

interface ChunkWire {
  choices?: Array<{
    delta?: { content?: ContentWire; reasoning_content?: string | null; reasoning?: string | null; tool_calls?: ToolCallDeltaWire[] } | null;
    finish_reason?: string | null;
  }>;
  usage?: unknown;
  service_tier?: unknown;
  /** Groq puts stream usage under `x_groq.usage`. */
  x_groq?: { usage?: unknown };
  error?: unknown;
}

export function mapFinishReason(reason: string | null | undefined): FinishReason {
  switch (reason) {
    case 'stop':
      return 'stop';
    case 'length':
      return 'length';
    case 'content_filter':
      return 'content_filter';
    case 'tool_calls':
    case 'function_call':
      return 'tool_calls';
    default:
      return 'other';
  }
}

/** Text and reasoning of a content value: Mistral's `thinking` parts are reasoning, its `text` parts the answer. */
export function contentEvents(content: ContentWire, out: ProviderEvent[]): void {
  if (!content) return;
  if (typeof content === 'string') {
    out.push({ type: 'text', text: content });
    return;
  }
  for (const part of content) {
    if (part.type === 'thinking') {
      const thinking = typeof part.thinking === 'string' ? part.thinking : (part.thinking ?? []).map((piece) => piece.text ?? '').join('');
      if (thinking) out.push({ type: 'reasoning', text: thinking });
    } else if (part.text) out.push({ type: 'text', text: part.text });
  }
}

const CONTENT_PREFIX = '"choices":[{"index":0,"delta":{"content":';
const CONTENT_CHUNK = /"choices":\[\{"index":0,"delta":\{"content":("[^"\\]*(?:\\.[^"\\]*)*")\},"logprobs":null,"finish_reason":null\}\],"usage":null[,}]/y;
const ARGUMENTS_PREFIX = '"choices":[{"index":0,"delta":{"tool_calls":[{"index":';
const ARGUMENTS_CHUNK = /"choices":\[\{"index":0,"delta":\{"tool_calls":\[\{"index":(\d+),"function":\{"arguments":("[^"\\]*(?:\\.[^"\\]*)*")\}\}\]\},"logprobs":null,"finish_reason":null\}\],"usage":null[,}]/y;

/** What follows each layout's string literal, up to the end of its match. */
const CONTENT_TAIL_LENGTH = '},"logprobs":null,"finish_reason":null}],"usage":null,'.length;
const ARGUMENTS_TAIL_LENGTH = '}}]},"logprobs":null,"finish_reason":null}],"usage":null,'.length;
/** Between a piece's index digits and its literal. */
const ARGUMENTS_INFIX_LENGTH = ',"function":{"arguments":'.length;

/**
 * The value of the JSON string literal from `open` to `close` (its quotes) in a matched chunk,
 * sliced once when it holds no escape; undefined for an escape JSON refuses (`\\q`): the full
 * parser then reports the chunk.
 */
function stringAt(data: string, open: number, close: number): string | undefined {
  const escape = data.indexOf('\\', open);
  if (escape < 0 || escape > close) return data.slice(open + 1, close);
  try {
    return JSON.parse(data.slice(open, close + 1)) as string;
  } catch {
    return undefined;
  }
}

/**
 * One fast path's layout, found in a chunk by its prefix and matched from there. A stream's chunks
 * repeat the same id, model and fingerprint, so the choices sit at the same offset in each: after
 * the first, a chunk costs one anchored match instead of a search for the prefix (the search was
 * two thirds of the fast path's time). A key can only match outside string values — inside one its
 * quotes would be escaped — so wherever the pattern matches, it matches the chunk's own choices.
 * Matched with `test`, not `exec`: the layout is fixed, so its bounds say where the parts are.
 */
class AnchoredLayout {
  /** Where the last match began, and (after `test`) where it ended. */
  at = -1;
  end = -1;

  constructor(
    private readonly prefix: string,
    private readonly pattern: RegExp,
  ) {}

  /** Whether the chunk has this layout; `at` and `end` then bound the match. */
  test(data: string): boolean {
    if (this.at >= 0 && this.testAt(data, this.at)) return true;
    // From the end: the choices come last in OpenAI's chunks, after ~200 characters of ids.
    const at = data.lastIndexOf(this.prefix);
    if (at < 0 || !this.testAt(data, at)) return false;
    this.at = at;
    return true;
  }

  private testAt(data: string, at: number): boolean {
    this.pattern.lastIndex = at;
    if (!this.pattern.test(data)) return false;
    this.end = this.pattern.lastIndex;
    return true;
  }
}

/**
 * The fast paths for one stream's chunks: text-only chunks — OpenAI's shape for all but the
 * first and last few chunks of a stream — and the pieces of a tool call's arguments, read
 * without parsing the whole chunk (ARCHITECTURE.md, "Streams in batches": parsing every chunk
 * was a large share of a stream's CPU). Anything else, including every other provider's layout,
 * is undefined and parsed in full.
 */
export class FastChunks {
  private readonly text = new AnchoredLayout(CONTENT_PREFIX, CONTENT_CHUNK);
  private readonly pieces = new AnchoredLayout(ARGUMENTS_PREFIX, ARGUMENTS_CHUNK);

  /** The text of a chunk that carries nothing else. */
  content(data: string): string | undefined {
    const layout = this.text;
    if (!layout.test(data)) return undefined;
    return stringAt(data, layout.at + CONTENT_PREFIX.length, layout.end - CONTENT_TAIL_LENGTH - 1);
  }

  /**
   * A chunk that only continues a tool call's arguments — OpenAI's shape for every piece after a
   * call's first — as its index and piece (parsing each of them made a streamed tool call cost
   * half again a text stream of the same length).
   */
  argumentsPiece(data: string): { index: number; piece: string } | undefined {
    const layout = this.pieces;
    if (!layout.test(data)) return undefined;
    const digits = layout.at + ARGUMENTS_PREFIX.length;
    const comma = data.indexOf(',', digits);
    const piece = stringAt(data, comma + ARGUMENTS_INFIX_LENGTH, layout.end - ARGUMENTS_TAIL_LENGTH - 1);
    return piece === undefined ? undefined : { index: Number(data.slice(digits, comma)), piece };
  }
}

/**
 * Tool call deltas by index. The id and name come with a call's first piece; later pieces repeat
 * an empty name, an empty id, or (Mistral) no index at all — then they belong to the call in progress.
 */
export function toolCallDeltas(deltas: ToolCallDeltaWire[], calls: ToolCallAssembler, current: { key: number | string | undefined }, out: ProviderEvent[]): void {
  for (const delta of deltas) {
    const name = delta.function?.name;
    const startsNew = name && (delta.index === undefined ? delta.id !== undefined && !calls.has(delta.id) : !calls.has(delta.index));
    if (startsNew) {
      // A new call begins: the one before it (parallel calls stream one after the other) is complete.
      if (current.key !== undefined) calls.finish(current.key, out);
      current.key = delta.index ?? delta.id;
      calls.start(current.key as number | string, delta.id, name, out);
    }
    const key = delta.index ?? current.key;
    if (key !== undefined) calls.append(key, delta.function?.arguments ?? '', out);
  }
}

/**
 * Chat Completions SSE → our events, the events of one network chunk in one array. A stream
 * is complete with `[DONE]`, or (for compatible servers that omit it) once both a finish
 * reason and usage arrived; anything shorter is a truncation, never a quiet finish.
 */
export function parseOpenAIStream(response: UpstreamResponse, request: UpstreamRequest): AsyncGenerator<ProviderEvent[]> {
  const seen: { finishReason?: FinishReason; usage: boolean; toolCalls: boolean } = { usage: false, toolCalls: false };
  const calls = new ToolCallAssembler(request.provider);
  const current: { key: number | string | undefined } = { key: undefined };
  const fast = new FastChunks();
  const onMessage = (data: string, out: ProviderEvent[]): boolean => {
    if (data === '[DONE]') {
      calls.finishAll(out);
      return true;
    }
    const text = fast.content(data);
    if (text !== undefined) {
      if (text) out.push({ type: 'text', text });
      return false;
    }
    const piece = calls.open ? fast.argumentsPiece(data) : undefined;
    if (piece && calls.has(piece.index)) {
      calls.append(piece.index, piece.piece, out);
      return false;
    }
    const chunk = parseStreamJson<ChunkWire>(data, request.provider, 'chunk');
    if (chunk.error) {
      const status = Number((chunk.error as { code?: unknown }).code) || 500;
      throw errorFromBody(request, status >= 400 ? status : 500, JSON.stringify({ error: chunk.error }));
    }
    const choice = chunk.choices?.[0];
    if (choice) {
      const delta = choice.delta;
      const reasoning = delta?.reasoning_content ?? delta?.reasoning;
      if (reasoning) out.push({ type: 'reasoning', text: reasoning });
      contentEvents(delta?.content, out);
      if (delta?.tool_calls?.length) {
        seen.toolCalls = true;
        toolCallDeltas(delta.tool_calls, calls, current, out);
      }
      if (choice.finish_reason) {
        calls.finishAll(out);
        seen.finishReason = mapFinishReason(choice.finish_reason);
      }
    }
    const wireUsage = chunk.usage ?? chunk.x_groq?.usage;
    const usage = normalizeOpenAIUsage(wireUsage, chunk.service_tier);
    if (usage) {
      seen.usage = true;
      const costUsd = reportedCost(wireUsage);
      out.push(costUsd === undefined ? { type: 'usage', usage } : { type: 'usage', usage, costUsd });
    }
    return false;
  };
  return sseEventBatches(response.body, request, onMessage, (done, out) => {
    if (!done && !(seen.finishReason && seen.usage)) {
      throw new StreamTruncatedError(`${request.provider} closed the stream before it finished.`);
    }
    calls.finishAll(out);
    // Some compatible servers say `stop` for a turn that called tools.
    const finishReason = seen.toolCalls && seen.finishReason === 'stop' ? 'tool_calls' : (seen.finishReason ?? 'other');
    out.push({ type: 'finish', finishReason });
  });
}
