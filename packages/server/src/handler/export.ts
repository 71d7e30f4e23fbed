import { InvalidRequestError, LogQuerySchema } from '@aiu/core';
import { pullChunks } from '../http/pull';
import { PulledResponse } from '../http/responses';
import { exportText } from '../log/exportFormat';
import { parseOrThrow } from './body';
import { logFilter } from './logs';
import type { RouteContext } from './context';
import { readScope } from './scope';

/** GET /logs/export: the caller's log as a CSV or JSON Lines download, streamed. */
export async function exportRoute(request: Request, _params: Record<string, string>, ctx: RouteContext): Promise<Response> {
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const format = params.format ?? 'csv';
  if (format !== 'csv' && format !== 'jsonl') throw new InvalidRequestError('format must be "csv" or "jsonl".');
  const { format: _format, user: _user, limit: _limit, cursor: _cursor, ...filters } = params;
  const query = parseOrThrow(LogQuerySchema, filters, 'export query');
  const filter = logFilter(query, await readScope(request, ctx, 'logs:read'), ctx.identity);
  await ctx.log.flush();
  const store = await ctx.store();

  // A store may export on its own (SQLite: in a worker, away from this thread's heap and event loop).
  const chunks = store.exportLogs ? store.exportLogs(filter, format) : exportText((q) => store.listLogs(q), filter, format);

  const date = new Date().toISOString().slice(0, 10);
  return new PulledResponse(
    200,
    {
      'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      'content-disposition': `attachment; filename="aiu-logs-${date}.${format}"`,
      'cache-control': 'no-store',
    },
    pullChunks(chunks),
  );
}
