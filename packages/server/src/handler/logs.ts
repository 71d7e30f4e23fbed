import { InvalidRequestError, type LogPage, type LogQuery, LogQuerySchema, NotFoundError } from '@aiu/core';
import type { Identity } from '../identity';
import type { LogFilter } from '../log/types';
import { toLogEntry } from '../log/types';
import { parseOrThrow } from './body';
import type { RouteContext } from './context';
import { type ReadScope, readScope } from './scope';
import { json } from './respond';
import { toBase64Url } from '../util/base64url';

export async function logsRoute(request: Request, _params: Record<string, string>, ctx: RouteContext): Promise<Response> {
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const query = parseOrThrow(LogQuerySchema, params, 'log query');
  const limit = query.limit ?? 50;
  // Read-your-writes: whatever is queued for the store is written before we read.
  await ctx.log.flush();
  const store = await ctx.store();
  const scope = await readScope(request, ctx, 'logs:read');
  const records = await store.listLogs({
    ...logFilter(query, scope, ctx.identity),
    limit: limit + 1,
    before: query.cursor ? decodeCursor(query.cursor) : undefined,
  });
  const page = records.slice(0, limit);
  const last = page[page.length - 1];
  const body: LogPage = {
    entries: page.map(toLogEntry),
    nextCursor: records.length > limit && last ? encodeCursor(last.time, last.id) : null,
  };
  return json(body);
}

/** GET /logs/:id: one entry — its attempts, steps and tool calls — scoped and guarded like the log. */
export async function logEntryRoute(request: Request, params: Record<string, string>, ctx: RouteContext): Promise<Response> {
  const id = params.id ?? '';
  if (!/^req_[a-z0-9]{1,64}$/.test(id)) throw new NotFoundError('No log entry with that id.');
  await ctx.log.flush();
  const store = await ctx.store();
  const scope = await readScope(request, ctx, 'logs:read');
  const [record] = await store.listLogs({ limit: 1, id, ...scope, clientKeyId: ctx.identity.clientKeyId ?? undefined });
  // Another owner's entry answers exactly like a missing one.
  if (!record) throw new NotFoundError('No log entry with that id.');
  return json(toLogEntry(record));
}

/**
 * The store query for a validated log query and the caller's scope.
 * A caller with a client key reads only that key's calls, whatever it asks for.
 */
export function logFilter(query: LogQuery, scope: ReadScope, caller: Identity): LogFilter {
  return {
    userId: scope.userId,
    projectId: scope.projectId,
    clientKeyId: caller.clientKeyId ?? query.clientKey,
    provider: query.provider,
    model: query.model,
    status: query.status,
    from: query.from ? Date.parse(query.from) : undefined,
    to: query.to ? Date.parse(query.to) : undefined,
  };
}

/** Opaque to clients; (time, id) inside, so paging never skips or repeats while rows arrive. */
export function encodeCursor(time: number, id: string): string {
  return toBase64Url(btoa(JSON.stringify([time, id])));
}

export function decodeCursor(cursor: string): { time: number; id: string } {
  try {
    const [time, id] = JSON.parse(atob(cursor.replace(/-/g, '+').replace(/_/g, '/'))) as unknown[];
    if (typeof time === 'number' && typeof id === 'string') return { time, id };
  } catch {
    // fall through
  }
  throw new InvalidRequestError('The cursor is not one this server issued.');
}
