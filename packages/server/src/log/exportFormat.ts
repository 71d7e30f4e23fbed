import { yieldToEventLoop } from '../util/yieldToEventLoop';
import { type LogFilter, type LogListQuery, type LogRecord, parseMetadata, toLogEntry } from './types';

export type ExportFormat = 'csv' | 'jsonl';

/** Rows read per query. */
const PAGE = 200;

/** Rows per text piece: ~15 kB, small enough that no piece is a large object for the collector. */
const ROWS_PER_PIECE = 100;

/**
 * CSV columns straight from the stored record, as `toLogEntry` shows them: building a whole
 * LogEntry per row (attempts parsed, a cost object) only to flatten it again is garbage a
 * million-row export does not need.
 */
const CSV_COLUMNS: ReadonlyArray<readonly [name: string, value: (record: LogRecord) => unknown]> = [
  ['id', (r) => r.id],
  ['time', (r) => new Date(r.time).toISOString()],
  ['userId', (r) => r.userId],
  ['clientKeyId', (r) => r.clientKeyId ?? null],
  ['projectId', (r) => r.projectId],
  ['provider', (r) => r.provider],
  ['model', (r) => r.model],
  ['status', (r) => r.status],
  ['errorCode', (r) => r.errorCode],
  ['attempts', (r) => r.attempts],
  ['inputTokens', (r) => r.inputTokens],
  ['outputTokens', (r) => r.outputTokens],
  ['cachedInputTokens', (r) => r.cachedInputTokens],
  ['cacheWriteTokens', (r) => r.cacheWriteTokens],
  ['reasoningTokens', (r) => r.reasoningTokens],
  ['totalTokens', (r) => r.totalTokens],
  ['estimated', (r) => r.estimated],
  ['costInput', (r) => (r.costTotal === null ? null : (r.costInput ?? 0))],
  ['costOutput', (r) => (r.costTotal === null ? null : (r.costOutput ?? 0))],
  ['costTotal', (r) => r.costTotal],
  ['latencyMs', (r) => r.latencyMs],
  ['ttftMs', (r) => r.ttftMs],
  ['queueMs', (r) => r.queueMs],
  ['savedByCache', (r) => r.savedUsd],
  ['metadata', (r) => parseMetadata(r.metadata)],
  // The trace as stored (JSON): a spreadsheet shows it, a script parses it.
  ['steps', (r) => r.stepDetails ?? '[]'],
  ['toolCalls', (r) => r.toolCallDetails ?? '[]'],
  // Billing dimensions, appended so the columns above keep their places; empty where not reported.
  ['cacheWrite5mTokens', (r) => (typeof r.cacheWrite1hTokens === 'number' ? r.cacheWriteTokens - r.cacheWrite1hTokens : null)],
  ['cacheWrite1hTokens', (r) => r.cacheWrite1hTokens ?? null],
  ['audioInputTokens', (r) => r.audioInputTokens ?? null],
  ['audioOutputTokens', (r) => r.audioOutputTokens ?? null],
  ['imageInputTokens', (r) => r.imageInputTokens ?? null],
  ['toolUsePromptTokens', (r) => r.toolUsePromptTokens ?? null],
  ['serverToolRequests', (r) => r.serverToolRequests ?? null],
  ['serviceTier', (r) => r.serviceTier ?? null],
  ['costSource', (r) => r.costSource ?? null],
  ['catalogCost', (r) => r.catalogCost ?? null],
  ['costAudio', (r) => r.costAudio ?? null],
  ['costServerTools', (r) => r.costServerTools ?? null],
  ['guardrails', (r) => r.guardrails ?? '[]'],
];

export const CSV_HEADER = `${CSV_COLUMNS.map(([name]) => name).join(',')}\r\n`;

/** A field RFC 4180 needs quoted (comma, quote, CR, LF), or one whose edge spaces a reader would trim. */
const NEEDS_QUOTES = /[",\r\n]|^\s|\s$/;

/** A text cell a spreadsheet would run as a formula (OWASP: =, +, -, @, tab, carriage return first). */
const FORMULA_START = /^[=+\-@\t\r]/;

/**
 * RFC 4180: quote a field holding a comma, quote, CR or LF, doubling its quotes. A text cell
 * that a spreadsheet would read as a formula (`=HYPERLINK(…)` as a user id) gets a leading `'`,
 * as OWASP recommends, so it shows as text; numbers stay numbers.
 */
export function csvField(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  let text = typeof value === 'object' ? JSON.stringify(value) : String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return NEEDS_QUOTES.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

function csvRow(record: LogRecord): string {
  let row = '';
  for (let i = 0; i < CSV_COLUMNS.length; i++) {
    if (i > 0) row += ',';
    row += csvField((CSV_COLUMNS[i] as (typeof CSV_COLUMNS)[number])[1](record));
  }
  return `${row}\r\n`;
}

/** A page of records as text pieces, so the records are garbage before the first piece is written. */
function formatPage(page: ReadonlyArray<LogRecord>, format: ExportFormat): string[] {
  const pieces: string[] = [];
  let piece = '';
  for (let i = 0; i < page.length; i++) {
    const record = page[i] as LogRecord;
    piece += format === 'csv' ? csvRow(record) : `${JSON.stringify(toLogEntry(record))}\n`;
    if (i % ROWS_PER_PIECE === ROWS_PER_PIECE - 1) {
      pieces.push(piece);
      piece = '';
    }
  }
  if (piece) pieces.push(piece);
  return pieces;
}

/**
 * The log as CSV or JSON Lines text, page by page through the (time, id) cursor: memory stays
 * flat however many rows there are, and a slow reader holds the reads back.
 */
export async function* exportText(
  list: (query: LogListQuery) => Promise<LogRecord[]>,
  filter: LogFilter,
  format: ExportFormat,
): AsyncGenerator<string> {
  if (format === 'csv') yield CSV_HEADER;
  let before: { time: number; id: string } | undefined;
  for (;;) {
    // Reading and formatting a page is synchronous: give other requests the event loop between pages.
    await yieldToEventLoop();
    const page = await list({ ...filter, limit: PAGE, before });
    const last = page[page.length - 1];
    const more = page.length === PAGE && last !== undefined;
    if (last) before = { time: last.time, id: last.id };
    const pieces = formatPage(page, format);
    page.length = 0;
    yield* pieces;
    if (!more) return;
  }
}
