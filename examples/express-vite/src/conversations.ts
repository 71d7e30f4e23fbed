import type { Cost, Usage } from '@aiu/core';
import type { UIMessage } from '@aiu/react';
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

const KEY = 'aiu-example:conversations';
const ACTIVE = 'aiu-example:active-conversation';
export const DEFAULT_MODEL = 'openai:gpt-4.1-nano';

function read(): Conversation[] {
  try {
    const stored = JSON.parse(localStorage.getItem(KEY) ?? '[]') as Conversation[];
    return Array.isArray(stored) ? stored : [];
  } catch {
    return [];
  }
}

export function newConversation(model: string | null = DEFAULT_MODEL): Conversation {
  return { id: crypto.randomUUID(), title: 'New chat', model, system: '', temperature: null, messages: [], replies: {}, updatedAt: Date.now() };
}

/**
 * Past chats, kept in this browser's storage so they survive moving between pages and reloads.
 * (A server-side store would keep them across browsers too; the example keeps it simple.)
 */
export function useConversations() {
  const [conversations, setConversations] = useState<Conversation[]>(() => {
    const stored = read();
    return stored.length ? stored : [newConversation()];
  });
  const [activeId, setActiveId] = useState<string>(() => localStorage.getItem(ACTIVE) ?? conversations[0]?.id ?? '');
  const active = conversations.find((c) => c.id === activeId) ?? conversations[0] ?? newConversation();

  useEffect(() => {
    // Empty chats are not worth keeping.
    localStorage.setItem(KEY, JSON.stringify(conversations.filter((c) => c.messages.length > 0)));
  }, [conversations]);
  useEffect(() => {
    localStorage.setItem(ACTIVE, active.id);
  }, [active.id]);

  const update = useCallback((id: string, change: (c: Conversation) => Conversation) => {
    setConversations((all) => all.map((c) => (c.id === id ? { ...change(c), updatedAt: Date.now() } : c)));
  }, []);

  const start = useCallback((model: string | null) => {
    const created = newConversation(model);
    setConversations((all) => [created, ...all.filter((c) => c.messages.length > 0)]);
    setActiveId(created.id);
  }, []);

  const remove = useCallback((id: string) => {
    setConversations((all) => {
      const rest = all.filter((c) => c.id !== id);
      return rest.length ? rest : [newConversation()];
    });
  }, []);

  return { conversations: [...conversations].sort((a, b) => b.updatedAt - a.updatedAt), active, select: setActiveId, update, start, remove };
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
