import { toBase64 } from '../keyring/crypto';

/** Base64 as base64url without padding: safe in a URL path, a query and a header. */
export function toBase64Url(base64: string): string {
  return base64.replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** `count` bytes from the CSPRNG, as base64url (ids and secrets nobody can guess). */
export function randomBase64Url(count: number): string {
  return toBase64Url(toBase64(crypto.getRandomValues(new Uint8Array(count))));
}
