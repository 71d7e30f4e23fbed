import { InvalidRequestError } from '@aiu/core';

/** A Host header: a name, IPv4 or bracketed IPv6 address, and an optional port. */
const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?|\[[0-9A-Fa-f:.]+\])(?::(\d{1,5}))?$/;

/**
 * Why a request line or Host header cannot be served, or null. aiu is no proxy: only the
 * origin form (`/path?query`) is a target it answers (`*` and absolute URLs are 400), and the
 * Host must be one a URL can hold — it becomes part of `request.url`.
 */
export function malformedTarget(target: string | undefined, host: string | undefined): InvalidRequestError | null {
  if (!target || target.charCodeAt(0) !== 47 /* / */ || hasSpaceOrControl(target)) {
    return new InvalidRequestError('The request target must be a path starting with "/".');
  }
  if (host !== undefined) {
    const match = HOST.exec(host);
    if (!match || (match[1] !== undefined && Number(match[1]) > 65_535)) return new InvalidRequestError('The Host header is not a valid host[:port].');
  }
  return null;
}

function hasSpaceOrControl(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code <= 32 || code === 127) return true;
  }
  return false;
}

/** A `.` or `..` segment, or an encoded slash, backslash or dot: a path that could reach a route it does not name. */
const UNSAFE_PATH = /(?:^|\/)(?:\.|%2e){1,2}(?:\/|$)|%2f|%5c|\\/i;

/**
 * Why a route path is refused, or null. Routes match the end of the path under an unknown mount
 * point, so `/keys/openai/../../keys/openai/default` must not be normalised into a route.
 */
export function unsafeRoutePath(path: string): InvalidRequestError | null {
  return UNSAFE_PATH.test(path) ? new InvalidRequestError('The request path may not hold "." or ".." segments or encoded slashes.') : null;
}

/** The raw path of a request URL (before `new URL` would normalise its dot segments). */
export function rawPathOf(url: string): string {
  const start = url.indexOf('/', url.indexOf('//') + 2);
  if (start < 0) return '/';
  let end = url.length;
  const query = url.indexOf('?', start);
  if (query >= 0) end = query;
  const hash = url.indexOf('#', start);
  if (hash >= 0 && hash < end) end = hash;
  return url.slice(start, end);
}
