import type { IncomingHttpHeaders } from 'node:http';

/** One header of a Node-style record (repeated ones joined as `Headers` joins them), or null. */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | null {
  const value = headers[name];
  return value === undefined ? null : Array.isArray(value) ? value.join(', ') : value;
}

/** A Web `Headers` from a Node-style record, leaving out the names `skip` holds (lower case). */
export function webHeaders(headers: IncomingHttpHeaders, skip?: ReadonlySet<string>): Headers {
  const web = new Headers();
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || skip?.has(name)) continue;
    for (const one of Array.isArray(value) ? value : [value]) web.append(name, one);
  }
  return web;
}
