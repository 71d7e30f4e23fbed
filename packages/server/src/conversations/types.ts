/** A stored thread as stores keep it: the messages and the app's metadata as one JSON text. */
export interface ConversationRow {
  /** Whose thread it is (`user:…`, `project:…`, '' without `identify`): ids are per owner. */
  owner: string;
  id: string;
  title: string;
  model: string | null;
  messageCount: number;
  /** `{ messages, metadata }` as JSON: stores keep it whole and never look inside. */
  body: string;
  createdAt: number;
  updatedAt: number;
  /** 1 on the first save, one more on each save after. */
  version: number;
}

export type ConversationSummaryRow = Omit<ConversationRow, 'body'>;

export type SaveOutcome = { saved: ConversationRow } | { conflict: { version: number | null } };

/** Threads in a store; every store implements it and runs the conformance suite. */
export interface ConversationStore {
  /** Newest save first, ordered by (updatedAt, id) descending; `before` pages on. */
  list(owner: string, query: { limit: number; before?: { updatedAt: number; id: string } }): Promise<ConversationSummaryRow[]>;
  get(owner: string, id: string): Promise<ConversationRow | null>;
  /**
   * Creates or replaces the thread in one step. With `expectedVersion`, only when the stored
   * version is that one (0: only when there is none yet); otherwise the stored version comes back
   * as a conflict and nothing changes. `createdAt` is kept from the first save.
   */
  save(row: Omit<ConversationRow, 'version'>, expectedVersion?: number): Promise<SaveOutcome>;
  remove(owner: string, id: string): Promise<boolean>;
}
