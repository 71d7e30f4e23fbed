import type { RouteContext } from './context';
import { json } from './respond';

export async function healthRoute(_request: Request, _params: Record<string, string>, ctx: RouteContext): Promise<Response> {
  const providers = Object.fromEntries(
    ctx.runtime.providers.list().map((provider) => {
      const hasKey = Boolean(ctx.runtime.providers.configuredKey(provider, ctx.runtime.env));
      return [provider.id, { configured: hasKey || !provider.requiresKey, circuit: 'closed' as const }];
    }),
  );
  let store: 'ok' | 'error' = 'ok';
  try {
    await ctx.store();
  } catch {
    store = 'error';
  }
  return json({ status: store === 'ok' ? 'ok' : 'degraded', store, providers }, { status: store === 'ok' ? 200 : 503 });
}
