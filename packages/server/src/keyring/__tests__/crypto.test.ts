import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AiuError } from '@aiu/core';
import { describe, expect, it } from 'vitest';
import { createAiu, memoryStore } from '../../index';
import { additionalData, fromBase64, importMasterKey, open, seal, toBase64 } from '../crypto';
import { loadMasterKey } from '../masterKey';

const KEY_A = toBase64(new Uint8Array(32).fill(7));
const KEY_B = toBase64(new Uint8Array(32).fill(9));
const SECRET = 'sk-proj-this-is-a-recognisable-test-secret';

describe('AES-256-GCM sealing', () => {
  it('round-trips, with a fresh 96-bit IV each time', async () => {
    const master = await importMasterKey(KEY_A);
    const aad = additionalData('user:a', 'openai', 'default');
    const one = await seal(master, SECRET, aad);
    const two = await seal(master, SECRET, aad);
    expect(fromBase64(one.iv)).toHaveLength(12);
    expect(one.iv).not.toBe(two.iv);
    expect(one.ciphertext).not.toBe(two.ciphertext);
    expect(one.ciphertext).not.toContain(SECRET);
    expect(await open(master, one, aad, 'openai/default')).toBe(SECRET);
  });

  it('refuses a ciphertext moved to another row (additional data differs)', async () => {
    const master = await importMasterKey(KEY_A);
    const sealed = await seal(master, SECRET, additionalData('user:a', 'openai', 'default'));
    for (const aad of [additionalData('user:b', 'openai', 'default'), additionalData('user:a', 'anthropic', 'default'), additionalData('user:a', 'openai', 'team')]) {
      await expect(open(master, sealed, aad, 'x')).rejects.toMatchObject({ code: 'key_unreadable' });
    }
  });

  it('refuses a tampered IV, ciphertext or tag', async () => {
    const master = await importMasterKey(KEY_A);
    const aad = additionalData('', 'openai', 'default');
    const sealed = await seal(master, SECRET, aad);
    const flip = (b64: string, at: number) => {
      const bytes = fromBase64(b64);
      bytes[at] = (bytes[at] as number) ^ 1;
      return toBase64(bytes);
    };
    const bytes = fromBase64(sealed.ciphertext).length;
    await expect(open(master, { ...sealed, iv: flip(sealed.iv, 0) }, aad, 'x')).rejects.toMatchObject({ code: 'key_unreadable' });
    await expect(open(master, { ...sealed, ciphertext: flip(sealed.ciphertext, 0) }, aad, 'x')).rejects.toMatchObject({ code: 'key_unreadable' });
    // The GCM tag is the last 16 bytes.
    await expect(open(master, { ...sealed, ciphertext: flip(sealed.ciphertext, bytes - 1) }, aad, 'x')).rejects.toMatchObject({ code: 'key_unreadable' });
  });

  it('names both master-key ids when the wrong master key is configured', async () => {
    const a = await importMasterKey(KEY_A);
    const b = await importMasterKey(KEY_B);
    const sealed = await seal(a, SECRET, additionalData('', 'openai', 'default'));
    const failure = await open(b, sealed, additionalData('', 'openai', 'default'), 'openai/default').catch((e: unknown) => e);
    expect(AiuError.isInstance(failure) && failure.code).toBe('master_key_mismatch');
    expect((failure as Error).message).toContain(a.id);
    expect((failure as Error).message).toContain(b.id);
    expect((failure as Error).message).toContain('AIU_MASTER_KEY');
  });

  it('rejects a master key that is not 32 base64 bytes, with the command that makes one', async () => {
    await expect(importMasterKey('too-short')).rejects.toThrow(/32 bytes.*randomBytes\(32\)/);
  });
});

describe('master key resolution', () => {
  it('creates a development key once, mode 0600, and says so once', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'aiu-master-')), '.aiu', 'master.key');
    const warnings: string[] = [];
    const source = { configured: undefined, production: false, devKeyPath: path, warn: (m: string) => warnings.push(m) };
    const first = await loadMasterKey(source);
    const second = await loadMasterKey(source);
    expect(first.master.id).toBe(second.master.id);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(fromBase64(readFileSync(path, 'utf8').trim())).toHaveLength(32);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(path);
  });

  it('refuses to start in production without a master key, naming the command', () => {
    expect(() => createAiu({ store: memoryStore(), env: { NODE_ENV: 'production' } })).toThrow(/AIU_MASTER_KEY is not set.*randomBytes/);
    expect(() => createAiu({ store: memoryStore(), env: { NODE_ENV: 'production', AIU_MASTER_KEY: KEY_A } })).not.toThrow();
    expect(() => createAiu({ store: memoryStore(), env: { NODE_ENV: 'production' }, keyring: false })).not.toThrow();
  });
});
