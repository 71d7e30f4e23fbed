import type { ClientKeyStore } from '../clientKeys/types';
import type { ConversationStore } from '../conversations/types';
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
  /** Stored threads (`/conversations`). A store without them answers those routes 501. */
  readonly conversations?: ConversationStore;
  /**
   * Calls in flight, recorded before they leave (a store that outlives the process has it):
   * what a crash leaves behind becomes an `interrupted` entry on the next start. `insertLogs`
   * removes a call's pending record in the transaction that writes its entry.
   */
  readonly pending?: PendingLog;
  close(): Promise<void>;
}

/** A process writing to the store, as its heartbeat describes it. */
export interface StoreInstance {
  id: string;
  host: string;
  pid: number;
}

/** An instance with calls still pending; `seenAt` null when it left no heartbeat. */
export interface PendingInstance {
  id: string;
  host: string | null;
  pid: number | null;
  seenAt: number | null;
}

export interface PendingLog {
  /** Records a call about to leave; durable once it returns (or resolves). */
  begin(record: LogRecord, instanceId: string): void | Promise<void>;
  /** Says this instance is alive (and who it is, to tell a dead one on the same host at once). */
  heartbeat(instance: StoreInstance, now: number): Promise<void>;
  instancesWithPending(): Promise<PendingInstance[]>;
  /** Moves these instances' pending calls into the log as recorded, in one transaction; how many. */
  recover(instanceIds: ReadonlyArray<string>): Promise<number>;
  /** A clean shutdown: the instance is gone (its calls were all logged). */
  leave(instanceId: string): Promise<void>;
}
