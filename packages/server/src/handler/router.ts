
export type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RouteOptions {
  /** The route's own error shape (OpenAI's, Anthropic's), for failures before its handler runs. */
  errors?: (error: unknown) => Response;
  /** Answer 401 unless the caller is known: a client key, or an identity from `identify`. */
  requiresCaller?: boolean;
}

export interface RouteMatch<Ctx> {
  handle: (request: Request, params: Record<string, string>, context: Ctx) => Promise<Response>;
  params: Record<string, string>;
  options: RouteOptions;
}

interface Route<Ctx> {
  method: Method;
  segments: string[];
  handle: RouteMatch<Ctx>['handle'];
  options: RouteOptions;
}

export type Lookup<Ctx> =
  | { kind: 'match'; match: RouteMatch<Ctx> }
  | { kind: 'method_not_allowed'; allow: string[] }
  | { kind: 'not_found' };

/**
 * Routes are matched against the end of the path, so the handler works under any
 * mount path (`/api/aiu/chat`, `/chat`) without being told the prefix. Longer
 * patterns win, so `/keys/validate` is never taken for `/keys/:provider/:alias`.
 */
export class Router<Ctx> {
  private readonly routes: Route<Ctx>[] = [];

  add(method: Method, pattern: string, handle: RouteMatch<Ctx>['handle'], options: RouteOptions = {}): this {
    this.routes.push({ method, segments: pattern.split('/').filter(Boolean), handle, options });
    this.routes.sort((a, b) => b.segments.length - a.segments.length || literalCount(b) - literalCount(a));
    return this;
  }

  lookup(method: string, path: string, exact: boolean): Lookup<Ctx> {
    const parts = path.split('/').filter(Boolean);
    const allow = new Set<string>();
    for (const route of this.routes) {
      const params = matchTail(route.segments, parts, exact);
      if (!params) continue;
      if (route.method === method || (method === 'HEAD' && route.method === 'GET')) {
        return { kind: 'match', match: { handle: route.handle, params, options: route.options } };
      }
      allow.add(route.method);
    }
    return allow.size ? { kind: 'method_not_allowed', allow: [...allow] } : { kind: 'not_found' };
  }
}

function literalCount(route: { segments: string[] }): number {
  return route.segments.filter((segment) => !segment.startsWith(':')).length;
}

function matchTail(pattern: string[], parts: string[], exact: boolean): Record<string, string> | null {
  if (parts.length < pattern.length || (exact && parts.length !== pattern.length)) return null;
  const offset = parts.length - pattern.length;
  const params: Record<string, string> = {};
  for (let i = 0; i < pattern.length; i++) {
    const expected = pattern[i] as string;
    const actual = parts[offset + i] as string;
    if (expected.startsWith(':')) {
      try {
        params[expected.slice(1)] = decodeURIComponent(actual);
      } catch {
        return null;
      }
    } else if (expected !== actual) {
      return null;
    }
  }
  return params;
}
