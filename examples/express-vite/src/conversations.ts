import type { Cost, Usage } from '@aiu/core';
import { type SaveConversationInput, type StoredConversation, type UIMessage, useConversations } from '@aiu/react';
import { useCallback, useEffect, useState } from 'react';

/** What one assistant reply cost, as the stream's finish (or, for a stopped one, the log) said. */
export interface ReplyFacts {
  model: string | null;
  status: 'done' | 'aborted' | 'error';
  usage: Pick<Usage, 'inputTokens' | 'outputTokens' | 'totalTokens'> | null;
  cost: Pick<Cost, 'total'> | null;
  /** Tokens and cost of a stopped reply are aiu's estimate. */
  estimated?: boolean;
  requestId: string | null;
}

export interface Conversation {
  id: string;
  title: string;
  model: string | null;
  system: string;
  temperature: number | null;
  /** Offer the example's weather tool to the model. */
  tools?: boolean;
  messages: UIMessage[];
  /** By assistant message id. */
  replies: Record<string, ReplyFacts>;
  updatedAt: number;
}

const ACTIVE = 'aiu-example:active-conversation';
export const DEFAULT_MODEL = 'openai:gpt-4.1-nano';

export function newConversation(model: string | null = DEFAULT_MODEL): Conversation {
  return { id: crypto.randomUUID(), title: 'New chat', model, system: '', temperature: null, messages: [], replies: {}, updatedAt: Date.now() };
}

/** The chat's settings and per-reply facts ride in the stored thread's metadata. */
type ChatMetadata = {
  system?: string;
  temperature?: number | null;
  tools?: boolean;
  replies?: Record<string, ReplyFacts>;
};

export function fromStored(stored: StoredConversation): Conversation {
  const meta = stored.metadata as ChatMetadata;
  return {
    id: stored.id,
    title: stored.title,
    model: stored.model,
    system: typeof meta.system === 'string' ? meta.system : '',
    temperature: typeof meta.temperature === 'number' ? meta.temperature : null,
    tools: meta.tools === true,
    messages: stored.messages,
    replies: meta.replies && typeof meta.replies === 'object' ? meta.replies : {},
    updatedAt: Date.parse(stored.updatedAt),
  };
}

export function toStored(conversation: Conversation): SaveConversationInput {
  const metadata: ChatMetadata = { system: conversation.system, temperature: conversation.temperature, tools: conversation.tools ?? false, replies: conversation.replies };
  return { title: conversation.title, model: conversation.model, messages: conversation.messages, metadata };
}

/**
 * Past chats, kept in aiu's own store (`/conversations`): they survive reloads, other browsers and
 * a server restart. Only which chat is open stays in this browser. A new chat is saved once it has
 * a message.
 */
export function useChatList() {
  const stored = useConversations();
  const [draft, setDraft] = useState<Conversation | null>(null);
  // Read in the browser only (Next renders this page on the server first).
  const [activeId, setActiveId] = useState<string | null>(() => (typeof window === 'undefined' ? null : localStorage.getItem(ACTIVE)));
  const saved = stored.conversations;
  const known = (id: string | null) => id !== null && (id === draft?.id || saved.some((c) => c.id === id));
  // Until the list has loaded, nothing is open; then the remembered chat, the newest, or a new one.
  const ready = !stored.isLoading;
  const active = !ready ? null : known(activeId) ? activeId : (saved[0]?.id ?? draft?.id ?? null);

  useEffect(() => {
    if (ready && active === null) setDraft(newConversation());
  }, [ready, active]);
  useEffect(() => {
    if (active) localStorage.setItem(ACTIVE, active);
  }, [active]);

  // A new chat starts on the model of the latest one.
  const latestModel = saved[0]?.model;
  const start = useCallback(() => {
    const created = newConversation(latestModel ?? DEFAULT_MODEL);
    setDraft(created);
    setActiveId(created.id);
  }, [latestModel]);

  const remove = useCallback(
    async (id: string) => {
      if (draft?.id === id) setDraft(null);
      else await stored.remove(id);
      setActiveId(null);
    },
    [draft, stored],
  );

  const entries = [...(draft && !saved.some((c) => c.id === draft.id) ? [{ id: draft.id, title: draft.title }] : []), ...saved.map((c) => ({ id: c.id, title: c.title }))];
  return {
    entries,
    active,
    /** The unsaved new chat, when that is the one open. */
    draft: draft && draft.id === active && !saved.some((c) => c.id === draft.id) ? draft : null,
    isLoading: stored.isLoading,
    error: stored.error,
    select: setActiveId,
    start,
    remove,
    save: stored.save,
  };
}

/** A chat's title: the start of its first prompt. */
export function titleOf(messages: UIMessage[]): string {
  const first = messages.find((m) => m.role === 'user');
  const text = first?.parts.flatMap((part) => (part.type === 'text' ? [part.text] : [])).join(' ') ?? '';
  return text.length > 48 ? `${text.slice(0, 47)}…` : text || 'New chat';
}

export function formatUsd(value: number | null | undefined): string {
  if (value === null || value === undefined) return 'price unknown';
  return value < 0.01 ? `$${value.toFixed(6)}` : `$${value.toFixed(4)}`;
}
