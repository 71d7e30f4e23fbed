import { InvalidModelError } from '@aiu/core';
import type { RouteContext } from './context';

/**
 * What `model` names: `provider:model` and route names as they are; a bare model id (what OpenAI
 * clients send) the one configured provider whose catalog knows it — several is ambiguous.
 */
export async function resolveModel(model: string, ctx: RouteContext, kind: 'chat' | 'embed'): Promise<string> {
  if (model.includes(':') || ctx.runtime.routes[model]) return model;
  await ctx.catalog.load();
  const providers = ctx.runtime.providers.list().map((provider) => provider.id);
  const owners = ctx.catalog.list(providers).filter((info) => info.kind === kind && info.id.slice(info.provider.length + 1) === model);
  const [only, ...more] = owners;
  if (only && !more.length) return only.id;
  if (only) throw new InvalidModelError(`"${model}" is offered by ${owners.map((info) => info.provider).join(' and ')}: name one, as "${owners[0]?.id}".`, { details: { param: 'model' } });
  throw new InvalidModelError(`No configured provider offers "${model}": name it as "provider:model" (e.g. "openai:${model}").`, { details: { param: 'model' } });
}

