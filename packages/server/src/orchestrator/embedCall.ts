import { type EmbedRequest, type EmbedResult, parseModelId, UpstreamError } from '@aiu/core';
import type { Identity } from '../identity';
import { CallContext } from '../providers/context';
import type { Abort } from '../util/abort';
import { assertModelAllowed, type Hold, holdForClientKey } from '../clientKeys/policy';
import { CallRecorder } from './callRecorder';
import { estimateTextTokens } from './estimate';
import type { ChatRuntime } from './chatCall';
import { describeTarget } from '../util/modelId';

/** One embeddings request, logged like a chat call (input tokens, no output). */
export async function runEmbed(runtime: ChatRuntime, request: EmbedRequest, identity: Identity, abort: Abort): Promise<EmbedResult> {
  const recorder = new CallRecorder(runtime, identity, null, request.metadata);
  const named = describeTarget(request.model);
  if (named) recorder.target(named.provider, named.model);
  let hold: Hold | null = null;
  try {
    await runtime.prices.ready();
    const clientKey = runtime.clientKeys.policyOf(identity);
    if (clientKey) {
      assertModelAllowed(clientKey, request.model, runtime.routes);
      const texts = typeof request.input === 'string' ? [request.input] : request.input;
      const tokens = texts.reduce((sum, text) => sum + estimateTextTokens(text), 0);
      hold = await holdForClientKey(clientKey, runtime.guards, { tokens, costUsd: null });
    }
    const { provider: providerId, model } = parseModelId(request.model);
    const provider = runtime.providers.get(providerId);
    if (!provider.embed) throw new UpstreamError(`${provider.id} does not offer embeddings through aiu.`);
    recorder.target(provider.id, `${providerId}:${model}`);
    const { apiKey, stored } = await runtime.keys.resolve(identity, provider, request.keyAlias, 'embed');
    recorder.key = stored;
    const input = typeof request.input === 'string' ? [request.input] : request.input;
    recorder.estimatePromptWith(() => input.reduce((sum, text) => sum + estimateTextTokens(text), 0));
    await recorder.beginInFlight();
    recorder.started();
    const result = await provider.embed({ model, input }, new CallContext(apiKey, abort));
    if (result.embeddings.length !== input.length) {
      throw new UpstreamError(`${provider.id} returned ${result.embeddings.length} embeddings for ${input.length} inputs.`);
    }
    recorder.reportUsage(result.usage);
    const { usage, cost } = recorder.succeed();
    await hold?.settle({ tokens: usage.totalTokens, costUsd: cost?.total ?? null });
    return { requestId: recorder.requestId, model: recorder.model, provider: recorder.provider, embeddings: result.embeddings, usage, cost };
  } catch (error) {
    await hold?.settle(null);
    throw recorder.fail(error);
  }
}
