import { type ClientKeyList, type ClientKeySummary, CreateClientKeyRequestSchema, type CreatedClientKey, InvalidRequestError, NotFoundError } from '@aiu/core';
import { toClientKeySummary } from '../clientKeys/clientKeys';
import { ownerOf } from '../keyring/resolve';
import { ROLLUP_SPANS } from '../log/rollup';
import { requireKeyAccess } from './access';
import { readJson } from './body';
import type { RouteContext } from './context';
import { json } from './respond';

const NO_STORE = { 'cache-control': 'no-store' };

/** POST /client-keys: the secret is in this answer and nowhere else, ever. */
export async function createClientKeyRoute(request: Request, _params: Record<string, string>, ctx: RouteContext): Promise<Response> {
  const body = await readJson(request, CreateClientKeyRequestSchema, ctx.maxBodyBytes);
  await requireKeyAccess(request, ctx, 'clientKeys:create', {});
  for (const model of body.models ?? []) checkModelPattern(model, ctx);
  const { row, secret } = await ctx.clientKeys.create(ctx.identity, body);
  const created: CreatedClientKey = { ...toClientKeySummary(row, 0), key: secret };
  return json(created, { status: 201, headers: NO_STORE });
}

/** GET /client-keys: the caller's keys, newest first, with what each has spent. */
export async function listClientKeysRoute(request: Request, _params: Record<string, string>, ctx: RouteContext): Promise<Response> {
  await requireKeyAccess(request, ctx, 'clientKeys:list', {});
  const rows = await ctx.clientKeys.list(ownerOf(ctx.identity));
  const spend = rows.length ? await spendByClientKey(ctx) : new Map<string, number>();
  const body: ClientKeyList = { keys: rows.map((row) => toClientKeySummary(row, (spend.get(row.id) ?? 0) / 1e9)) };
  return json(body, { headers: NO_STORE });
}

/** DELETE /client-keys/:id: revoked at once here, within a second on every instance sharing the store. */
export async function revokeClientKeyRoute(request: Request, params: Record<string, string>, ctx: RouteContext): Promise<Response> {
  const id = params.id ?? '';
  await requireKeyAccess(request, ctx, 'clientKeys:revoke', { clientKey: id });
  // Another owner's key answers exactly like a missing one.
  const row = await ctx.clientKeys.revoke(id, ownerOf(ctx.identity));
  if (!row) throw new NotFoundError(`No active client key ${id}.`);
  const spend = await spendByClientKey(ctx, id);
  const body: ClientKeySummary = toClientKeySummary(row, (spend.get(id) ?? 0) / 1e9);
  return json(body, { headers: NO_STORE });
}

/** A key's model list names models (`provider:model`), whole providers (`provider:*`) or routes: anything else is a typo. */
function checkModelPattern(model: string, ctx: RouteContext): void {
  const colon = model.indexOf(':');
  if (colon > 0) {
    const provider = model.slice(0, colon);
    if (!ctx.runtime.providers.list().some((known) => known.id === provider)) {
      throw new InvalidRequestError(`models: "${model}" names an unknown provider "${provider}".`, { details: { field: 'models', model } });
    }
    if (colon === model.length - 1) throw new InvalidRequestError(`models: "${model}" has no model after the colon (use "${provider}:*" for all of them).`, { details: { field: 'models', model } });
    return;
  }
  if (!Object.hasOwn(ctx.runtime.routes, model)) {
    throw new InvalidRequestError(`models: "${model}" is neither provider:model, provider:* nor a configured route.`, { details: { field: 'models', model } });
  }
}

/** Integer nano-dollars per client key (or one key's) over all time, from the day rollups (every call is in one). */
async function spendByClientKey(ctx: RouteContext, clientKeyId?: string): Promise<Map<string, number>> {
  await ctx.log.flush();
  const day = ROLLUP_SPANS[0];
  const rows = await (await ctx.store()).usageRollups({ ranges: [{ span: day, from: 0, to: Number.MAX_SAFE_INTEGER }], acrossUsers: true, clientKeyId });
  const spend = new Map<string, number>();
  for (const row of rows) if (row.clientKeyId) spend.set(row.clientKeyId, (spend.get(row.clientKeyId) ?? 0) + row.costNano);
  return spend;
}
