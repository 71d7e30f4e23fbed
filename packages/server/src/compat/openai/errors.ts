import { AiuError, toAiuError } from '@aiu/core';
import { httpStatusOf, json, limitHeaders } from '../../handler/respond';

/** OpenAI's `error.type` for a status, as its SDKs expect it. */
function typeOf(status: number): string {
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 429) return 'rate_limit_error';
  if (status >= 500) return 'server_error';
  return 'invalid_request_error';
}

/** Any failure in OpenAI's error shape `{ error: { message, type, param, code } }`, with aiu's status and limit headers. */
export function openAIErrorResponse(error: unknown): Response {
  const failure = AiuError.isInstance(error) ? error : toAiuError(error);
  const status = httpStatusOf(failure);
  const param = (failure.details as { param?: unknown } | undefined)?.param;
  return json({ error: { message: failure.message, type: typeOf(status), param: typeof param === 'string' ? param : null, code: failure.code } }, { status, headers: limitHeaders(failure) });
}
