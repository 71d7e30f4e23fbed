import { afterAll, describe, expect, it } from 'vitest';
import { storeMatrix } from '../../../test/postgres';
import type { AiuStore } from '../../stores/types';
import { toBase64 } from '../crypto';
import { Keyring } from '../keyring';

const KEY_A = toBase64(new Uint8Array(32).fill(1));
const KEY_B = toBase64(new Uint8Array(32).fill(2));

const matrix = await storeMatrix();
afterAll(() => matrix.dispose());
const stores = matrix.stores;

async function keyringOn(make: () => AiuStore, masterKey = KEY_A) {
  const store = make();
  await store.init();
  const keyring = new Keyring(async () => store, { configured: masterKey, production: false, devKeyPath: '/nonexistent', warn() {} });
  return { store, keyring };
}

describe.each(stores)('key store conformance: %s', (_kind, make) => {
  it('saves, lists (hint only), reveals for the right scope, and deletes', async () => {
    const { store, keyring } = await keyringOn(make);
    const saved = await keyring.save({ owner: 'user:a', provider: 'openai', alias: 'default', key: 'sk-test-abcdefghijklmnop-WXYZ', scopes: ['chat'] });
    expect(saved.result).toBe('created');
    expect(saved.summary).toMatchObject({ provider: 'openai', alias: 'default', hint: 'WXYZ', scopes: ['chat'], status: 'unknown', lastValidatedAt: null });
    expect(JSON.stringify(await keyring.list('user:a'))).not.toContain('abcdefghijklmnop');
    expect(await keyring.reveal('user:a', 'openai', 'default', 'chat')).toBe('sk-test-abcdefghijklmnop-WXYZ');
    expect(await keyring.reveal('user:a', 'openai', 'default', 'embed')).toBeNull();
    expect(await keyring.reveal('user:b', 'openai', 'default', 'chat')).toBeNull();
    expect(await keyring.delete('user:b', 'openai', 'default')).toBe(false);
    expect(await keyring.delete('user:a', 'openai', 'default')).toBe(true);
    expect(await keyring.list('user:a')).toEqual([]);
    await store.close();
  });

  it('answers a duplicate alias with conflict unless replacing; keeps createdAt on replace', async () => {
    const { store, keyring } = await keyringOn(make);
    const first = await keyring.save({ owner: '', provider: 'anthropic', alias: 'team', key: 'sk-ant-first-key-000000001111' });
    expect((await keyring.save({ owner: '', provider: 'anthropic', alias: 'team', key: 'sk-ant-second-key-00000002222' })).result).toBe('conflict');
    expect(await keyring.reveal('', 'anthropic', 'team', 'chat')).toBe('sk-ant-first-key-000000001111');
    const replaced = await keyring.save({ owner: '', provider: 'anthropic', alias: 'team', key: 'sk-ant-second-key-00000002222', replace: true });
    expect(replaced.result).toBe('replaced');
    expect(await keyring.reveal('', 'anthropic', 'team', 'chat')).toBe('sk-ant-second-key-00000002222');
    expect((await keyring.list(''))[0]?.createdAt).toBe(first.summary.createdAt);
    await store.close();
  });

  it('records validation status', async () => {
    const { store, keyring } = await keyringOn(make);
    await keyring.save({ owner: 'user:a', provider: 'google', alias: 'default', key: 'AIza-test-key-0000000000000' });
    await keyring.setStatus('user:a', 'google', 'default', 'invalid');
    const [summary] = await keyring.list('user:a');
    expect(summary?.status).toBe('invalid');
    expect(summary?.lastValidatedAt).not.toBeNull();
    await store.close();
  });

  it('rotates every row in one go; afterwards the old master key decrypts nothing', async () => {
    const { store, keyring } = await keyringOn(make);
    for (const [owner, alias] of [['user:a', 'default'], ['user:b', 'default'], ['user:a', 'team']] as const) {
      await keyring.save({ owner, provider: 'openai', alias, key: `sk-${owner}-${alias}-0123456789` });
    }
    const { rotated } = await keyring.rotate(KEY_B);
    expect(rotated).toBe(3);
    expect(await keyring.reveal('user:a', 'openai', 'team', 'chat')).toBe('sk-user:a-team-0123456789');

    const withOld = new Keyring(async () => store, { configured: KEY_A, production: false, devKeyPath: '/nonexistent', warn() {} });
    await expect(withOld.reveal('user:b', 'openai', 'default', 'chat')).rejects.toMatchObject({ code: 'master_key_mismatch' });
    const withNew = new Keyring(async () => store, { configured: KEY_B, production: false, devKeyPath: '/nonexistent', warn() {} });
    expect(await withNew.reveal('user:b', 'openai', 'default', 'chat')).toBe('sk-user:b-default-0123456789');
    await store.close();
  });

  it('keeps no plaintext in the stored row', async () => {
    const { store, keyring } = await keyringOn(make);
    await keyring.save({ owner: 'user:a', provider: 'openai', alias: 'default', key: 'sk-never-stored-in-clear-9999' });
    const row = await store.keys.get('user:a', 'openai', 'default');
    expect(JSON.stringify(row)).not.toContain('never-stored-in-clear');
    expect(row?.masterKeyId).toMatch(/^[0-9a-f]{12}$/);
    await store.close();
  });
});
