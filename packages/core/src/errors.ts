/**
 * Every failure aiu reports has a stable `code`. The HTTP status for each code lives
 * here, in one table, so the handler and the client agree on it.
 */
export const ERROR_STATUS = {
  invalid_request: 400,
  guardrail_blocked: 400,
  invalid_json: 400,
  invalid_model: 400,
  unknown_provider: 400,
  missing_api_key: 400,
  bad_request: 400,
  unsupported: 400,
  unauthorized: 401,
  invalid_api_key: 401,
  forbidden: 403,
  not_found: 404,
  method_not_allowed: 405,
  conflict: 409,
  payload_too_large: 413,
  unsupported_media_type: 415,
  content_filtered: 422,
  key_rejected: 422,
  rate_limited: 429,
  quota_exceeded: 429,
  aborted: 499,
  internal_error: 500,
  not_implemented: 501,
  master_key_mismatch: 500,
  key_unreadable: 500,
  upstream_error: 502,
  invalid_tool_call: 502,
  upstream_unreachable: 502,
  stream_truncated: 502,
  upstream_timeout: 504,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export function statusForCode(code: string): number {
  return Object.hasOwn(ERROR_STATUS, code) ? ERROR_STATUS[code as ErrorCode] : 500;
}

/** Codes worth another attempt (same or another target). */
const RETRYABLE: ReadonlySet<string> = new Set<ErrorCode>([
  'rate_limited',
  'upstream_error',
  'upstream_unreachable',
  'upstream_timeout',
]);

export function isRetryableCode(code: string): boolean {
  return RETRYABLE.has(code);
}

// A registry-wide symbol, so two copies of this package still recognise each other's errors.
const AIU_ERROR = Symbol.for('aiu.error');

export interface RateLimitInfo {
  limit: number;
  remaining: number;
  /** Milliseconds until the window frees capacity again. */
  resetMs: number;
}

export interface AiuErrorOptions {
  details?: unknown;
  retryAfterMs?: number;
  /** For `rate_limited`: what the X-RateLimit-* headers say. */
  rateLimit?: RateLimitInfo;
  /** HTTP status the provider answered with, when the error came from upstream. */
  upstreamStatus?: number;
  cause?: unknown;
}

export class AiuError extends Error {
  readonly code: ErrorCode;
  readonly details: unknown;
  readonly retryAfterMs: number | undefined;
  readonly upstreamStatus: number | undefined;
  readonly rateLimit: RateLimitInfo | undefined;

  constructor(code: ErrorCode, message: string, options: AiuErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'AiuError';
    this.code = code;
    this.details = options.details;
    this.retryAfterMs = options.retryAfterMs;
    this.upstreamStatus = options.upstreamStatus;
    this.rateLimit = options.rateLimit;
    Object.defineProperty(this, AIU_ERROR, { value: true });
  }

  get status(): number {
    return ERROR_STATUS[this.code];
  }

  get retryable(): boolean {
    return isRetryableCode(this.code);
  }

  toJSON(): { code: ErrorCode; message: string; details?: unknown } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }

  /** Works across duplicate copies of @aiu/core, unlike `instanceof`. */
  static isInstance(value: unknown): value is AiuError {
    return typeof value === 'object' && value !== null && (value as Record<symbol, unknown>)[AIU_ERROR] === true;
  }
}

/** Defines a subclass bound to one code; its `isInstance` also checks the code. */
// Pure, so bundlers drop the error classes a browser build never uses.
/* @__NO_SIDE_EFFECTS__ */
function errorClass<C extends ErrorCode>(code: C, name: string) {
  return class extends AiuError {
    declare readonly code: C;
    constructor(message: string, options?: AiuErrorOptions) {
      super(code, message, options);
      this.name = name;
    }
    static override isInstance(value: unknown): value is AiuError & { code: C } {
      return AiuError.isInstance(value) && value.code === code;
    }
  };
}

export class InvalidRequestError extends errorClass('invalid_request', 'InvalidRequestError') {}
export class InvalidModelError extends errorClass('invalid_model', 'InvalidModelError') {}
export class UnknownProviderError extends errorClass('unknown_provider', 'UnknownProviderError') {}
export class MissingApiKeyError extends errorClass('missing_api_key', 'MissingApiKeyError') {}
export class InvalidApiKeyError extends errorClass('invalid_api_key', 'InvalidApiKeyError') {}
export class BadRequestError extends errorClass('bad_request', 'BadRequestError') {}
export class NotFoundError extends errorClass('not_found', 'NotFoundError') {}
export class ForbiddenError extends errorClass('forbidden', 'ForbiddenError') {}
export class PayloadTooLargeError extends errorClass('payload_too_large', 'PayloadTooLargeError') {}
export class RateLimitedError extends errorClass('rate_limited', 'RateLimitedError') {}
export class QuotaExceededError extends errorClass('quota_exceeded', 'QuotaExceededError') {}
export class ContentFilteredError extends errorClass('content_filtered', 'ContentFilteredError') {}
export class UpstreamError extends errorClass('upstream_error', 'UpstreamError') {}
export class UpstreamUnreachableError extends errorClass('upstream_unreachable', 'UpstreamUnreachableError') {}
export class UpstreamTimeoutError extends errorClass('upstream_timeout', 'UpstreamTimeoutError') {}
export class StreamTruncatedError extends errorClass('stream_truncated', 'StreamTruncatedError') {}
export class AbortedError extends errorClass('aborted', 'AbortedError') {}
/** A request asks for what its model or provider cannot do (images, files, tools, a JSON schema). */
export class UnsupportedError extends errorClass('unsupported', 'UnsupportedError') {}
/** A provider called a tool with arguments that are not JSON. */
export class InvalidToolCallError extends errorClass('invalid_tool_call', 'InvalidToolCallError') {}

/** Wraps anything thrown into an AiuError without leaking its message (it may hold secrets). */
export function toAiuError(error: unknown): AiuError {
  if (AiuError.isInstance(error)) return error;
  if (isAbortError(error)) return new AbortedError('The request was aborted.', { cause: error });
  return new AiuError('internal_error', 'Internal error.', { cause: error });
}

export function isAbortError(error: unknown): boolean {
  return (
    typeof error === 'object' &&
    error !== null &&
    'name' in error &&
    (error.name === 'AbortError' || error.name === 'TimeoutError')
  );
}
