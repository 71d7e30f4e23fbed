import { ForbiddenError } from '@aiu/core';
import type { Identity } from '../identity';
import type { RouteContext } from './context';

export type AiuAction =
  | 'providers:list'
  | 'keys:create'
  | 'keys:validate'
  | 'keys:delete'
  | 'clientKeys:create'
  | 'clientKeys:list'
  | 'clientKeys:revoke'
  | 'logs:read'
  | 'conversations:read'
  | 'conversations:write'
  | 'usage:read'
  | 'metrics:read'
  | 'tools:use';

export interface AuthorizeArgs {
  identity: Identity;
  action: AiuAction;
  /** What the action touches: a provider and key alias, whose data is read, or which server tool is used. */
  resource: { provider?: string; alias?: string; owner?: string; tool?: string; clientKey?: string };
  request: Request;
}

export type AuthorizeFn = (args: AuthorizeArgs) => boolean | Promise<boolean>;

export function isLoopback(address: string | undefined): boolean {
  if (!address) return false;
  return address === '::1' || address.startsWith('127.') || address.startsWith('::ffff:127.');
}

/**
 * Key routes (and client-key routes) are secure by default: without `authorize`, only requests from loopback
 * are answered, and only outside production. Everything else needs `authorize` to say yes.
 */
export async function requireKeyAccess(request: Request, ctx: RouteContext, action: AiuAction, resource: AuthorizeArgs['resource']): Promise<void> {
  // A client key calls models; it does not manage keys, not even from loopback.
  return requireGuardedAccess(request, ctx, action, resource, { routes: 'Key routes', refuseClientKeys: true });
}

/**
 * The one policy of guarded routes (keys, client keys, the log): `authorize` decides when there
 * is one; without it, loopback callers outside production only (and, with `refuseClientKeys`,
 * never a caller with a client key).
 */
export async function requireGuardedAccess(
  request: Request,
  ctx: RouteContext,
  action: AiuAction,
  resource: AuthorizeArgs['resource'],
  policy: { routes: string; productionReason?: string; refuseClientKeys?: boolean },
): Promise<void> {
  if (ctx.authorize) {
    if (await ctx.authorize({ identity: ctx.identity, action, resource, request })) return;
    throw new ForbiddenError(`Not allowed: ${action}.`);
  }
  if (policy.refuseClientKeys && ctx.identity.clientKeyId) throw new ForbiddenError(`A client key may not ${action.replace(':', ' ')}; only authorize can allow it.`);
  if (!ctx.production && isLoopback(ctx.clientAddress)) return;
  throw new ForbiddenError(
    ctx.production
      ? `${policy.routes} need createAiu({ authorize }) in production${policy.productionReason ? `: ${policy.productionReason}` : ''}.`
      : `${policy.routes} answer only local requests unless createAiu({ authorize }) allows more.`,
  );
}
