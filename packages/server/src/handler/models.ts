import { allowsModel } from '../clientKeys/policy';
import { isServable } from '../catalog/catalog';
import { InvalidRequestError, type ModelInfo } from '@aiu/core';
import { PRICE_DATA } from '../catalog/priceDataRelease';
import type { RouteContext } from './context';
import { empty, jsonText } from './respond';

/**
 * The catalog for every configured provider, merged with what each provider lists
 * itself (a listed model the catalog lacks still appears, price unknown). Answers with
 * an ETag, so clients revalidate instead of downloading the list again.
 */
export async function modelsRoute(request: Request, _params: Record<string, string>, ctx: RouteContext): Promise<Response> {
  const url = new URL(request.url);
  const kind = url.searchParams.get('kind');
  if (kind !== null && kind !== '' && kind !== 'chat' && kind !== 'embed') throw new InvalidRequestError('kind must be "chat" or "embed".');
  const { models, warnings } = await listModels(ctx, {
    ...(kind ? { kind } : {}),
    provider: url.searchParams.get('provider'),
    refresh: url.searchParams.has('refresh') && url.searchParams.get('refresh') !== 'false',
  });
  // Which price data release priced these models, so a dashboard can say how fresh the prices are.
  const body = JSON.stringify({ models, priceData: PRICE_DATA, ...(warnings.length ? { warnings } : {}) });
  const etag = `W/"${fnv1a(body)}"`;
  const headers = { etag, 'cache-control': 'private, max-age=60, stale-while-revalidate=600', vary: 'authorization, cookie' };
  if (matchesEtag(request.headers.get('if-none-match'), etag)) return empty(304, headers);
  return jsonText(body, { headers });
}

/** The catalog's models of the configured providers, merged with what each lists itself. */
export async function listModels(ctx: RouteContext, query: { kind?: 'chat' | 'embed'; provider?: string | null; refresh?: boolean }): Promise<{ models: ModelInfo[]; warnings: string[] }> {
  const providers = ctx.runtime.providers.list().filter((provider) => !query.provider || provider.id === query.provider);
  const { models: discovered, warnings } = await ctx.discovery.list(providers, { refresh: query.refresh ?? false });
  await ctx.catalog.load();
  const merged = new Map<string, ModelInfo>();
  for (const model of ctx.catalog.list(providers.map((provider) => provider.id))) merged.set(model.id, model);
  for (const model of discovered) {
    const known = merged.get(model.id);
    merged.set(model.id, known ? { ...known, ...model, pricing: model.pricing ?? known.pricing, capabilities: known.capabilities.length ? known.capabilities : model.capabilities } : model);
  }
  // A caller with a client key is shown the models its key may use, and no others.
  const clientKey = ctx.clientKeys.policyOf(ctx.identity);
  const models = [...merged.values()]
    .filter((model) => isServable(model) && (!query.kind || model.kind === query.kind) && (!clientKey || allowsModel(clientKey, model.id, ctx.runtime.routes)))
    .sort(byProviderThenName);
  return { models, warnings };
}

function byProviderThenName(a: ModelInfo, b: ModelInfo): number {
  return a.provider.localeCompare(b.provider) || a.name.localeCompare(b.name) || a.id.localeCompare(b.id);
}

function matchesEtag(header: string | null, etag: string): boolean {
  if (!header) return false;
  return header === '*' || header.split(',').some((tag) => tag.trim() === etag || `W/${tag.trim()}` === etag);
}

/** A fast, stable 32-bit FNV-1a: enough to tell one list from the next. */
function fnv1a(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  return (hash >>> 0).toString(16).padStart(8, '0') + text.length.toString(16);
}
