import type { RouteResult } from './reply';
import type { IncomingRequest } from './incoming';
import {
  AiuError,
  type KeyValidation,
  KeyAliasSchema,
  NotFoundError,
  type ProviderList,
  SaveKeyRequestSchema,
  ValidateKeyRequestSchema,
} from '@aiu/core';
import { ownerOf } from '../keyring/resolve';
import type { Provider } from '../providers/types';
import { requireKeyAccess } from './access';
import { parseOrThrow, readJson } from './body';
import type { RouteContext } from './context';
import { json } from './respond';

function keyringOf(ctx: RouteContext) {
  if (!ctx.keyring) throw new NotFoundError('The keyring is turned off (createAiu({ keyring: false })).');
  return ctx.keyring;
}

/** Asks the provider whether a key works, by listing its models with it. */
export async function validateKey(provider: Provider, key: string, signal: AbortSignal): Promise<KeyValidation> {
  if (!provider.listModels) return { valid: false, error: { code: 'not_supported', message: `${provider.id} cannot check keys.` } };
  try {
    const models = await provider.listModels({ apiKey: key, signal: AbortSignal.any([signal, AbortSignal.timeout(15_000)]) });
    return { valid: true, modelCount: models.length };
  } catch (error) {
    const failure = AiuError.isInstance(error) ? error : new AiuError('upstream_error', `${provider.id} could not be asked.`);
    return { valid: false, error: { code: failure.code, message: failure.message } };
  }
}

export async function providersRoute(request: IncomingRequest, _params: Record<string, string>, ctx: RouteContext): Promise<RouteResult> {
  await requireKeyAccess(ctx.authorize, ctx.production, { identity: ctx.identity, action: 'providers:list', resource: {}, request });
  const keys = ctx.keyring ? await ctx.keyring.list(ownerOf(ctx.identity)) : [];
  const body: ProviderList = {
    providers: ctx.runtime.providers.list().map((provider) => {
      const own = keys.filter((key) => key.provider === provider.id);
      const fallback = ctx.runtime.providers.configuredKey(provider, ctx.runtime.env);
      return {
        id: provider.id,
        configured: !provider.requiresKey || Boolean(fallback) || own.some((key) => key.status !== 'invalid'),
        requiresKey: provider.requiresKey,
        envKey: provider.envKey ?? null,
        keys: own,
      };
    }),
  };
  return json(body);
}

export async function saveKeyRoute(request: IncomingRequest, _params: Record<string, string>, ctx: RouteContext): Promise<RouteResult> {
  const keyring = keyringOf(ctx);
  const body = await readJson(request, SaveKeyRequestSchema, ctx.maxBodyBytes);
  const provider = ctx.runtime.providers.get(body.provider);
  const alias = body.alias ?? 'default';
  await requireKeyAccess(ctx.authorize, ctx.production, { identity: ctx.identity, action: 'keys:create', resource: { provider: provider.id, alias }, request });

  let validatedAt: number | null = null;
  if (body.validate) {
    const validation = await validateKey(provider, body.key, request.signal);
    if (!validation.valid) {
      throw new AiuError('key_rejected', `${provider.id} did not accept this key: ${validation.error?.message ?? 'unknown reason'}`, {
        details: { validation },
      });
    }
    validatedAt = Date.now();
  }
  const { result, summary } = await keyring.save({
    owner: ownerOf(ctx.identity),
    provider: provider.id,
    alias,
    key: body.key,
    ...(body.scopes ? { scopes: body.scopes } : {}),
    status: validatedAt ? 'valid' : 'unknown',
    validatedAt,
    replace: body.replace ?? false,
  });
  if (result === 'conflict') {
    throw new AiuError('conflict', `A ${provider.id} key named "${alias}" exists already; send "replace": true to overwrite it.`);
  }
  return json(summary, { status: result === 'created' ? 201 : 200 });
}

export async function validateKeyRoute(request: IncomingRequest, _params: Record<string, string>, ctx: RouteContext): Promise<RouteResult> {
  const body = await readJson(request, ValidateKeyRequestSchema, ctx.maxBodyBytes);
  const provider = ctx.runtime.providers.get(body.provider);
  await requireKeyAccess(ctx.authorize, ctx.production, { identity: ctx.identity, action: 'keys:validate', resource: { provider: provider.id }, request });
  return json(await validateKey(provider, body.key, request.signal));
}

export async function deleteKeyRoute(request: IncomingRequest, params: Record<string, string>, ctx: RouteContext): Promise<RouteResult> {
  const keyring = keyringOf(ctx);
  const provider = ctx.runtime.providers.get(params.provider ?? '');
  const alias = parseOrThrow(KeyAliasSchema, params.alias, 'key alias');
  await requireKeyAccess(ctx.authorize, ctx.production, { identity: ctx.identity, action: 'keys:delete', resource: { provider: provider.id, alias }, request });
  // Another owner's key answers exactly like a missing one: no hint that it exists.
  if (!(await keyring.delete(ownerOf(ctx.identity), provider.id, alias))) {
    throw new NotFoundError(`No ${provider.id} key named "${alias}".`);
  }
  return new Response(null, { status: 204 });
}
