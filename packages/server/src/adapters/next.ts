import type { Aiu } from '../createAiu';

type RouteContext = { params?: Promise<Record<string, string | string[] | undefined>> | Record<string, string | string[] | undefined> };

/**
 * `export const { GET, POST, DELETE } = toNextHandler(aiu)` in
 * `app/api/aiu/[...path]/route.ts`. The catch-all segment names the route; the
 * request's own signal (aborted by Next when the client leaves) goes upstream.
 */
export function toNextHandler(aiu: Aiu) {
  async function handle(request: Request, context?: RouteContext): Promise<Response> {
    const params = context?.params ? await context.params : undefined;
    const segments = params ? Object.values(params).find(Array.isArray) : undefined;
    if (segments) return aiu.handleRoute(request, `/${segments.map(encodeURIComponent).join('/')}`);
    return aiu.handler(request);
  }
  return { GET: handle, POST: handle, DELETE: handle, HEAD: handle };
}
