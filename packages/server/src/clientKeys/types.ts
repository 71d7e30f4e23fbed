/** A client key as stores keep it: the secret only as its SHA-256. */
export interface ClientKeyRow {
  id: string;
  /** Whose key it is (`user:…`, `project:…`, '' without `identify`): who may list and revoke it. */
  owner: string;
  /** The identity calls made with the key are logged under. */
  userId: string | null;
  projectId: string | null;
  name: string;
  /** Hex SHA-256 of the whole secret (`aiu_…`). */
  secretHash: string;
  /** The secret's last four characters. */
  hint: string;
  /** Model ids, `provider:*` or route names; null = every model. */
  models: string[] | null;
  rpm: number | null;
  tpm: number | null;
  dailyUsd: number | null;
  monthlyUsd: number | null;
  createdAt: number;
  expiresAt: number | null;
  lastUsedAt: number | null;
  revokedAt: number | null;
}

/** Client keys in a store; every store implements it and runs the conformance suite. */
export interface ClientKeyStore {
  insert(row: ClientKeyRow): Promise<void>;
  /** Newest first; every owner's when `owner` is undefined. */
  list(owner: string | undefined): Promise<ClientKeyRow[]>;
  get(id: string): Promise<ClientKeyRow | null>;
  findByHash(secretHash: string): Promise<ClientKeyRow | null>;
  /** Marks the key revoked (once: a revoked key keeps its first revocation time); false when no such active key. */
  revoke(id: string, at: number): Promise<boolean>;
  /** Moves `lastUsedAt` forward (never back). */
  touch(id: string, at: number): Promise<void>;
}
