import { InvalidRequestError } from '@aiu/core';
import type { RouteContext } from './context';
import { json } from './respond';

/** The models each configured provider lists itself (cached), filtered by kind and provider. */
export async function modelsRoute(request: Request, _params: Record<string, string>, ctx: RouteContext): Promise<Response> {
  const url = new URL(request.url);
  const kind = url.searchParams.get('kind');
  const only = url.searchParams.get('provider');
  if (kind && kind !== 'chat' && kind !== 'embed') throw new InvalidRequestError('kind must be "chat" or "embed".');
  const providers = ctx.runtime.providers.list().filter((provider) => !only || provider.id === only);
  const { models, warnings } = await ctx.discovery.list(providers, {
    refresh: url.searchParams.has('refresh') && url.searchParams.get('refresh') !== 'false',
  });
  const filtered = models.filter((model) => !kind || model.kind === kind);
  return json({ models: filtered, ...(warnings.length ? { warnings } : {}) });
}
