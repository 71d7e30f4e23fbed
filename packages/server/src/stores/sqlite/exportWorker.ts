// Runs in a worker thread: reads the log through its own read-only connection and posts the
// export's UTF-8 bytes, one piece per credit the main thread grants. Its heap, young
// generation and page cache are its own and small, so an export of any size leaves the
// server's memory where it was.
import { parentPort, workerData } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';
import { type ExportFormat, exportText } from '../../log/exportFormat';
import type { LogFilter } from '../../log/types';
import { fromRow, type Row, selectLogs } from './logRows';
import { prepared } from './statements';

export interface ExportJob {
  path: string;
  filter: LogFilter;
  format: ExportFormat;
}

/** What the worker posts: a piece of the export, the end, or why it failed. */
export type ExportMessage = { piece: string } | { done: true } | { error: string };

/** Pages a SQLite log file into `post`, waiting for credit before each piece. */
export async function runExport(job: ExportJob, port: { on(event: 'message', listener: (credit: number) => void): unknown; postMessage(message: ExportMessage): void }): Promise<void> {
  const { default: Database } = (await import('better-sqlite3')) as { default: typeof BetterSqlite3 };
  const db = new Database(job.path, { readonly: true, fileMustExist: true });
  let credit = 0;
  let wake: (() => void) | undefined;
  port.on('message', (granted) => {
    credit += granted;
    wake?.();
  });
  try {
    // A small page cache: the export reads each page once.
    db.pragma('cache_size = -1024');
    db.pragma('busy_timeout = 5000');
    const list = async (query: Parameters<typeof selectLogs>[0]) => {
      const { sql, params } = selectLogs(query);
      return (prepared(db, sql).all(params) as Row[]).map(fromRow);
    };
    for await (const text of exportText(list, job.filter, job.format)) {
      while (credit === 0) await new Promise<void>((resolve) => (wake = resolve));
      credit--;
      port.postMessage({ piece: text });
    }
    port.postMessage({ done: true });
  } catch (error) {
    port.postMessage({ error: error instanceof Error ? error.message : String(error) });
  } finally {
    db.close();
  }
}

if (parentPort && (workerData as { aiuExport?: ExportJob } | undefined)?.aiuExport) {
  void runExport((workerData as { aiuExport: ExportJob }).aiuExport, parentPort);
}
