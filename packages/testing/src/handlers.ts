import type { ChatEventType, KeySummary, KeyValidation, LogEntry, ModelInfo, ProviderSummary, Usage, UsageReport, UsageStats } from '@aiu/core';
import { http, HttpResponse, delay, type HttpHandler } from 'msw';

export interface MockChatReply {
  /** Text pieces sent as `delta` events, in order. */
  chunks?: string[];
  reasoning?: string[];
  usage?: Usage;
  /** Wait between events, to see streaming states. */
  chunkDelayMs?: number;
  /** Send an `error` event after this many chunks instead of finishing. */
  failAfterChunks?: number;
  /** Answer with an HTTP error instead of a stream. */
  httpError?: { status: number; code: string; message: string };
  /** Never finish (for "streaming" and "stopped" states). */
  hang?: boolean;
  /**
   * Tool calls after the text, their arguments streamed in `inputChunks` pieces. With a `result`
   * the server ran it (a `tool-result` follows); with `approval` it waits for the user's answer.
   * A call without a result ends the reply with `finishReason: "tool_calls"`.
   */
  toolCalls?: MockToolCall[];
  /** `tool-result` events sent first: server tools the user approved in the turn before, run now. */
  toolResults?: Array<{ toolCallId: string; toolName: string; output: unknown; isError?: boolean }>;
}

export interface MockToolCall {
  toolCallId?: string;
  toolName: string;
  input: unknown;
  /** How many pieces the arguments' JSON streams in (default 3). */
  inputChunks?: number;
  approval?: boolean;
  result?: unknown;
  isError?: boolean;
}

/** What the mock was asked: the request's parsed body and its number (0 for the first). */
export interface MockChatRequest {
  body: Record<string, unknown> | null;
  index: number;
}

export interface MockKeys {
  /** Providers to list (ids); default openai, anthropic, google, ollama. */
  providers?: string[];
  /** Keys stored at the start. */
  stored?: KeySummary[];
  /** Which keys the "provider" accepts. Default: any key not containing `invalid`. */
  accept?: (provider: string, key: string) => boolean;
  /** Wait before answering validate/save, to see the pending states. */
  delayMs?: number;
}

export interface AiuHandlersOptions {
  /** Mount path of the handler the app talks to. Default `/api/aiu`. */
  baseUrl?: string;
  /** The reply to every `/chat` request, or one per request (a continuation after tool results is a new request). */
  chat?: MockChatReply | ((request: MockChatRequest) => MockChatReply);
  models?: ModelInfo[];
  logs?: LogEntry[];
  keys?: MockKeys;
  /** The report `GET /usage` answers; without one, an honest empty report for the asked range. */
  usage?: UsageReport;
  /** Delay before `/models`, `/usage` and `/logs` answer, to see loading states. */
  readDelayMs?: number;
  /** Make `/models`, `/usage` and `/logs` fail with this status. */
  readError?: { status: number; code: string; message: string };
}

export const EMPTY_STATS: UsageStats = {
  requests: 0, errors: 0, errorRate: 0, inputTokens: 0, outputTokens: 0, cachedInputTokens: 0, cacheWriteTokens: 0,
  reasoningTokens: 0, totalTokens: 0, cost: 0, unpricedRequests: 0, cachedShare: 0, savedByCache: 0,
  latencyMeanMs: null, latencyP50Ms: null, latencyP95Ms: null, ttftP50Ms: null,
};

/** Stats with only the fields a test cares about; `totalTokens` follows input + output. */
export function usageStats(partial: Partial<UsageStats>): UsageStats {
  const merged = { ...EMPTY_STATS, ...partial };
  return { ...merged, totalTokens: merged.inputTokens + merged.outputTokens };
}

/** Daily UTC buckets for [from, to) with nothing in them. */
export function emptyUsageReport(from: Date, to: Date): UsageReport {
  const buckets = [];
  const day = 86_400_000;
  for (let start = Math.floor(from.getTime() / day) * day; start < to.getTime(); start += day) {
    buckets.push({ start: new Date(start).toISOString().replace('.000', ''), end: new Date(start + day).toISOString().replace('.000', ''), groups: {} });
  }
  return { from: buckets[0]?.start ?? from.toISOString(), to: buckets.at(-1)?.end ?? to.toISOString(), granularity: 'day', groupBy: null, tz: 'UTC', buckets, groups: {}, totals: EMPTY_STATS };
}

const DEFAULT_CHUNKS = ['Hello', '! How', ' can I', ' help you', ' today?'];

