import type { ChatMessage } from '@aiu/core';
import type { ProviderTool } from '../providers/types';

/** What an image costs, roughly, across providers (OpenAI 85–1,100 tokens by size, Anthropic ~1,600 per megapixel, Gemini 258). */
const IMAGE_TOKENS = 1000;
/** Documents: about a token per five bytes (a PDF page is ~2 kB of text layer and ~1,500 tokens). */
const BYTES_PER_FILE_TOKEN = 5;

/** Text's tokens before the provider counts them: about four characters each. */
export function estimateTextTokens(text: string): number {
  return Math.ceil(text.length / 4);
}

/**
 * Input tokens before the provider counts them, for quotas, rate windows and the usage of a call
 * stopped before usage came: ~4 characters per token and a little per message, images and files
 * by size, tool definitions by their JSON. Rough but deliberate; the provider's count replaces it.
 */
export function estimateInputTokens(messages: readonly ChatMessage[], tools: readonly ProviderTool[] = []): number {
  let tokens = 0;
  for (const message of messages) {
    tokens += 4;
    if (typeof message.content === 'string') {
      tokens += estimateTextTokens(message.content);
      continue;
    }
    for (const part of message.content) {
      switch (part.type) {
        case 'text':
        case 'reasoning':
          tokens += estimateTextTokens(part.text);
          break;
        case 'image':
          tokens += IMAGE_TOKENS;
          break;
        case 'file':
          tokens += Math.ceil((part.data.length * 0.75) / BYTES_PER_FILE_TOKEN);
          break;
        case 'tool-call':
          tokens += Math.ceil((JSON.stringify(part.input ?? null)?.length ?? 0) / 4) + 8;
          break;
        case 'tool-result':
          tokens += Math.ceil((typeof part.output === 'string' ? part.output.length : (JSON.stringify(part.output ?? null)?.length ?? 0)) / 4) + 8;
          break;
        case 'tool-approval-response':
          break;
      }
    }
  }
  if (tools.length) tokens += Math.ceil(JSON.stringify(tools).length / 4);
  return tokens;
}
