import type { ProviderChatRequest } from '../types';

/** Our request → `generateContent`: system prompts to `systemInstruction`, `assistant` → `model`. */
export function toGeminiBody(request: ProviderChatRequest): Record<string, unknown> {
  const system = request.messages.filter((m) => m.role === 'system').map((m) => ({ text: m.content }));
  const { options } = request;
  const generationConfig: Record<string, unknown> = {};
  if (options.temperature !== undefined) generationConfig.temperature = options.temperature;
  if (options.topP !== undefined) generationConfig.topP = options.topP;
  if (options.maxTokens !== undefined) generationConfig.maxOutputTokens = options.maxTokens;
  if (options.stop !== undefined) generationConfig.stopSequences = Array.isArray(options.stop) ? options.stop : [options.stop];
  if (options.seed !== undefined) generationConfig.seed = options.seed;
  const body: Record<string, unknown> = {
    contents: request.messages
      .filter((m) => m.role !== 'system')
      .map((m) => ({ role: m.role === 'assistant' ? 'model' : 'user', parts: [{ text: m.content }] })),
  };
  if (system.length) body.systemInstruction = { parts: system };
  if (Object.keys(generationConfig).length) body.generationConfig = generationConfig;
  return body;
}