export function sseEvent(type: ChatEventType, data: unknown): string {
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
}

function toolCallEvent(call: MockToolCall & { toolCallId: string }) {
  return { toolCallId: call.toolCallId, toolName: call.toolName, input: call.input, ...(call.approval ? { approval: 'required' } : {}) };
}

function usageFor(chunks: string[]): Usage {
  const outputTokens = chunks.length;
  return { inputTokens: 12, outputTokens, cachedInputTokens: 0, cacheWriteTokens: 0, reasoningTokens: 0, totalTokens: 12 + outputTokens };
}

/**
 * MSW handlers speaking aiu's own protocol — for component tests, Storybook and users'
 * tests. Every reply is built from the options, never from randomness.
 */
export function aiuHandlers(options: AiuHandlersOptions = {}): HttpHandler[] {
  const base = (options.baseUrl ?? '/api/aiu').replace(/\/+$/, '');
  let counter = 0;
  const keys = options.keys ?? {};
  const providerIds = keys.providers ?? ['openai', 'anthropic', 'google', 'ollama'];
  const stored: KeySummary[] = [...(keys.stored ?? [])];
  const accept = keys.accept ?? ((_provider: string, key: string) => !key.includes('invalid'));
  const problem = (status: number, code: string, message: string) => HttpResponse.json({ error: { code, message } }, { status });
  return [
    http.get(`${base}/providers`, () => {
      const providers: ProviderSummary[] = providerIds.map((id) => ({
        id,
        configured: id === 'ollama' || stored.some((k) => k.provider === id && k.status !== 'invalid'),
        requiresKey: id !== 'ollama',
        envKey: id === 'ollama' ? null : `${id.toUpperCase()}_API_KEY`,
        keys: stored.filter((k) => k.provider === id),
      }));
      return HttpResponse.json({ providers });
    }),
    http.post(`${base}/keys/validate`, async ({ request }) => {
      const body = (await request.json()) as { provider: string; key: string };
      if (keys.delayMs) await delay(keys.delayMs);
      const result: KeyValidation = accept(body.provider, body.key)
        ? { valid: true, modelCount: 12 }
        : { valid: false, error: { code: 'invalid_api_key', message: `${body.provider} rejected the API key.` } };
      return HttpResponse.json(result);
    }),
    http.post(`${base}/keys`, async ({ request }) => {
      const body = (await request.json()) as { provider: string; alias?: string; key: string; scopes?: KeySummary['scopes']; validate?: boolean; replace?: boolean };
      if (keys.delayMs) await delay(keys.delayMs);
      if (!providerIds.includes(body.provider)) return problem(400, 'unknown_provider', `Provider "${body.provider}" is not configured.`);
      if (!body.key?.trim()) return problem(400, 'invalid_request', 'Invalid request body: key: key is required.');
      const alias = body.alias ?? 'default';
      if (body.validate && !accept(body.provider, body.key)) return problem(422, 'key_rejected', `${body.provider} did not accept this key.`);
      const existing = stored.findIndex((k) => k.provider === body.provider && k.alias === alias);
      if (existing >= 0 && !body.replace) return problem(409, 'conflict', `A ${body.provider} key named "${alias}" exists already; send "replace": true to overwrite it.`);
      const now = new Date().toISOString();
      const summary: KeySummary = {
        provider: body.provider,
        alias,
        hint: body.key.length >= 12 ? body.key.slice(-4) : '',
        scopes: body.scopes ?? ['chat', 'embed', 'models'],
        status: body.validate ? 'valid' : 'unknown',
        createdAt: now,
        lastValidatedAt: body.validate ? now : null,
      };
      if (existing >= 0) stored.splice(existing, 1, summary);
      else stored.push(summary);
      return HttpResponse.json(summary, { status: existing >= 0 ? 200 : 201 });
    }),
    http.delete(`${base}/keys/:provider/:alias`, ({ params }) => {
      const index = stored.findIndex((k) => k.provider === params.provider && k.alias === params.alias);
      if (index < 0) return problem(404, 'not_found', `No ${String(params.provider)} key named "${String(params.alias)}".`);
      stored.splice(index, 1);
      return new HttpResponse(null, { status: 204 });
    }),
    http.post(`${base}/chat`, async ({ request }) => {
      const body = (await request.json().catch(() => null)) as { model?: string; stream?: boolean } | null;
      const index = counter++;
      const reply = (typeof options.chat === 'function' ? options.chat({ body, index }) : options.chat) ?? {};
      if (reply.httpError) {
        const { status, code, message } = reply.httpError;
        return HttpResponse.json({ error: { code, message } }, { status });
      }
      const model = body?.model ?? 'openai:gpt-4o-mini';
      const chunks = reply.chunks ?? DEFAULT_CHUNKS;
      const usage = reply.usage ?? usageFor(chunks);
      const requestId = `req_mock_${index + 1}`;
      const provider = model.split(':')[0] ?? 'openai';
      const calls = (reply.toolCalls ?? []).map((call, i) => ({ ...call, toolCallId: call.toolCallId ?? `call_${index}_${i}` }));
      const finishReason = calls.some((call) => call.result === undefined) ? 'tool_calls' : 'stop';
      if (body?.stream === false) {
        return HttpResponse.json({
          requestId, model, provider, text: chunks.join(''), finishReason, usage, cost: null, latencyMs: 1, ttftMs: null,
          ...(calls.length ? { toolCalls: calls.map(toolCallEvent) } : {}),
        });
      }
      const encoder = new TextEncoder();
      const signal = request.signal;
      const stream = new ReadableStream<Uint8Array>({
        async start(controller) {
          const send = (type: ChatEventType, data: unknown) => controller.enqueue(encoder.encode(sseEvent(type, data)));
          send('start', { requestId, model, provider });
          for (const result of reply.toolResults ?? []) send('tool-result', result);
          for (const text of reply.reasoning ?? []) send('reasoning', { text });
          for (let i = 0; i < chunks.length; i++) {
            if (signal.aborted) return;
            if (reply.failAfterChunks !== undefined && i >= reply.failAfterChunks) {
              send('error', { code: 'stream_truncated', message: 'openai closed the stream before it finished.', retryable: false });
              controller.close();
              return;
            }
            if (reply.chunkDelayMs) await delay(reply.chunkDelayMs);
            send('delta', { text: chunks[i] });
          }
          for (const call of calls) {
            const json = JSON.stringify(call.input);
            const size = Math.ceil(json.length / (call.inputChunks ?? 3));
            send('tool-input-start', { toolCallId: call.toolCallId, toolName: call.toolName });
            for (let at = 0; at < json.length; at += size) {
              if (reply.chunkDelayMs) await delay(reply.chunkDelayMs);
              send('tool-input-delta', { toolCallId: call.toolCallId, delta: json.slice(at, at + size) });
            }
            send('tool-call', toolCallEvent(call));
          }
          for (const call of calls) if (call.result !== undefined) send('tool-result', { toolCallId: call.toolCallId, toolName: call.toolName, output: call.result, ...(call.isError ? { isError: true } : {}) });
          if (reply.hang) return;
          if (calls.length) send('step-finish', { step: 1, finishReason, usage, cost: null });
          send('finish', { finishReason, usage, cost: null, latencyMs: 5, ttftMs: 1, ...(calls.length ? { steps: 1 } : {}) });
          controller.close();
        },
      });
      return new HttpResponse(stream, {
        headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform' },
      });
    }),
    http.get(`${base}/models`, async () => {
      if (options.readDelayMs) await delay(options.readDelayMs);
      if (options.readError) return problem(options.readError.status, options.readError.code, options.readError.message);
      return HttpResponse.json({ models: options.models ?? [] });
    }),
    http.get(`${base}/health`, () => HttpResponse.json({ status: 'ok', store: 'ok', providers: {} })),
    http.get(`${base}/usage`, async ({ request }) => {
      if (options.readDelayMs) await delay(options.readDelayMs);
      if (options.readError) return problem(options.readError.status, options.readError.code, options.readError.message);
      const url = new URL(request.url);
      const to = url.searchParams.get('to') ? new Date(url.searchParams.get('to') as string) : new Date();
      const from = url.searchParams.get('from') ? new Date(url.searchParams.get('from') as string) : new Date(to.getTime() - 30 * 86_400_000);
      return HttpResponse.json(options.usage ?? emptyUsageReport(from, to));
    }),
    http.get(`${base}/logs`, async ({ request }) => {
      if (options.readDelayMs) await delay(options.readDelayMs);
      if (options.readError) return problem(options.readError.status, options.readError.code, options.readError.message);
      const url = new URL(request.url);
      const limit = Number(url.searchParams.get('limit') ?? 50);
      const offset = Number(url.searchParams.get('cursor') ?? 0);
      const all = options.logs ?? [];
      const entries = all.slice(offset, offset + limit);
      return HttpResponse.json({ entries, nextCursor: offset + limit < all.length ? String(offset + limit) : null });
    }),
  ];
}
