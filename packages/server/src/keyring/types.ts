export const KEY_SCOPES = ['chat', 'embed', 'models'] as const;
export type KeyScope = (typeof KEY_SCOPES)[number];
export type KeyStatus = 'valid' | 'invalid' | 'unknown';

/** A stored provider key: the secret only as ciphertext, bound to (owner, provider, alias). */
export interface KeyRow {
  /** '' for calls without an identity. */
  owner: string;
  provider: string;
  alias: string;
  ciphertext: string;
  iv: string;
  masterKeyId: string;
  /** The last four characters, for people to recognise their key. */
  hint: string;
  scopes: KeyScope[];
  status: KeyStatus;
  createdAt: number;
  updatedAt: number;
  lastValidatedAt: number | null;
}

export interface KeyStore {
  get(owner: string, provider: string, alias: string): Promise<KeyRow | null>;
  list(owner: string): Promise<KeyRow[]>;
  /** `conflict` when the alias exists and `replace` is false. */
  put(row: KeyRow, options: { replace: boolean }): Promise<'created' | 'replaced' | 'conflict'>;
  delete(owner: string, provider: string, alias: string): Promise<boolean>;
  setStatus(owner: string, provider: string, alias: string, status: KeyStatus, validatedAt: number): Promise<void>;
  /** Rewrites every row in one transaction (master-key rotation); returns how many. */
  rewriteAll(transform: (rows: KeyRow[]) => Promise<KeyRow[]>): Promise<number>;
}
