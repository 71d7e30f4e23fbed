import { AiuError, type ModelInfo } from '@aiu/core';
import type { RouteContext } from './context';
import { json } from './respond';

/** For now: the models each configured provider lists itself. */
export async function modelsRoute(request: Request, _params: Record<string, string>, ctx: RouteContext): Promise<Response> {
  const url = new URL(request.url);
  const kind = url.searchParams.get('kind');
  const only = url.searchParams.get('provider');
  const providers = ctx.runtime.providers.list().filter((provider) => !only || provider.id === only);
  const warnings: string[] = [];
  const lists = await Promise.all(
    providers.map(async (provider) => {
      if (!provider.listModels) return [];
      const apiKey = ctx.runtime.providers.configuredKey(provider, ctx.runtime.env);
      if (provider.requiresKey && !apiKey) return [];
      try {
        const models = await provider.listModels({ apiKey, signal: request.signal });
        return models.map(
          (model): ModelInfo => ({
            id: `${provider.id}:${model.id}`,
            provider: provider.id,
            name: model.name,
            kind: model.kind,
            contextWindow: null,
            maxOutput: null,
            pricing: null,
            capabilities: [],
            deprecated: false,
          }),
        );
      } catch (error) {
        warnings.push(`${provider.id}: ${AiuError.isInstance(error) ? error.message : 'discovery failed'}`);
        return [];
      }
    }),
  );
  const models = lists.flat().filter((model) => !kind || model.kind === kind);
  return json({ models, ...(warnings.length ? { warnings } : {}) });
}
