import { ErrorBodySchema } from '@aiu/core';
import { createAiu, type Aiu, type AiuOptions } from '@aiu/server';
import * as z from 'zod/mini';
import { CliError, redactUrl } from './errors';
import { aiuOptions, describeStore, masterKeyProblem, type Settings } from './settings';

export interface CallInit {
  method?: string;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  signal?: AbortSignal;
}

/**
 * How a command reaches aiu: in this process on the configured store, or a running server over
 * HTTP (`--url`). Both speak aiu's own routes, so every command's output is the same either way.
 */
export interface Connection {
  /** What the command is talking to, for messages: `SQLite .aiu/aiu.db` or the URL. */
  readonly where: string;
  readonly remote: boolean;
  call(path: string, init?: CallInit): Promise<Response>;
  close(): Promise<void>;
}

const LOCAL_ORIGIN = 'http://aiu.local';

/** Options for the local one: the operator at this shell may do everything, and sees every owner. */
export async function connect(settings: Settings, warn: (message: string) => void): Promise<Connection> {
  return settings.url ? remoteConnection(settings) : localConnection(settings, warn);
}

async function localConnection(settings: Settings, warn: (message: string) => void): Promise<Connection> {
  const aiu = await openAiu(settings, {
    // Whoever runs the CLI holds the master key and the database already: the guarded routes are theirs.
    authorize: () => true,
    identify: undefined,
    logger: settings.config.logger ?? { warn },
  });
  const where = describeStore(settings.databaseUrl);
  return {
    where,
    remote: false,
    call(path, init = {}) {
      const request = new Request(`${LOCAL_ORIGIN}${path}${queryString(init.query)}`, requestInit(init));
      return aiu.handleRoute(request, path, { clientAddress: '127.0.0.1' });
    },
    close: () => aiu.close(),
  };
}

/**
 * An aiu on this machine's settings, its store open: what the local commands and `serve` run on.
 * Its failures as the CLI reports them — no master key in production, a bad option, a store that
 * cannot be opened.
 */
export async function openAiu(settings: Settings, overrides: Partial<AiuOptions>): Promise<Aiu> {
  // In production aiu refuses to start without one; say so as the CLI would.
  const noMasterKey = settings.env.NODE_ENV === 'production' ? masterKeyProblem(settings) : null;
  if (noMasterKey) throw noMasterKey;
  let aiu: Aiu;
  try {
    aiu = createAiu(await aiuOptions(settings, overrides));
  } catch (error) {
    throw new CliError('invalid_config', (error as Error).message, settings.configPath ? { hint: `check ${settings.configPath}` } : {});
  }
  try {
    await aiu.store();
  } catch (error) {
    await aiu.close({ timeoutMs: 0 }).catch(() => {});
    throw storeError(settings.databaseUrl, error);
  }
  return aiu;
}

export function storeError(databaseUrl: string, error: unknown): CliError {
  const reason = redactUrl(error instanceof Error ? error.message : String(error));
  return new CliError('store_unreachable', `Could not open the store (${describeStore(databaseUrl)}): ${reason}`, {
    hint: 'check AIU_DATABASE_URL (aiu init writes it), or that the database is running',
    cause: error,
  });
}

function remoteConnection(settings: Settings): Connection {
  const base = settings.url as string;
  return {
    where: base,
    remote: true,
    async call(path, init = {}) {
      const request = requestInit(init);
      const headers = new Headers(request.headers);
      if (settings.clientKey) headers.set('authorization', `Bearer ${settings.clientKey}`);
      try {
        return await fetch(`${base}${path}${queryString(init.query)}`, { ...request, headers });
      } catch (error) {
        if (init.signal?.aborted) throw error;
        const cause = (error as { cause?: { code?: string; message?: string } }).cause;
        throw new CliError('upstream_unreachable', `Could not reach aiu at ${base}: ${cause?.code ?? cause?.message ?? (error as Error).message}`, {
          hint: 'is `aiu serve` running there? Check --url / AIU_URL',
        });
      }
    },
    close: () => Promise.resolve(),
  };
}

function requestInit(init: CallInit): RequestInit {
  const headers: Record<string, string> = { accept: 'application/json, text/event-stream' };
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  return {
    method: init.method ?? (init.body === undefined ? 'GET' : 'POST'),
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    ...(init.signal ? { signal: init.signal } : {}),
  };
}

function queryString(query: CallInit['query']): string {
  if (!query) return '';
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) if (value !== undefined && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The answer's JSON, checked against the wire schema; an error answer becomes a CliError with the server's code. */
export async function readJson<T>(response: Response, schema: z.ZodMiniType<T>): Promise<T> {
  const text = await (await ensureOk(response)).text();
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new CliError('invalid_response', `aiu answered ${response.status} with something that is not JSON.`);
  }
  const parsed = z.safeParse(schema, value);
  if (!parsed.success) throw new CliError('invalid_response', `aiu's answer does not match this CLI's version: ${z.prettifyError(parsed.error).split('\n')[0]}`);
  return parsed.data;
}

/** The answer, if it is not an error; an error answer becomes a CliError with the server's code. */
export async function ensureOk(response: Response): Promise<Response> {
  if (!response.ok) throw await errorOf(response);
  return response;
}

export async function errorOf(response: Response): Promise<CliError> {
  const text = await response.text().catch(() => '');
  try {
    const body = ErrorBodySchema.parse(JSON.parse(text));
    return new CliError(body.error.code, body.error.message);
  } catch {
    return new CliError(response.status === 404 ? 'not_found' : 'upstream_error', `aiu answered ${response.status} ${response.statusText}`.trim());
  }
}

