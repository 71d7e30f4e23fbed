import { ContentFilteredError, type FinishReason, StreamTruncatedError } from '@aiu/core';
import { errorFromBody, parseStreamJson, sseEventBatches, type UpstreamRequest } from '../http';
import { ToolCallAssembler } from '../toolCalls';
import type { UpstreamResponse } from '../transport';
import type { ProviderEvent, ProviderToolCall } from '../types';
import { type GeminiUsageWire, normalizeGeminiUsage, webSearchesOf } from './usage';

interface PartialArgWire {
  jsonPath?: string;
  stringValue?: string;
  numberValue?: number;
  boolValue?: boolean;
  nullValue?: unknown;
  willContinue?: boolean;
}

export interface GeminiPartWire {
  text?: string;
  thought?: boolean;
  thoughtSignature?: string;
  functionCall?: { name?: string; args?: Record<string, unknown>; partialArgs?: PartialArgWire[]; willContinue?: boolean };
}

export interface GeminiResponseWire {
  candidates?: Array<{
    content?: { parts?: GeminiPartWire[] };
    finishReason?: string;
    groundingMetadata?: { webSearchQueries?: unknown[] };
  }>;
  promptFeedback?: { blockReason?: string };
  usageMetadata?: GeminiUsageWire;
  error?: { code?: number; message?: string };
}

const FILTERED = new Set(['SAFETY', 'RECITATION', 'BLOCKLIST', 'PROHIBITED_CONTENT', 'SPII', 'IMAGE_SAFETY']);

export function mapGeminiFinishReason(reason: string | undefined): FinishReason {
  if (reason === 'STOP') return 'stop';
  if (reason === 'MAX_TOKENS') return 'length';
  if (reason && FILTERED.has(reason)) return 'content_filter';
  if (reason === 'MALFORMED_FUNCTION_CALL' || reason === 'UNEXPECTED_TOOL_CALL') return 'tool_calls';
  return 'other';
}

/** A prompt Gemini refused to answer at all is a typed error, not an empty reply. */
export function blockedPromptError(response: GeminiResponseWire, provider: string): ContentFilteredError | undefined {
  const reason = response.promptFeedback?.blockReason;
  return reason ? new ContentFilteredError(`${provider} blocked the prompt (${reason}).`) : undefined;
}

const signed = (signature: string | undefined) => (signature ? { google: { thoughtSignature: signature } } : undefined);

/**
 * Gemini's parts as our events. Text parts are text, thought parts reasoning; a signature on a
 * text or thought part travels as reasoning metadata, one on a function call with the call (Gemini 3
 * refuses a tool loop without it). A function call comes whole (`args`) or, from Gemini 3 when
 * asked, in pieces: `willContinue` opens it, `partialArgs` set values by JSON path (strings
 * continued piece by piece), and an empty `functionCall` closes it.
 */
export class GeminiParts {
  readonly calls: ToolCallAssembler;
  private streaming: { key: number; args: Record<string, unknown>; signature: string | undefined; open: Map<string, boolean> } | undefined;
  private nextKey = 0;
  called = false;

  constructor(provider: string) {
    this.calls = new ToolCallAssembler(provider);
  }

  push(part: GeminiPartWire, out: ProviderEvent[]): void {
    const call = part.functionCall;
    if (!call) {
      if (part.text) out.push(part.thought ? { type: 'reasoning', text: part.text, providerMetadata: signed(part.thoughtSignature) } : { type: 'text', text: part.text });
      else if (part.thoughtSignature) out.push({ type: 'reasoning', text: '', providerMetadata: signed(part.thoughtSignature) });
      if (part.text && !part.thought && part.thoughtSignature) out.push({ type: 'reasoning', text: '', providerMetadata: signed(part.thoughtSignature) });
      return;
    }
    this.called = true;
    if (call.args !== undefined && !call.willContinue) {
      const key = this.nextKey++;
      this.calls.start(key, undefined, call.name ?? '', out);
      this.calls.append(key, JSON.stringify(call.args), out);
      this.calls.finish(key, out, signed(part.thoughtSignature));
      return;
    }
    if (call.name) {
      this.close(out);
      const key = this.nextKey++;
      this.streaming = { key, args: {}, signature: part.thoughtSignature, open: new Map() };
      this.calls.start(key, undefined, call.name, out);
    }
    const current = this.streaming;
    if (!current) return;
    for (const arg of call.partialArgs ?? []) {
      if (!arg.jsonPath) continue;
      const continuing = current.open.get(arg.jsonPath) === true;
      const value = arg.stringValue ?? arg.numberValue ?? arg.boolValue ?? (arg.nullValue !== undefined ? null : undefined);
      if (arg.stringValue !== undefined && continuing) setPath(current.args, arg.jsonPath, `${String(getPath(current.args, arg.jsonPath) ?? '')}${arg.stringValue}`);
      else if (value !== undefined) setPath(current.args, arg.jsonPath, value);
      current.open.set(arg.jsonPath, arg.willContinue === true);
      const piece = arg.stringValue ?? (value === undefined ? '' : JSON.stringify(value));
      this.calls.append(current.key, piece, out);
    }
    if (!call.name && !call.partialArgs && !call.willContinue) this.close(out);
  }

