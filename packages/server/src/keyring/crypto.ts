import { AiuError } from '@aiu/core';

/**
 * AES-256-GCM through WebCrypto, so the keyring runs on Node and edge runtimes alike.
 * Every secret gets a fresh 96-bit IV; the additional data binds a ciphertext to its
 * row (owner|provider|alias), so a ciphertext copied to another row fails to decrypt.
 */
export interface MasterKey {
  /** Short fingerprint stored with each row, to tell which master key encrypted it. */
  id: string;
  key: CryptoKey;
}

export interface Sealed {
  ciphertext: string;
  iv: string;
  masterKeyId: string;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

export function toBase64(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

export function fromBase64(text: string): Uint8Array<ArrayBuffer> {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

export const MASTER_KEY_COMMAND = `node -e "console.log(require('crypto').randomBytes(32).toString('base64'))"`;

/** Parses a base64 master key: exactly 32 bytes, or a startup error that says how to make one. */
export async function importMasterKey(base64: string): Promise<MasterKey> {
  let raw: Uint8Array<ArrayBuffer>;
  try {
    raw = fromBase64(base64.trim());
  } catch {
    raw = new Uint8Array(0);
  }
  if (raw.length !== 32) {
    throw new AiuError(
      'master_key_mismatch',
      `The master key must be 32 bytes, base64-encoded (got ${raw.length} bytes). Make one with: ${MASTER_KEY_COMMAND}`,
    );
  }
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', raw));
  const id = [...digest.slice(0, 6)].map((b) => b.toString(16).padStart(2, '0')).join('');
  const key = await crypto.subtle.importKey('raw', raw, { name: 'AES-GCM' }, false, ['encrypt', 'decrypt']);
  return { id, key };
}

export function additionalData(owner: string, provider: string, alias: string): Uint8Array {
  return encoder.encode(`${owner}|${provider}|${alias}`);
}

export async function seal(master: MasterKey, plaintext: string, aad: Uint8Array): Promise<Sealed> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const ciphertext = await crypto.subtle.encrypt(
    { name: 'AES-GCM', iv, additionalData: aad as Uint8Array<ArrayBuffer> },
    master.key,
    encoder.encode(plaintext),
  );
  return { ciphertext: toBase64(new Uint8Array(ciphertext)), iv: toBase64(iv), masterKeyId: master.id };
}

/**
 * Decrypts, or fails clearly: a row written under another master key is
 * `master_key_mismatch` (naming both ids); a row whose ciphertext, IV, tag or
 * additional data changed is `key_unreadable` — never garbage.
 */
export async function open(master: MasterKey, sealed: Sealed, aad: Uint8Array, label: string): Promise<string> {
  if (sealed.masterKeyId !== master.id) {
    throw new AiuError(
      'master_key_mismatch',
      `The stored key ${label} was encrypted with master key ${sealed.masterKeyId}, but the configured master key is ${master.id}. ` +
        'Check AIU_MASTER_KEY (or createAiu({ masterKey })) is the key these rows were written with, or rotate with aiu.keyring.rotate().',
    );
  }
  try {
    const plaintext = await crypto.subtle.decrypt(
      { name: 'AES-GCM', iv: fromBase64(sealed.iv), additionalData: aad as Uint8Array<ArrayBuffer> },
      master.key,
      fromBase64(sealed.ciphertext),
    );
    return decoder.decode(plaintext);
  } catch {
    throw new AiuError('key_unreadable', `The stored key ${label} cannot be decrypted: it was altered or moved from another row. Store it again.`);
  }
}
