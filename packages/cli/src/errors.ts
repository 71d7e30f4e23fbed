/** Exit codes as the contract names them: 0 ok, 1 failed, 2 bad usage. An interrupt exits 130, as shells expect. */
export const EXIT = { ok: 0, failed: 1, usage: 2, interrupted: 130 } as const;

/**
 * A failure the CLI reports on one line: a stable `code` (aiu's error codes where the server
 * gave one), what happened, and what to do about it.
 */
export class CliError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly options: { hint?: string; exitCode?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'CliError';
  }

  get exitCode(): number {
    return this.options.exitCode ?? EXIT.failed;
  }
}

export const usageError = (message: string, hint?: string) => new CliError('bad_usage', message, { exitCode: EXIT.usage, ...(hint ? { hint } : {}) });

/** A connection string with its password hidden: it may be printed. */
export function redactUrl(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/@]*):[^@/]*@/i, '$1:***@');
}
