import type { KeyRow, KeyScope, KeyStatus } from '../keyring/types';

/** A key row as SQL stores keep it (snake_case, scopes as a comma list). */
export interface KeyRecord {
  owner: string;
  provider: string;
  alias: string;
  ciphertext: string;
  iv: string;
  master_key_id: string;
  hint: string;
  scopes: string;
  status: string;
  created_at: number | string;
  updated_at: number | string;
  last_validated_at: number | string | null;
}

export const KEY_COLUMNS = 'owner, provider, alias, ciphertext, iv, master_key_id, hint, scopes, status, created_at, updated_at, last_validated_at';

export function fromKeyRecord(record: KeyRecord): KeyRow {
  return {
    owner: record.owner,
    provider: record.provider,
    alias: record.alias,
    ciphertext: record.ciphertext,
    iv: record.iv,
    masterKeyId: record.master_key_id,
    hint: record.hint,
    scopes: record.scopes ? (record.scopes.split(',') as KeyScope[]) : [],
    status: record.status as KeyStatus,
    createdAt: Number(record.created_at),
    updatedAt: Number(record.updated_at),
    lastValidatedAt: record.last_validated_at === null ? null : Number(record.last_validated_at),
  };
}

export function toKeyParams(row: KeyRow): unknown[] {
  return [row.owner, row.provider, row.alias, row.ciphertext, row.iv, row.masterKeyId, row.hint, row.scopes.join(','), row.status, row.createdAt, row.updatedAt, row.lastValidatedAt];
}
