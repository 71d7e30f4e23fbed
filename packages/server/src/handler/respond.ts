import { AiuError, type ErrorBody, toAiuError } from '@aiu/core';
import type { Reply } from './reply';

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

interface ReplyInit {
  status?: number;
  headers?: Record<string, string>;
}

export function json(body: unknown, init: ReplyInit = {}): Reply {
  return jsonText(JSON.stringify(body), init);
}

/** For a body already serialised (e.g. to hash it for an ETag), so it is not serialised twice. */
export function jsonText(text: string, init: ReplyInit = {}): Reply {
  return { status: init.status ?? 200, headers: { ...JSON_HEADERS, ...init.headers }, text };
}

/**
 * The one place an error becomes an HTTP response: status from the code table,
 * `{ error: { code, message, details } }` body, `Retry-After` when known. Unknown
 * errors become a bare 500 — their message may hold anything, so it is not sent.
 */
export function errorResponse(error: unknown, headers: Record<string, string> = {}): Reply {
  const failure = AiuError.isInstance(error) ? error : toAiuError(error);
  const body: ErrorBody = { error: failure.toJSON() };
  const extra: Record<string, string> = { ...headers };
  if (failure.retryAfterMs !== undefined) extra['retry-after'] = String(Math.max(1, Math.ceil(failure.retryAfterMs / 1000)));
  if (failure.rateLimit) {
    extra['x-ratelimit-limit'] = String(failure.rateLimit.limit);
    extra['x-ratelimit-remaining'] = String(failure.rateLimit.remaining);
    extra['x-ratelimit-reset'] = String(Math.ceil(failure.rateLimit.resetMs / 1000));
  }
  return json(body, { status: failure.status === 499 ? 400 : failure.status, headers: extra });
}
