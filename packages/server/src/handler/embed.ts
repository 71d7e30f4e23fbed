import type { RouteResult } from './reply';
import type { IncomingRequest } from './incoming';
import { EmbedRequestSchema } from '@aiu/core';
import { runEmbed } from '../orchestrator/embedCall';
import { readJson } from './body';
import type { RouteContext } from './context';
import { json } from './respond';

export async function embedRoute(request: IncomingRequest, _params: Record<string, string>, ctx: RouteContext): Promise<RouteResult> {
  const body = await readJson(request, EmbedRequestSchema, ctx.maxBodyBytes);
  return json(await runEmbed(ctx.runtime, body, ctx.identity, request.signal));
}
