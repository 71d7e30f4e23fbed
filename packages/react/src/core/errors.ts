import { ErrorBodySchema, isRetryableCode } from '@aiu/core/lite';

/** An error as the UI shows it: the server's stable code and message. */
export interface AiuClientError {
  code: string;
  message: string;
  status?: number;
  retryable: boolean;
}

export async function errorFromResponse(response: Response): Promise<AiuClientError> {
  const body = await response.json().catch(() => null);
  const parsed = ErrorBodySchema.safeParse(body);
  if (parsed.success) {
    const { code, message } = parsed.data.error;
    return { code, message, status: response.status, retryable: isRetryableCode(code) };
  }
  return {
    code: 'http_error',
    message: `The server answered ${response.status} ${response.statusText}`.trim() + '.',
    status: response.status,
    retryable: response.status >= 500,
  };
}

export function networkError(error: unknown): AiuClientError {
  return {
    code: 'network_error',
    message: error instanceof Error && error.message ? `Could not reach the server: ${error.message}` : 'Could not reach the server.',
    retryable: true,
  };
}