  /** The call being streamed is complete. */
  close(out: ProviderEvent[]): void {
    const current = this.streaming;
    if (!current) return;
    this.streaming = undefined;
    this.calls.setArguments(current.key, JSON.stringify(current.args));
    this.calls.finish(current.key, out, signed(current.signature));
  }

  end(out: ProviderEvent[]): void {
    this.close(out);
    this.calls.finishAll(out);
  }
}

/** A JSON path as Gemini writes them (`$.a.b[0].c`) as property names and indexes. */
function pathSegments(path: string): Array<string | number> {
  const segments: Array<string | number> = [];
  for (const match of path.replace(/^\$\.?/, '').matchAll(/([^.[\]]+)|\[(\d+)\]/g)) {
    if (match[1] !== undefined) segments.push(match[1]);
    else if (match[2] !== undefined) segments.push(Number(match[2]));
  }
  return segments;
}

function getPath(root: Record<string, unknown>, path: string): unknown {
  let node: unknown = root;
  for (const segment of pathSegments(path)) node = (node as Record<string | number, unknown> | undefined)?.[segment];
  return node;
}

function setPath(root: Record<string, unknown>, path: string, value: unknown): void {
  const segments = pathSegments(path);
  let node: Record<string | number, unknown> = root;
  segments.forEach((segment, index) => {
    if (index === segments.length - 1) {
      node[segment] = value;
      return;
    }
    const next = segments[index + 1];
    if (typeof node[segment] !== 'object' || node[segment] === null) node[segment] = typeof next === 'number' ? [] : {};
    node = node[segment] as Record<string | number, unknown>;
  });
}

/** A whole response's parts (`generateContent`) as text, reasoning and tool calls. */
export function resultOf(response: GeminiResponseWire, provider: string): { text: string; reasoning: string; reasoningParts: Array<{ text: string; providerMetadata?: ReturnType<typeof signed> }>; toolCalls: ProviderToolCall[] } {
  const parts = new GeminiParts(provider);
  const out: ProviderEvent[] = [];
  for (const part of response.candidates?.[0]?.content?.parts ?? []) parts.push(part, out);
  parts.end(out);
  const result = { text: '', reasoning: '', reasoningParts: [] as Array<{ text: string; providerMetadata?: ReturnType<typeof signed> }>, toolCalls: [] as ProviderToolCall[] };
  for (const event of out) {
    if (event.type === 'text') result.text += event.text;
    else if (event.type === 'reasoning') {
      result.reasoning += event.text;
      result.reasoningParts.push({ text: event.text, ...(event.providerMetadata ? { providerMetadata: event.providerMetadata as ReturnType<typeof signed> } : {}) });
    } else if (event.type === 'tool-call') result.toolCalls.push({ id: event.id, name: event.name, input: event.input, ...(event.providerMetadata ? { providerMetadata: event.providerMetadata } : {}) });
  }
  return result;
}

/**
 * `streamGenerateContent?alt=sse` → our events, the events of one network chunk in one array.
 * Usage is repeated in every chunk (latest wins); a stream is complete once a candidate carries a
 * finish reason. Gemini finishes a turn that called functions with `STOP`: that is `tool_calls`.
 */
export function parseGeminiStream(response: UpstreamResponse, request: UpstreamRequest): AsyncGenerator<ProviderEvent[]> {
  let finishReason: string | undefined;
  let webSearches = 0;
  const parts = new GeminiParts(request.provider);
  const onMessage = (data: string, out: ProviderEvent[]): boolean => {
    const chunk = parseStreamJson<GeminiResponseWire>(data, request.provider, 'chunk');
    if (chunk.error) throw errorFromBody(request, typeof chunk.error.code === 'number' ? chunk.error.code : 500, JSON.stringify(chunk));
    const blocked = blockedPromptError(chunk, request.provider);
    if (blocked) throw blocked;
    for (const part of chunk.candidates?.[0]?.content?.parts ?? []) parts.push(part, out);
    // Grounding metadata comes once, usually with the last chunk; usage is repeated in each.
    webSearches = Math.max(webSearches, webSearchesOf(chunk.candidates?.[0]));
    const usage = normalizeGeminiUsage(chunk.usageMetadata, webSearches);
    if (usage) out.push({ type: 'usage', usage });
    finishReason = chunk.candidates?.[0]?.finishReason ?? finishReason;
    return false;
  };
  return sseEventBatches(response.body, request, onMessage, (_complete, out) => {
    if (!finishReason) throw new StreamTruncatedError(`${request.provider} closed the stream before it finished.`);
    parts.end(out);
    const mapped = mapGeminiFinishReason(finishReason);
    out.push({ type: 'finish', finishReason: parts.called && mapped === 'stop' ? 'tool_calls' : mapped });
  });
}
