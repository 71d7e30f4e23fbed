import type { KeySummary } from '@aiu/core';
import type { AiuStore } from '../stores/types';
import { additionalData, importMasterKey, type MasterKey, open, seal } from './crypto';
import { loadMasterKey, type MasterKeySource, saveDevMasterKey } from './masterKey';
import { KEY_SCOPES, type KeyRow, type KeyScope, type KeyStatus } from './types';

export interface SaveKeyInput {
  owner: string;
  provider: string;
  alias: string;
  key: string;
  scopes?: KeyScope[];
  status?: KeyStatus;
  validatedAt?: number | null;
  replace?: boolean;
}

function toSummary(row: KeyRow): KeySummary {
  return {
    provider: row.provider,
    alias: row.alias,
    hint: row.hint,
    scopes: row.scopes,
    status: row.status,
    createdAt: new Date(row.createdAt).toISOString(),
    lastValidatedAt: row.lastValidatedAt === null ? null : new Date(row.lastValidatedAt).toISOString(),
  };
}

/** The last four characters, and only when the key is long enough that they give nothing away. */
export function keyHint(key: string): string {
  return key.length >= 12 ? key.slice(-4) : '';
}

/**
 * Encrypted provider keys per owner. The plaintext exists only in memory, during a
 * call; nothing here returns it except `reveal`, which the orchestrator alone uses.
 */
export class Keyring {
  private master: Promise<{ master: MasterKey; devFile: boolean }> | undefined;

  constructor(
    private readonly store: () => Promise<AiuStore>,
    private readonly source: MasterKeySource,
  ) {}

  private current(): Promise<{ master: MasterKey; devFile: boolean }> {
    this.master ??= loadMasterKey(this.source).catch((error: unknown) => {
      this.master = undefined;
      throw error;
    });
    return this.master;
  }

  async save(input: SaveKeyInput): Promise<{ result: 'created' | 'replaced' | 'conflict'; summary: KeySummary }> {
    const { master } = await this.current();
    const now = Date.now();
    const sealed = await seal(master, input.key, additionalData(input.owner, input.provider, input.alias));
    const row: KeyRow = {
      owner: input.owner,
      provider: input.provider,
      alias: input.alias,
      ...sealed,
      hint: keyHint(input.key),
      scopes: input.scopes?.length ? [...new Set(input.scopes)] : [...KEY_SCOPES],
      status: input.status ?? 'unknown',
      createdAt: now,
      updatedAt: now,
      lastValidatedAt: input.validatedAt ?? null,
    };
    const keys = (await this.store()).keys;
    const result = await keys.put(row, { replace: input.replace ?? false });
    const stored = result === 'conflict' ? await keys.get(input.owner, input.provider, input.alias) : row;
    return { result, summary: toSummary(stored ?? row) };
  }

  async list(owner: string): Promise<KeySummary[]> {
    return (await (await this.store()).keys.list(owner)).map(toSummary);
  }

  async delete(owner: string, provider: string, alias: string): Promise<boolean> {
    return (await this.store()).keys.delete(owner, provider, alias);
  }

  async setStatus(owner: string, provider: string, alias: string, status: KeyStatus): Promise<void> {
    await (await this.store()).keys.setStatus(owner, provider, alias, status, Date.now());
  }

  /** The plaintext for a call, if this owner stored one under `alias` for `scope`. */
  async reveal(owner: string, provider: string, alias: string, scope: KeyScope): Promise<string | null> {
    const row = await (await this.store()).keys.get(owner, provider, alias);
    if (!row || !row.scopes.includes(scope)) return null;
    const { master } = await this.current();
    return open(master, row, additionalData(owner, provider, alias), `${provider}/${alias}`);
  }

  /**
   * Re-encrypts every row under `newMasterKey` in one transaction; afterwards the old key
   * decrypts nothing. Set AIU_MASTER_KEY to the new key before the next restart (a
   * development key file is updated here).
   */
  async rotate(newMasterKey: string): Promise<{ rotated: number; masterKeyId: string }> {
    const { master: old, devFile } = await this.current();
    const next = await importMasterKey(newMasterKey);
    const store = await this.store();
    const rotated = await store.keys.rewriteAll(async (rows) =>
      Promise.all(
        rows.map(async (row) => {
          const aad = additionalData(row.owner, row.provider, row.alias);
          const plaintext = await open(old, row, aad, `${row.provider}/${row.alias}`);
          return { ...row, ...(await seal(next, plaintext, aad)), updatedAt: Date.now() };
        }),
      ),
    );
    this.master = Promise.resolve({ master: next, devFile });
    if (devFile) await saveDevMasterKey(this.source.devKeyPath, newMasterKey.trim());
    return { rotated, masterKeyId: next.id };
  }
}
