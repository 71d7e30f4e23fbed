/** `baseUrl` + route; a relative base resolves against the page (and jsdom's) location. */
export function routeUrl(baseUrl: string, route: string, query?: URLSearchParams): string {
  const path = `${baseUrl.replace(/\/+$/, '')}${route}${query && [...query].length ? `?${query}` : ''}`;
  const origin = typeof location === 'undefined' ? undefined : location.href;
  return origin && !/^[a-z][a-z\d+.-]*:/i.test(path) ? new URL(path, origin).href : path;
}
