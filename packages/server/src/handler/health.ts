import type { RouteContext } from './context';
import { json } from './respond';

/** Store reachability and, per provider, whether it has a key and each model's circuit state. */
export async function healthRoute(_request: Request, _params: Record<string, string>, ctx: RouteContext): Promise<Response> {
  const circuits = await ctx.runtime.guards.breakers.snapshot().catch(() => ({}));
  const providers = Object.fromEntries(
    ctx.runtime.providers.list().map((provider) => {
      const hasKey = Boolean(ctx.runtime.providers.configuredKey(provider, ctx.runtime.env));
      const own = Object.entries(circuits).filter(([model]) => model.startsWith(`${provider.id}:`));
      const open = own.some(([, state]) => state.state !== 'closed');
      return [
        provider.id,
        {
          configured: hasKey || !provider.requiresKey,
          circuit: open ? ('degraded' as const) : ('closed' as const),
          models: Object.fromEntries(
            own.map(([model, state]) => [model, { state: state.state, consecutiveFailures: state.consecutiveFailures, openedAt: state.openedAt ? new Date(state.openedAt).toISOString() : null }]),
          ),
        },
      ];
    }),
  );
  let store: 'ok' | 'error' = 'ok';
  try {
    await ctx.store();
  } catch {
    store = 'error';
  }
  return json({ status: store === 'ok' ? 'ok' : 'degraded', store, state: ctx.runtime.guards.state.kind, providers }, { status: store === 'ok' ? 200 : 503 });
}
