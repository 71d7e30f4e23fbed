/** A schema migration: versioned and append-only — never edit a shipped one, add the next. */
export interface Migration {
  version: number;
  name: string;
  sql: string;
  /** A change SQL alone cannot make (SQLite: a table rebuilt with a widened CHECK), run after `sql`. */
  run?: (db: never) => void;
  /** Recompute the usage rollups from the log after the SQL ran (rollups are derived data). */
  rebuildRollups?: true;
  /** Rebuild them only when this query returns a row (a rebuild reads the whole log: skip it when nothing changes). */
  rebuildRollupsIf?: string;
}
