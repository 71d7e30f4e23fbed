import type { ChatEventType, LogEntry, ModelInfo, Usage } from '@aiu/core';
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
}

export interface AiuHandlersOptions {
  /** Mount path of the handler the app talks to. Default `/api/aiu`. */
  baseUrl?: string;
  chat?: MockChatReply;
  models?: ModelInfo[];
  logs?: LogEntry[];
}

const DEFAULT_CHUNKS = ['Hello', '! How', ' can I', ' help you', ' today?'];

export function sseEvent(type: ChatEventType, data: unknown): string {
  return `event: ${type}\ndata: ${JSON.stringify(data)}\n\n`;
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
  const reply = options.chat ?? {};
  let counter = 0;
  return [
    http.post(`${base}/chat`, async ({ request }) => {
      if (reply.httpError) {
        const { status, code, message } = reply.httpError;
        return HttpResponse.json({ error: { code, message } }, { status });
      }
      const body = (await request.json().catch(() => null)) as { model?: string; stream?: boolean } | null;
      const model = body?.model ?? 'openai:gpt-4o-mini';
      const chunks = reply.chunks ?? DEFAULT_CHUNKS;
      const usage = reply.usage ?? usageFor(chunks);
      const requestId = `req_mock_${++counter}`;
      const provider = model.split(':')[0] ?? 'openai';
      if (body?.stream === false) {
        return HttpResponse.json({
          requestId, model, provider, text: chunks.join(''), finishReason: 'stop', usage, cost: null, latencyMs: 1, ttftMs: null,
        });
      }
      const encoder = new TextEncoder();
      const signal = request.signal;
      const stream = new ReadableStream<Uint8Array>({
        async start(controller) {
          const send = (type: ChatEventType, data: unknown) => controller.enqueue(encoder.encode(sseEvent(type, data)));
          send('start', { requestId, model, provider });
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
          if (reply.hang) return;
          send('finish', { finishReason: 'stop', usage, cost: null, latencyMs: 5, ttftMs: 1 });
          controller.close();
        },
      });
      return new HttpResponse(stream, {
        headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache, no-transform' },
      });
    }),
    http.get(`${base}/models`, () => HttpResponse.json({ models: options.models ?? [] })),
    http.get(`${base}/health`, () => HttpResponse.json({ status: 'ok', store: 'ok', providers: {} })),
    http.get(`${base}/logs`, () => HttpResponse.json({ entries: options.logs ?? [], nextCursor: null })),
  ];
}
