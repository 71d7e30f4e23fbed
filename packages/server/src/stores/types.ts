import type { ClientKeyStore } from '../clientKeys/types';
import type { KeyStore } from '../keyring/types';
import type { RollupQuery, RollupRow } from '../log/rollup';
import type { ExportFormat } from '../log/exportFormat';
import type { LogFilter, LogListQuery, LogRecord } from '../log/types';

/** The one interface every store implements; a conformance suite runs against each. */
export interface AiuStore {
  readonly kind: string;
  /** Opens connections and runs migrations; called once before first use. */
  init(): Promise<void>;
  insertLogs(records: ReadonlyArray<LogRecord>): Promise<void>;
  /** Newest first, ordered by (time, id) descending. */
  listLogs(query: LogListQuery): Promise<LogRecord[]>;
  /**
   * Optional: the whole filtered log as export text (newest first), pulled a piece at a time.
   * Stores without it are exported by paging through `listLogs`.
   */
  exportLogs?(filter: LogFilter, format: ExportFormat): AsyncGenerator<string>;
  /** Usage rollups (kept in step with the log by `insertLogs`) for a slot range. */
  usageRollups(query: RollupQuery): Promise<RollupRow[]>;
  /** Encrypted provider keys. */
  readonly keys: KeyStore;
  /** Client keys aiu issued (`POST /client-keys`). A store without them answers those routes 501. */
  readonly clientKeys?: ClientKeyStore;
  close(): Promise<void>;
}
