import {
  AiuError,
  type KeyValidation,
  KeyAliasSchema,
  NotFoundError,
  type ProviderList,
  SaveKeyRequestSchema,
  UpstreamTimeoutError,
  ValidateKeyRequestSchema,
} from '@aiu/core';
import { abortOf } from '../http/requestFacts';
import { ownerOf } from '../keyring/resolve';
import { CallContext } from '../providers/context';
import { Abort } from '../util/abort';
import type { Provider } from '../providers/types';
import { requireKeyAccess } from './access';
import { parseOrThrow, readJson } from './body';
import type { RouteContext } from './context';
import { empty, json } from './respond';

function keyringOf(ctx: RouteContext) {
  if (!ctx.keyring) throw new NotFoundError('The keyring is turned off (createAiu({ keyring: false })).');
  return ctx.keyring;
}

/** Asks the provider whether a key works, by listing its models with it. */
export async function validateKey(provider: Provider, key: string, caller: Abort): Promise<KeyValidation> {
  if (!provider.listModels) return { valid: false, error: { code: 'not_supported', message: `${provider.id} cannot check keys.` } };
  const abort = new Abort();
  const stopFollowing = abort.follow(caller);
  const stopTimer = abort.after(VALIDATE_TIMEOUT_MS, () => new UpstreamTimeoutError(`${provider.id} did not answer the key check in ${VALIDATE_TIMEOUT_MS / 1000} s.`));
  try {
    const models = await provider.listModels(new CallContext(key, abort));
    return { valid: true, modelCount: models.length };
  } catch (error) {
    const failure = AiuError.isInstance(error) ? error : new AiuError('upstream_error', `${provider.id} could not be asked.`);
    return { valid: false, error: { code: failure.code, message: failure.message } };
  } finally {
    stopTimer();
    stopFollowing();
  }
}

const VALIDATE_TIMEOUT_MS = 15_000;

export async function providersRoute(request: Request, _params: Record<string, string>, ctx: RouteContext): Promise<Response> {
  await requireKeyAccess(request, ctx, 'providers:list', {});
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

export async function saveKeyRoute(request: Request, _params: Record<string, string>, ctx: RouteContext): Promise<Response> {
  const keyring = keyringOf(ctx);
  const body = await readJson(request, SaveKeyRequestSchema, ctx.maxBodyBytes);
  const provider = ctx.runtime.providers.get(body.provider);
  const alias = body.alias ?? 'default';
  await requireKeyAccess(request, ctx, 'keys:create', { provider: provider.id, alias });

  let validatedAt: number | null = null;
  if (body.validate) {
    const validation = await validateKey(provider, body.key, abortOf(request));
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

export async function validateKeyRoute(request: Request, _params: Record<string, string>, ctx: RouteContext): Promise<Response> {
  const body = await readJson(request, ValidateKeyRequestSchema, ctx.maxBodyBytes);
  const provider = ctx.runtime.providers.get(body.provider);
  await requireKeyAccess(request, ctx, 'keys:validate', { provider: provider.id, ...(body.alias ? { alias: body.alias } : {}) });
  if (body.key !== undefined) return json(await validateKey(provider, body.key, abortOf(request)));
  // The key in use: what a call would send, checked the same way; a stored one's status follows the answer.
  const resolved = await ctx.runtime.keys.resolve(ctx.identity, provider, body.alias, 'models');
  // A provider that needs no key (Ollama) is still asked: the check is whether it answers.
  const validation = await validateKey(provider, resolved.apiKey ?? '', abortOf(request));
  if (resolved.stored && ctx.keyring && (validation.valid || validation.error?.code === 'invalid_api_key')) {
    await ctx.keyring.setStatus(resolved.stored.owner, provider.id, resolved.stored.alias, validation.valid ? 'valid' : 'invalid');
  }
  return json({ ...validation, source: resolved.stored ? 'stored' : 'configured' });
}

export async function deleteKeyRoute(request: Request, params: Record<string, string>, ctx: RouteContext): Promise<Response> {
  const keyring = keyringOf(ctx);
  const provider = ctx.runtime.providers.get(params.provider ?? '');
  const alias = parseOrThrow(KeyAliasSchema, params.alias, 'key alias');
  await requireKeyAccess(request, ctx, 'keys:delete', { provider: provider.id, alias });
  // Another owner's key answers exactly like a missing one: no hint that it exists.
  if (!(await keyring.delete(ownerOf(ctx.identity), provider.id, alias))) {
    throw new NotFoundError(`No ${provider.id} key named "${alias}".`);
  }
  return empty(204);
}
