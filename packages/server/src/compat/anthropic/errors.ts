import { AiuError, toAiuError } from '@aiu/core';
import { httpStatusOf, json, limitHeaders } from '../../handler/respond';

/** Anthropic's `error.type` for a status, as its SDKs map it to error classes. */
function typeOf(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'rate_limit_error';
  if (status === 529 || status === 503) return 'overloaded_error';
  if (status >= 500) return 'api_error';
  return 'invalid_request_error';
}

/** Any failure in Anthropic's error shape `{ type: 'error', error: { type, message } }`, with aiu's status and code. */
export function anthropicErrorResponse(error: unknown): Response {
  const failure = AiuError.isInstance(error) ? error : toAiuError(error);
  const status = httpStatusOf(failure);
  return json({ type: 'error', error: { type: typeOf(status), message: failure.message, code: failure.code } }, { status, headers: limitHeaders(failure) });
}
