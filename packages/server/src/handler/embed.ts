import { EmbedRequestSchema } from '@aiu/core';
import { abortOf } from '../http/requestFacts';
import { runEmbed } from '../orchestrator/embedCall';
import { readJson } from './body';
import type { RouteContext } from './context';
import { json } from './respond';

export async function embedRoute(request: Request, _params: Record<string, string>, ctx: RouteContext): Promise<Response> {
  const body = await readJson(request, EmbedRequestSchema, ctx.maxBodyBytes);
  return json(await runEmbed(ctx.runtime, body, ctx.identity, abortOf(request)));
}
