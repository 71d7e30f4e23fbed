import { randomBase64Url } from '../util/base64url';

/**
 * Client-key secrets: `aiu_` + 32 random bytes in base64url, kept only as SHA-256. A secret with
 * 256 bits of entropy cannot be guessed, so it needs a fast hash, not a slow password hash: the
 * hash is on every request's path (docs/security.md).
 */
export const CLIENT_KEY_PREFIX = 'aiu_';

export function newClientKeySecret(): string {
  return CLIENT_KEY_PREFIX + randomBase64Url(32);
}

/** `aiu_` + 43 base64url characters: anything else is not one of ours and never reaches the store. */
export function looksLikeClientKey(text: string): boolean {
  return text.length === 47 && text.startsWith(CLIENT_KEY_PREFIX) && /^[A-Za-z0-9_-]{43}$/.test(text.slice(4));
}

type NodeHash = { createHash(algorithm: string): { update(text: string): { digest(encoding: 'hex'): string } } };

// Node's own hash answers in about a microsecond; WebCrypto's digest is asynchronous and, on Node,
// hops to the thread pool (~50 µs). Edge runtimes without Node's builtins get WebCrypto.
const nodeCrypto = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process?.getBuiltinModule?.('node:crypto') as NodeHash | undefined;

export function hashSecret(secret: string): string | Promise<string> {
  if (nodeCrypto) return nodeCrypto.createHash('sha256').update(secret).digest('hex');
  return crypto.subtle.digest('SHA-256', new TextEncoder().encode(secret)).then((digest) => {
    let hex = '';
    for (const byte of new Uint8Array(digest)) hex += byte.toString(16).padStart(2, '0');
    return hex;
  });
}

/** Equal hex hashes, compared without an early exit. */
export function sameHash(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let difference = 0;
  for (let i = 0; i < a.length; i++) difference |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return difference === 0;
}

export function newClientKeyId(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(9));
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return `ck_${hex}`;
}
