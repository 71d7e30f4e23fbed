import type { Aiu } from '../createAiu';

/** What Next passes as a route handler's second argument (any catch-all segment name works). */
export interface NextRouteContext {
  /** A promise since Next 15. */
  params: Promise<Record<string, string | string[] | undefined>>;
}

export type NextRouteHandler = (request: Request, context: NextRouteContext) => Promise<Response>;

/**
 * `export const { GET, POST, PUT, DELETE } = toNextHandler(aiu)` in
 * `app/api/aiu/[...path]/route.ts`. The catch-all segment names the route; the
 * request's own signal (aborted by Next when the client leaves) goes upstream.
 *
 * Pass a function (`toNextHandler(() => aiu)`) to create the instance on the first
 * request: `next build` evaluates route modules, and production settings (such as the
 * required master key) are then checked when the server runs, not while it builds. It may
 * return a promise (an instance that needs something started first); a factory that fails
 * is asked again on the next request.
 */
export function toNextHandler(
  source: Aiu | (() => Aiu | Promise<Aiu>),
): { GET: NextRouteHandler; POST: NextRouteHandler; PUT: NextRouteHandler; DELETE: NextRouteHandler; HEAD: NextRouteHandler } {
  let instance: Aiu | Promise<Aiu> | undefined = typeof source === 'function' ? undefined : source;
  const handle: NextRouteHandler = async (request, context) => {
    if (!instance) {
      const created = (source as () => Aiu | Promise<Aiu>)();
      instance = created;
      if (created instanceof Promise) created.catch(() => (instance = undefined));
    }
    const aiu = await instance;
    // Called without a context (tests, other frameworks): route on the end of the path.
    const params = context?.params === undefined ? undefined : await context.params;
    const segments = params ? Object.values(params).find(Array.isArray) : undefined;
    if (segments) return aiu.handleRoute(request, `/${segments.map(encodeURIComponent).join('/')}`);
    return aiu.handler(request);
  };
  return { GET: handle, POST: handle, PUT: handle, DELETE: handle, HEAD: handle };
}
