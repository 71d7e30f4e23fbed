import type { ClientKeyRow } from '../clientKeys/types';

/** A client key row as SQL stores keep it (snake_case, models as JSON text). */
export interface ClientKeyRecord {
  id: string;
  owner: string;
  user_id: string | null;
  project_id: string | null;
  name: string;
  secret_hash: string;
  hint: string;
  models: string | null;
  rpm: number | null;
  tpm: number | null;
  daily_usd: number | null;
  monthly_usd: number | null;
  created_at: number | string;
  expires_at: number | string | null;
  last_used_at: number | string | null;
  revoked_at: number | string | null;
}

export const CLIENT_KEY_COLUMNS =
  'id, owner, user_id, project_id, name, secret_hash, hint, models, rpm, tpm, daily_usd, monthly_usd, created_at, expires_at, last_used_at, revoked_at';

const time = (value: number | string | null) => (value === null ? null : Number(value));

export function fromClientKeyRecord(record: ClientKeyRecord): ClientKeyRow {
  return {
    id: record.id,
    owner: record.owner,
    userId: record.user_id,
    projectId: record.project_id,
    name: record.name,
    secretHash: record.secret_hash,
    hint: record.hint,
    models: record.models === null ? null : (JSON.parse(record.models) as string[]),
    rpm: record.rpm === null ? null : Number(record.rpm),
    tpm: record.tpm === null ? null : Number(record.tpm),
    dailyUsd: record.daily_usd === null ? null : Number(record.daily_usd),
    monthlyUsd: record.monthly_usd === null ? null : Number(record.monthly_usd),
    createdAt: Number(record.created_at),
    expiresAt: time(record.expires_at),
    lastUsedAt: time(record.last_used_at),
    revokedAt: time(record.revoked_at),
  };
}

export function toClientKeyParams(row: ClientKeyRow): unknown[] {
  return [
    row.id, row.owner, row.userId, row.projectId, row.name, row.secretHash, row.hint, row.models === null ? null : JSON.stringify(row.models),
    row.rpm, row.tpm, row.dailyUsd, row.monthlyUsd, row.createdAt, row.expiresAt, row.lastUsedAt, row.revokedAt,
  ];
}
