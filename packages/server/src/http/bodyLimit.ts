import { PayloadTooLargeError } from '@aiu/core';

/** The createAiu option that sets a route's body limit: chat requests carry images and files inline. */
export type BodyLimitOption = 'maxBodyBytes' | 'maxChatBodyBytes';

/** A 413 that names the limit that was passed, in the unit it was set in, and the option that raises it. */
export function tooLarge(maxBytes: number, option: BodyLimitOption = 'maxBodyBytes'): PayloadTooLargeError {
  const limit = maxBytes >= 1024 * 1024 && maxBytes % (1024 * 1024) === 0 ? `${maxBytes / (1024 * 1024)} MiB` : `${Math.round(maxBytes / 1024)} kB`;
  const raise = option === 'maxChatBodyBytes' ? 'images and files count: raise createAiu({ maxChatBodyBytes }) for them' : 'raise createAiu({ maxBodyBytes })';
  return new PayloadTooLargeError(`The request body is larger than the ${limit} limit (${raise}).`);
}
