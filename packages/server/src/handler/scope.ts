import { ForbiddenError } from '@aiu/core';
import { type AiuAction, requireGuardedAccess } from './access';
import type { RouteContext } from './context';

/**
 * Whose log entries a read may see: a field left out matches anyone; null matches entries
 * without one. A tenant is the pair (user, project).
 */
export interface ReadScope {
  userId?: string | null;
  projectId?: string | null;
}

/**
 * Whose entries a read may see, once the caller may read at all. Log routes are guarded like
 * key routes: without `authorize`, only loopback callers outside production (a client key reads
 * its own key's calls). Without `identify` there are no owners: everything (or `?user=`). With
 * it, the caller's own (user, project) — an anonymous caller sees only unowned entries — unless
 * they ask for another user (or `*`) and `authorize` allows it; even then, a caller in a project
 * stays in that project.
 */
export async function readScope(request: Request, ctx: RouteContext, action: AiuAction): Promise<ReadScope> {
  await requireReadAccess(request, ctx, action);
  const asked = new URL(request.url).searchParams.get('user') ?? undefined;
  if (!ctx.scoped) return asked === undefined || asked === '*' ? {} : { userId: asked };
  const own = ctx.identity.userId ?? null;
  const projectId = ctx.identity.projectId ?? null;
  if (asked === undefined || asked === own) return { userId: own, projectId };
  const allowed = ctx.authorize ? await ctx.authorize({ identity: ctx.identity, action, resource: { owner: asked }, request }) : false;
  if (!allowed) throw new ForbiddenError(`Not allowed to read ${asked === '*' ? "everyone's" : `${asked}'s`} usage.`);
  const inProject = projectId === null ? {} : { projectId };
  return asked === '*' ? inProject : { userId: asked, ...inProject };
}

function requireReadAccess(request: Request, ctx: RouteContext, action: AiuAction): Promise<void> {
  // A client key authenticates its caller, and its reads are kept to that key's own calls.
  if (ctx.identity.clientKeyId) return Promise.resolve();
  return requireGuardedAccess(request, ctx, action, {}, { routes: 'Log and usage routes', productionReason: 'they hold prompts, metadata and spend' });
}

/** A scope's user as rollups key it ('' = no user); undefined = anyone. */
export function rollupUser(scope: ReadScope): string | undefined {
  return scope.userId === undefined ? undefined : (scope.userId ?? '');
}

/** A scope's project as rollups key it ('' = no project); undefined = any. */
export function rollupProject(scope: ReadScope): string | undefined {
  return scope.projectId === undefined ? undefined : (scope.projectId ?? '');
}
