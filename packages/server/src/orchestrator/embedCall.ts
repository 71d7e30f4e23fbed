import { type EmbedRequest, type EmbedResult, parseModelId, UpstreamError } from '@aiu/core';
import type { Identity } from '../identity';
import { CallContext } from '../providers/context';
import type { Abort } from '../util/abort';
import { CallRecorder, type CallRuntime } from './callRecorder';
import { describeTarget } from '../util/modelId';

/** One embeddings request, logged like a chat call (input tokens, no output). */
export async function runEmbed(runtime: CallRuntime, request: EmbedRequest, identity: Identity, abort: Abort): Promise<EmbedResult> {
  const recorder = new CallRecorder(runtime, identity, null, request.metadata);
  const named = describeTarget(request.model);
  if (named) recorder.target(named.provider, named.model);
  try {
    await runtime.prices.ready();
    const { provider: providerId, model } = parseModelId(request.model);
    const provider = runtime.providers.get(providerId);
    if (!provider.embed) throw new UpstreamError(`${provider.id} does not offer embeddings through aiu.`);
    recorder.target(provider.id, `${providerId}:${model}`);
    const { apiKey, stored } = await runtime.keys.resolve(identity, provider, request.keyAlias, 'embed');
    recorder.key = stored;
    recorder.started();
    const input = typeof request.input === 'string' ? [request.input] : request.input;
    const result = await provider.embed({ model, input }, new CallContext(apiKey, abort));
    if (result.embeddings.length !== input.length) {
      throw new UpstreamError(`${provider.id} returned ${result.embeddings.length} embeddings for ${input.length} inputs.`);
    }
    recorder.reportUsage(result.usage);
    const { usage, cost } = recorder.succeed();
    return { requestId: recorder.requestId, model: recorder.model, provider: recorder.provider, embeddings: result.embeddings, usage, cost };
  } catch (error) {
    throw recorder.fail(error);
  }
}
