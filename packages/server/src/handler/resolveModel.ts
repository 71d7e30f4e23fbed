import { InvalidModelError } from '@aiu/core';
import type { RouteContext } from './context';

/**
 * What `model` names: `provider:model` and route names as they are; a bare model id (what OpenAI
 * clients send) the one configured provider whose catalog knows it — several is ambiguous.
 */
export async function resolveModel(model: string, ctx: RouteContext, kind: 'chat' | 'embed'): Promise<string> {
  if (model.includes(':') || ctx.runtime.routes[model]) return model;
  await ctx.catalog.load();
  // Only the lists are searched: describing every catalog model per request would cost more than the call.
  const owners = ctx.catalog.providersOffering(model, ctx.runtime.providers.list().map((provider) => provider.id), kind);
  const [only, ...more] = owners;
  if (only && !more.length) return `${only}:${model}`;
  if (only) throw new InvalidModelError(`"${model}" is offered by ${owners.join(' and ')}: name one, as "${only}:${model}".`, { details: { param: 'model' } });
  throw new InvalidModelError(`No configured provider offers "${model}": name it as "provider:model" (e.g. "openai:${model}").`, { details: { param: 'model' } });
}

