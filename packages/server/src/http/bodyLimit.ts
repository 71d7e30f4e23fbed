import { PayloadTooLargeError } from '@aiu/core';

/** A 413 that names the limit that was passed, in the unit it was set in. */
export function tooLarge(maxBytes: number): PayloadTooLargeError {
  const limit = maxBytes >= 1024 * 1024 && maxBytes % (1024 * 1024) === 0 ? `${maxBytes / (1024 * 1024)} MiB` : `${Math.round(maxBytes / 1024)} kB`;
  return new PayloadTooLargeError(`The request body is larger than the ${limit} limit (images and files count: raise createAiu({ maxBodyBytes }) for them).`);
}
