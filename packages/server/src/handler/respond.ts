import { AiuError, type ErrorBody, toAiuError } from '@aiu/core';
import { TextResponse } from '../http/responses';

const JSON_HEADERS: Readonly<Record<string, string>> = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

interface ReplyInit {
  status?: number;
  headers?: Record<string, string>;
}

export function json(body: unknown, init: ReplyInit = {}): Response {
  return jsonText(JSON.stringify(body), init);
}

/** For a body already serialised (e.g. to hash it for an ETag), so it is not serialised twice. */
export function jsonText(text: string, init: ReplyInit = {}): Response {
  return new TextResponse(init.status ?? 200, init.headers ? { ...JSON_HEADERS, ...init.headers } : JSON_HEADERS, text);
}

/** A response without a body (204, 304). */
export function empty(status: number, headers: Record<string, string> = {}): Response {
  return new TextResponse(status, headers, null);
}

/**
 * The one place an error becomes an HTTP response: status from the code table,
 * `{ error: { code, message, details } }` body, `Retry-After` when known. Unknown
 * errors become a bare 500 — their message may hold anything, so it is not sent.
 */
export function errorResponse(error: unknown, headers: Record<string, string> = {}): Response {
  const failure = AiuError.isInstance(error) ? error : toAiuError(error);
  const body: ErrorBody = { error: failure.toJSON() };
  return json(body, { status: httpStatusOf(failure), headers: { ...headers, ...limitHeaders(failure) } });
}

/** Aborted calls have no HTTP status of their own (499 is nginx's): answered as a client error. */
export function httpStatusOf(failure: AiuError): number {
  return failure.status === 499 ? 400 : failure.status;
}

/** `Retry-After` and `X-RateLimit-*` for a failure that carries them: shared by every protocol's error shape. */
export function limitHeaders(failure: AiuError): Record<string, string> {
  const extra: Record<string, string> = {};
  if (failure.retryAfterMs !== undefined) extra['retry-after'] = String(Math.max(1, Math.ceil(failure.retryAfterMs / 1000)));
  if (failure.rateLimit) {
    extra['x-ratelimit-limit'] = String(failure.rateLimit.limit);
    extra['x-ratelimit-remaining'] = String(failure.rateLimit.remaining);
    extra['x-ratelimit-reset'] = String(Math.ceil(failure.rateLimit.resetMs / 1000));
  }
  return extra;
}
