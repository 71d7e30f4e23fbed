import { ForbiddenError } from '@aiu/core';
import type { AiuAction } from './access';
import type { RouteContext } from './context';

/**
 * Whose log entries a read may see. Without `identify` there are no owners: everything.
 * With it, the caller's own — unless they ask for a user (or `*`) and `authorize` allows it.
 */
export async function readScope(request: Request, ctx: RouteContext, action: AiuAction): Promise<string | undefined> {
  const asked = new URL(request.url).searchParams.get('user') ?? undefined;
  if (!ctx.scoped) return asked === '*' ? undefined : asked;
  const own = ctx.identity.userId ?? '';
  if (asked === undefined || asked === own) return own;
  const allowed = ctx.authorize ? await ctx.authorize({ identity: ctx.identity, action, resource: { owner: asked }, request }) : false;
  if (!allowed) throw new ForbiddenError(`Not allowed to read ${asked === '*' ? "everyone's" : `${asked}'s`} usage.`);
  return asked === '*' ? undefined : asked;
}
