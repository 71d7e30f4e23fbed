import type { AssistantMessage, ChatMessage, ProviderMetadata, ToolMessage, UserMessage } from '@aiu/core';

/** Inline data (a data: URL or bare base64) or a link, as providers want it apart. */
export type Media = { kind: 'inline'; mediaType: string; base64: string } | { kind: 'url'; url: string; mediaType: string | undefined };

const DATA_URL = /^data:([^;,]+)?(?:;[^;,]*)*?(;base64)?,/i;

/** Reads an image or file part's data: `data:` URLs and base64 inline, `http(s)` links as links. */
export function mediaOf(data: string, mediaType: string | undefined, fallbackType = 'application/octet-stream'): Media {
  if (/^https?:\/\//i.test(data)) return { kind: 'url', url: data, mediaType };
  const match = DATA_URL.exec(data);
  if (!match) return { kind: 'inline', mediaType: mediaType ?? guessImageType(data) ?? fallbackType, base64: data };
  const body = data.slice(match[0].length);
  const base64 = match[2] ? body : btoa(decodeURIComponent(body));
  return { kind: 'inline', mediaType: mediaType ?? match[1] ?? guessImageType(base64) ?? fallbackType, base64 };
}

/** Base64 of the common image formats starts with their magic bytes. */
function guessImageType(base64: string): string | undefined {
  if (base64.startsWith('iVBORw0KGgo')) return 'image/png';
  if (base64.startsWith('/9j/')) return 'image/jpeg';
  if (base64.startsWith('R0lGOD')) return 'image/gif';
  if (base64.startsWith('UklGR')) return 'image/webp';
  return undefined;
}

export function dataUrl(media: Media): string {
  return media.kind === 'url' ? media.url : `data:${media.mediaType};base64,${media.base64}`;
}

/** A tool's output as the text providers that take only text want: strings as they are, anything else as JSON. */
export function outputText(output: unknown): string {
  if (typeof output === 'string') return output;
  return JSON.stringify(output ?? null) ?? 'null';
}

/** The text of a message's content, its text parts joined. */
export function textOf(content: ChatMessage['content']): string {
  if (typeof content === 'string') return content;
  let text = '';
  for (const part of content) if (part.type === 'text') text += part.text;
  return text;
}

export type UserPart = Exclude<UserMessage['content'], string>[number];
export type AssistantPart = Exclude<AssistantMessage['content'], string>[number];
export type ToolPart = ToolMessage['content'][number];

/** A message's content as parts, a plain string as one text part. */
export function partsOf<M extends UserMessage | AssistantMessage>(message: M): Array<M extends UserMessage ? UserPart : AssistantPart> {
  return (typeof message.content === 'string' ? (message.content ? [{ type: 'text', text: message.content }] : []) : message.content) as Array<
    M extends UserMessage ? UserPart : AssistantPart
  >;
}

/** What one provider left on a part for itself. */
export function metadataFor(providerMetadata: ProviderMetadata | undefined, provider: string): Record<string, unknown> | undefined {
  return providerMetadata?.[provider];
}

/**
 * `providerOptions` merged verbatim into a body: objects key by key (so `{ generationConfig: { topK } }`
 * adds to ours), anything else replaces ours.
 */
export function mergeProviderOptions(body: Record<string, unknown>, options: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!options) return body;
  for (const [key, value] of Object.entries(options)) {
    const ours = body[key];
    body[key] = isPlainObject(ours) && isPlainObject(value) ? mergeProviderOptions({ ...ours }, value) : value;
  }
  return body;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
