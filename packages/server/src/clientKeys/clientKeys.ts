import { AiuError, type ClientKeySummary, type CreateClientKeyRequest } from '@aiu/core';
import type { Identity } from '../identity';
import { ownerOf } from '../keyring/resolve';
import type { AiuStore } from '../stores/types';
import { hashSecret, looksLikeClientKey, newClientKeyId, newClientKeySecret, sameHash } from './secret';
import type { ClientKeyRow, ClientKeyStore } from './types';

/**
 * How long an instance trusts what it read about a key. A key revoked on another instance
 * sharing the store stops working here within this time plus one store read, so it stays
 * well under the one second the contract promises.
 */
export const CLIENT_KEY_CACHE_MS = 500;
/** `lastUsedAt` is written at most this often per key and instance: not a write per request. */
const TOUCH_EVERY_MS = 60_000;
const MAX_CACHED = 10_000;

interface Cached {
  row: ClientKeyRow | null;
  checkedAt: number;
  loading?: Promise<ClientKeyRow | null> | undefined;
}

export interface ClientKeyOptions {
  cacheMs?: number;
  warn?: (message: string) => void;
}

/** Issues, lists, revokes and recognises client keys (`aiu_…`), with a short cache on the request path. */
export class ClientKeys {
  private readonly cache = new Map<string, Cached>();
  private readonly identities = new WeakMap<Identity, ClientKeyRow>();
  private readonly touched = new Map<string, number>();
  private readonly cacheMs: number;

  constructor(
    private readonly store: () => Promise<AiuStore>,
    private readonly options: ClientKeyOptions = {},
  ) {
    this.cacheMs = options.cacheMs ?? CLIENT_KEY_CACHE_MS;
  }

  async create(creator: Identity, input: CreateClientKeyRequest, now = Date.now()): Promise<{ row: ClientKeyRow; secret: string }> {
    const expiresAt = input.expiresAt === undefined ? null : Date.parse(input.expiresAt);
    if (expiresAt !== null && expiresAt <= now) throw new AiuError('invalid_request', 'expiresAt is in the past.', { details: { field: 'expiresAt' } });
    const secret = newClientKeySecret();
    const row: ClientKeyRow = {
      id: newClientKeyId(),
      owner: ownerOf(creator),
      userId: creator.userId ?? null,
      projectId: creator.projectId ?? null,
      name: input.name,
      secretHash: await hashSecret(secret),
      hint: secret.slice(-4),
      models: input.models ?? null,
      rpm: input.rpm ?? null,
      tpm: input.tpm ?? null,
      dailyUsd: input.budget?.dailyUsd ?? null,
      monthlyUsd: input.budget?.monthlyUsd ?? null,
      createdAt: now,
      expiresAt,
      lastUsedAt: null,
      revokedAt: null,
    };
    await (await this.keys()).insert(row);
    return { row, secret };
  }

  /** The owner's keys (every owner's when `owner` is undefined), newest first. */
  async list(owner: string | undefined): Promise<ClientKeyRow[]> {
    return (await this.keys()).list(owner);
  }

  /** Revokes the key if `owner` (undefined: anyone's) owns it: the revoked row, or null when there is no such active key. */
  async revoke(id: string, owner: string | undefined, now = Date.now()): Promise<ClientKeyRow | null> {
    const keys = await this.keys();
    const row = await keys.get(id);
    if (!row || row.revokedAt !== null || (owner !== undefined && row.owner !== owner)) return null;
    if (!(await keys.revoke(id, now))) return null;
    const revoked = { ...row, revokedAt: now };
    // On this instance, at once: the cached row goes with the revocation.
    this.cache.set(row.secretHash, { row: revoked, checkedAt: Date.now() });
    return revoked;
  }

  /**
   * The identity a request's client key stands for, or a 401 that says why not. Cached for
   * `cacheMs`: a hit costs a hash and a map lookup.
   */
  async authenticate(secret: string, now = Date.now()): Promise<Identity> {
    if (!looksLikeClientKey(secret)) throw unauthorized('This is not an aiu client key.');
    const hashed = hashSecret(secret);
    const hash = typeof hashed === 'string' ? hashed : await hashed;
    const row = await this.lookup(hash, now);
    if (!row || !sameHash(row.secretHash, hash)) throw unauthorized('This client key is not known.');
    if (row.revokedAt !== null) throw unauthorized(`Client key ${row.id} was revoked.`);
    if (row.expiresAt !== null && row.expiresAt <= now) throw unauthorized(`Client key ${row.id} expired at ${new Date(row.expiresAt).toISOString()}.`);
    this.touch(row, now);
    const identity: Identity = { userId: row.userId, projectId: row.projectId, roles: [], clientKeyId: row.id };
    this.identities.set(identity, row);
    return identity;
  }

  /** The key a request authenticated with, for its limits: undefined for calls without one. */
  policyOf(identity: Identity): ClientKeyRow | undefined {
    return identity.clientKeyId ? this.identities.get(identity) : undefined;
  }

  private async keys(): Promise<ClientKeyStore> {
    const store = await this.store();
    if (!store.clientKeys) throw new AiuError('not_implemented', `The ${store.kind} store keeps no client keys.`);
    return store.clientKeys;
  }

  private lookup(hash: string, now: number): Promise<ClientKeyRow | null> | ClientKeyRow | null {
    const cached = this.cache.get(hash);
    if (cached && now - cached.checkedAt < this.cacheMs) return cached.row;
    if (cached?.loading) return cached.loading;
    const entry: Cached = cached ?? { row: null, checkedAt: -Infinity };
    entry.loading = this.keys()
      .then((keys) => keys.findByHash(hash))
      .then(
        (row) => {
          entry.row = row;
          entry.checkedAt = Date.now();
          entry.loading = undefined;
          return row;
        },
        (error: unknown) => {
          entry.loading = undefined;
          throw error;
        },
      );
    if (!cached) {
      if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value as string);
      this.cache.set(hash, entry);
    }
    return entry.loading;
  }

  private touch(row: ClientKeyRow, now: number): void {
    const last = this.touched.get(row.id) ?? row.lastUsedAt ?? -Infinity;
    if (now - last < TOUCH_EVERY_MS) return;
    this.touched.set(row.id, now);
    row.lastUsedAt = now;
    void this.keys()
      .then((keys) => keys.touch(row.id, now))
      .catch((error: unknown) => this.options.warn?.(`[aiu] Could not record a client key's last use: ${error instanceof Error ? error.message : String(error)}`));
  }
}

function unauthorized(message: string): AiuError {
  return new AiuError('unauthorized', message);
}

/** A key as routes show it (never the secret or its hash), with what it has spent. */
export function toClientKeySummary(row: ClientKeyRow, spendUsd: number): ClientKeySummary {
  const iso = (time: number | null) => (time === null ? null : new Date(time).toISOString());
  return {
    id: row.id,
    name: row.name,
    hint: row.hint,
    models: row.models,
    rpm: row.rpm,
    tpm: row.tpm,
    budget: row.dailyUsd === null && row.monthlyUsd === null ? null : { dailyUsd: row.dailyUsd, monthlyUsd: row.monthlyUsd },
    createdAt: new Date(row.createdAt).toISOString(),
    expiresAt: iso(row.expiresAt),
    lastUsedAt: iso(row.lastUsedAt),
    revokedAt: iso(row.revokedAt),
    spendUsd,
  };
}
