import { afterAll, describe, expect, it } from 'vitest';
import { storeMatrix } from '../../../test/postgres';
import { DAY_RANGE_ALL_TIME, loggedCall } from '../../../test/logRecords';
import type { ClientKeyRow } from '../types';

const matrix = await storeMatrix();
afterAll(() => matrix.dispose());

function row(overrides: Partial<ClientKeyRow> & { id: string }): ClientKeyRow {
  return {
    owner: 'user:a',
    userId: 'a',
    projectId: null,
    name: 'ci bot',
    secretHash: `${overrides.id}`.padEnd(64, '0'),
    hint: 'WXYZ',
    models: null,
    rpm: null,
    tpm: null,
    dailyUsd: null,
    monthlyUsd: null,
    createdAt: 1_700_000_000_000,
    expiresAt: null,
    lastUsedAt: null,
    revokedAt: null,
    ...overrides,
  };
}

describe.each(matrix.stores)('client key store conformance: %s', (_kind, make) => {
  it('keeps every field, finds a key by its hash, lists an owner\'s newest first', async () => {
    const store = make();
    await store.init();
    const keys = store.clientKeys;
    if (!keys) throw new Error('store keeps no client keys');
    const full = row({ id: 'ck_full', models: ['openai:*', 'fast'], rpm: 60, tpm: 10_000, dailyUsd: 1.25, monthlyUsd: 20, expiresAt: 1_800_000_000_000, projectId: 'p' });
    await keys.insert(full);
    await keys.insert(row({ id: 'ck_newer', createdAt: 1_700_000_000_500 }));
    await keys.insert(row({ id: 'ck_other', owner: 'user:b', userId: 'b' }));
    expect(await keys.get('ck_full')).toEqual(full);
    expect(await keys.findByHash(full.secretHash)).toEqual(full);
    expect(await keys.findByHash('f'.repeat(64))).toBeNull();
    expect((await keys.list('user:a')).map((k) => k.id)).toEqual(['ck_newer', 'ck_full']);
    expect((await keys.list(undefined)).map((k) => k.id).sort()).toEqual(['ck_full', 'ck_newer', 'ck_other']);
    await store.close();
  });

  it('refuses a second key with the same secret hash', async () => {
    const store = make();
    await store.init();
    await store.clientKeys?.insert(row({ id: 'ck_1', secretHash: 'a'.repeat(64) }));
    await expect(store.clientKeys?.insert(row({ id: 'ck_2', secretHash: 'a'.repeat(64) }))).rejects.toThrow();
    await store.close();
  });

  it('revokes once (the first time stays), and moves lastUsedAt only forward', async () => {
    const store = make();
    await store.init();
    const keys = store.clientKeys;
    if (!keys) throw new Error('store keeps no client keys');
    await keys.insert(row({ id: 'ck_r' }));
    expect(await keys.revoke('ck_r', 5000)).toBe(true);
    expect(await keys.revoke('ck_r', 6000)).toBe(false);
    expect(await keys.revoke('ck_missing', 6000)).toBe(false);
    expect((await keys.get('ck_r'))?.revokedAt).toBe(5000);
    await keys.touch('ck_r', 2000);
    await keys.touch('ck_r', 1000);
    expect((await keys.get('ck_r'))?.lastUsedAt).toBe(2000);
    await store.close();
  });

  it('rolls usage up per client key: by key across users, or across keys', async () => {
    const store = make();
    await store.init();
    await store.insertLogs([
      loggedCall({ id: 'req_1', userId: 'a', clientKeyId: 'ck_x', costTotal: 0.001 }),
      loggedCall({ id: 'req_2', userId: 'b', clientKeyId: 'ck_x', costTotal: 0.002 }),
      loggedCall({ id: 'req_3', userId: 'a', clientKeyId: 'ck_y', costTotal: 0.004 }),
      loggedCall({ id: 'req_4', userId: 'a', clientKeyId: null, costTotal: 0.008 }),
    ]);
    const sum = (rows: Array<{ clientKeyId: string; costNano: number }>) => {
      const totals: Record<string, number> = {};
      for (const r of rows) totals[r.clientKeyId] = (totals[r.clientKeyId] ?? 0) + r.costNano;
      return totals;
    };
    const byKey = await store.usageRollups({ ranges: DAY_RANGE_ALL_TIME, acrossUsers: true });
    expect(sum(byKey)).toEqual({ ck_x: 3_000_000, ck_y: 4_000_000, '': 8_000_000 });
    const oneKey = await store.usageRollups({ ranges: DAY_RANGE_ALL_TIME, acrossUsers: true, clientKeyId: 'ck_x' });
    expect(sum(oneKey)).toEqual({ ck_x: 3_000_000 });
    const acrossKeys = await store.usageRollups({ ranges: DAY_RANGE_ALL_TIME, acrossUsers: true, acrossClientKeys: true });
    expect(acrossKeys.reduce((total, r) => total + r.costNano, 0)).toBe(15_000_000);
    await store.close();
  });
});
