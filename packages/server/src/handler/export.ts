import { InvalidRequestError, type LogEntry, LogQuerySchema } from '@aiu/core';
import type { IncomingRequest } from './incoming';
import { toLogEntry } from '../log/types';
import { parseOrThrow } from './body';
import { logFilter } from './logs';
import type { RouteContext } from './context';
import type { RouteResult } from './reply';
import { readScope } from './scope';
import { yieldToEventLoop } from '../util/yieldToEventLoop';

const PAGE = 200;
const ROWS_PER_PIECE = 100;

const COLUMNS: Array<keyof LogEntry | 'costInput' | 'costOutput' | 'costTotal'> = [
  'id', 'time', 'userId', 'projectId', 'provider', 'model', 'status', 'errorCode', 'attempts', 'inputTokens', 'outputTokens',
  'cachedInputTokens', 'cacheWriteTokens', 'reasoningTokens', 'totalTokens', 'estimated', 'costInput', 'costOutput', 'costTotal',
  'latencyMs', 'ttftMs', 'queueMs', 'savedByCache', 'metadata',
];

/** RFC 4180: quote a field holding a comma, quote, CR or LF, doubling its quotes. */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  const text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) || text !== text.trim() ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvRow(entry: LogEntry): string {
  return `${COLUMNS.map((column) => {
    if (column === 'costInput') return csvField(entry.cost?.input ?? null);
    if (column === 'costOutput') return csvField(entry.cost?.output ?? null);
    if (column === 'costTotal') return csvField(entry.cost?.total ?? null);
    return csvField(entry[column as keyof LogEntry]);
  }).join(',')}\r\n`;
}

/**
 * The log as CSV or JSON Lines, streamed page by page through the (time, id) cursor:
 * memory stays flat however many rows there are.
 */
export async function exportRoute(request: IncomingRequest, _params: Record<string, string>, ctx: RouteContext): Promise<RouteResult> {
  const params = Object.fromEntries(new URL(request.url).searchParams);
  const format = params.format ?? 'csv';
  if (format !== 'csv' && format !== 'jsonl') throw new InvalidRequestError('format must be "csv" or "jsonl".');
  const { format: _format, user: _user, limit: _limit, cursor: _cursor, ...filters } = params;
  const query = parseOrThrow(LogQuerySchema, filters, 'export query');
  const filter = logFilter(query, await readScope(request, ctx, 'logs:read'));
  await ctx.log.flush();
  const store = await ctx.store();

  async function* pages(): AsyncGenerator<string> {
    if (format === 'csv') yield `${COLUMNS.join(',')}\r\n`;
    let before: { time: number; id: string } | undefined;
    for (;;) {
      // Reading and formatting a page is synchronous: give other requests the event loop between pages.
      await yieldToEventLoop();
      const page = await store.listLogs({ ...filter, limit: PAGE, before });
      // Pieces of 100 rows (~15 kB): a whole page as one string is a large object, which the
      // garbage collector keeps until a full collection (a million rows left 27 MB of them).
      let chunk = '';
      for (let i = 0; i < page.length; i++) {
        const entry = toLogEntry(page[i] as (typeof page)[number]);
        chunk += format === 'csv' ? csvRow(entry) : `${JSON.stringify(entry)}\n`;
        if (i % ROWS_PER_PIECE === ROWS_PER_PIECE - 1) {
          yield chunk;
          chunk = '';
        }
      }
      if (chunk) yield chunk;
      const last = page[page.length - 1];
      if (!last || page.length < PAGE) return;
      before = { time: last.time, id: last.id };
    }
  }

  const date = new Date().toISOString().slice(0, 10);
  // Text, not bytes: the Node bridge writes it straight to the socket, where encoding leaves no
  // buffers behind for the garbage collector (a million rows of them grew the heap by 80 MB).
  return {
    status: 200,
    headers: {
      'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
      'content-disposition': `attachment; filename="aiu-logs-${date}.${format}"`,
      'cache-control': 'no-store',
    },
    chunks: pages(),
  };
}
