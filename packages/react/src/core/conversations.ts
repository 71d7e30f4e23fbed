import type { Conversation, ConversationSummary } from '@aiu/core';
import { ConversationSchema, ConversationSummarySchema } from '@aiu/core/lite';
import type { AiuConfig } from '../context';
import { fetchJson, request } from './fetchJson';
import type { UIMessage } from './uiMessages';

/** A thread to save: `useChat`'s messages as they are, and the app's own settings for it. */
export interface SaveConversationInput {
  /** Shown in a list of chats; the server takes the start of the first prompt when left out. */
  title?: string;
  model?: string | null;
  messages: readonly UIMessage[];
  /** Anything the app keeps with the chat (system prompt, temperature…): stored as given. */
  metadata?: Record<string, unknown>;
}

export interface SaveConversationOptions {
  /**
   * Save only over this version (the one loaded); another tab's newer save is then a 409
   * (`error.code === 'conflict'`) instead of lost. 0: only if the thread does not exist yet.
   */
  version?: number;
}

/** A stored thread with its messages as `useChat` takes them (`initialMessages`). */
export type StoredConversation = Omit<Conversation, 'messages'> & { messages: UIMessage[] };

/** Below browsers' 64 kB keepalive budget (counted in bytes; a character may be several). */
const KEEPALIVE_MAX_CHARS = 16_000;

const path = (id: string) => `/conversations/${encodeURIComponent(id)}`;

export function fetchConversation(config: AiuConfig, id: string): Promise<StoredConversation> {
  // The server keeps parts exactly as the client saved them: UI messages in, UI messages out.
  return fetchJson(config, path(id), ConversationSchema) as Promise<StoredConversation>;
}

export function saveConversation(config: AiuConfig, id: string | undefined, input: SaveConversationInput, options: SaveConversationOptions = {}): Promise<ConversationSummary> {
  const headers: Record<string, string> = {};
  if (options.version === 0) headers['if-none-match'] = '*';
  else if (options.version !== undefined) headers['if-match'] = `"${options.version}"`;
  const bodyText = JSON.stringify(input);
  return fetchJson(config, id === undefined ? '/conversations' : path(id), ConversationSummarySchema, {
    method: id === undefined ? 'POST' : 'PUT',
    bodyText,
    headers,
    // A save that leaves as the page reloads or closes still lands, when it is small enough to.
    keepalive: bodyText.length < KEEPALIVE_MAX_CHARS,
  });
}

export async function deleteConversation(config: AiuConfig, id: string): Promise<void> {
  await request(config, path(id), { method: 'DELETE' });
}
